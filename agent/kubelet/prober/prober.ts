// Runs one probe of a container and turns its outcome into a result plus the event a user sees
// (upstream pkg/kubelet/prober/prober.go). Handlers: exec through CRI ExecSync, tcpSocket and
// httpGet from the kubelet's own (the node's) network namespace, grpc health checks.
import type { Container, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import { resolveContainerPort } from './containerPort.ts';
import { execProbe, expandStaticCommand } from './execProbe.ts';
import { grpcProbe } from './grpcProbe.ts';
import { buildHttpProbeRequest, httpProbe } from './httpProbe.ts';
import type { ProbeResult } from './results/resultsManager.ts';
import { tcpProbe } from './tcpProbe.ts';
import { PROBE_KIND_TITLE, type ExecSync, type ProbeEventRecorder, type ProbeKind, type ProbeOutcome } from './types.ts';

/** A probe that errors (not fails) is tried this many times in a row; upstream maxProbeRetries. */
export const MAX_PROBE_RETRIES = 3;

/** Event reasons, as upstream pkg/kubelet/events. */
export const EVENT_UNHEALTHY = 'Unhealthy';
export const EVENT_PROBE_WARNING = 'ProbeWarning';

/** Upstream's probe defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

export type ProbeTimings = { [K in keyof typeof PROBE_DEFAULTS]: number };

/** The probe's timing fields with defaults filled in (the API server normally did it already). */
export function probeTimings(spec: Probe): ProbeTimings {
  const pick = (v: number | undefined, d: number, min: number) => (v === undefined || v < min ? d : v);
  return {
    initialDelaySeconds: pick(spec.initialDelaySeconds, PROBE_DEFAULTS.initialDelaySeconds, 0),
    timeoutSeconds: pick(spec.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds, 1),
    periodSeconds: pick(spec.periodSeconds, PROBE_DEFAULTS.periodSeconds, 1),
    successThreshold: pick(spec.successThreshold, PROBE_DEFAULTS.successThreshold, 1),
    failureThreshold: pick(spec.failureThreshold, PROBE_DEFAULTS.failureThreshold, 1),
  };
}

export function probeSpecOf(container: Container, kind: ProbeKind): Probe | undefined {
  switch (kind) {
    case 'liveness':
      return container.livenessProbe;
    case 'readiness':
      return container.readinessProbe;
    case 'startup':
      return container.startupProbe;
  }
}

/** What one probe run concluded: a result, or an error that the worker throws away. */
export interface ProbeVerdict {
  result: Exclude<ProbeResult, 'Unknown'>;
  error?: string;
}

export interface ProberOptions {
  execSync: ExecSync;
  recorder: ProbeEventRecorder;
}

export class Prober {
  constructor(private readonly opts: ProberOptions) {}

  /** Probes the container once (with retries on errors) and records Unhealthy/ProbeWarning. */
  async probe(kind: ProbeKind, pod: Pod, status: PodStatus, container: Container, containerId: string): Promise<ProbeVerdict> {
    const spec = probeSpecOf(container, kind);
    if (!spec) return { result: 'Success' };
    const title = PROBE_KIND_TITLE[kind];
    const outcome = await this.runWithRetries(spec, pod, status, container, containerId);
    if (outcome.error !== undefined) {
      this.record(pod, container, EVENT_UNHEALTHY, `${title} probe errored and resulted in ${outcome.result} state: ${outcome.error}`);
      return { result: 'Failure', error: outcome.error };
    }
    switch (outcome.result) {
      case 'success':
        return { result: 'Success' };
      case 'warning':
        this.record(pod, container, EVENT_PROBE_WARNING, `${title} probe warning: ${outcome.output}`);
        return { result: 'Success' };
      case 'failure':
        this.record(pod, container, EVENT_UNHEALTHY, `${title} probe failed: ${outcome.output}`);
        return { result: 'Failure' };
      default:
        return { result: 'Failure' };
    }
  }

  private async runWithRetries(spec: Probe, pod: Pod, status: PodStatus, container: Container, containerId: string): Promise<ProbeOutcome> {
    let outcome: ProbeOutcome = { result: 'unknown', output: '' };
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      outcome = await this.runProbe(spec, pod, status, container, containerId);
      if (outcome.error === undefined) return outcome;
    }
    return outcome;
  }

  /** One attempt with the handler the probe names (upstream runProbe). */
  async runProbe(spec: Probe, pod: Pod, status: PodStatus, container: Container, containerId: string): Promise<ProbeOutcome> {
    const timeout = probeTimings(spec).timeoutSeconds;
    const podIP = status.podIP ?? '';
    if (spec.exec) {
      // Probes see only the container's literal env values, never secrets or the downward API.
      const cmd = expandStaticCommand(spec.exec.command ?? [], container.env);
      return execProbe(this.opts.execSync, containerId, cmd, timeout);
    }
    if (spec.httpGet) {
      const req = buildHttpProbeRequest(spec.httpGet, container, podIP);
      if ('error' in req) return { result: 'unknown', output: '', error: req.error };
      return httpProbe(req, timeout);
    }
    if (spec.tcpSocket) {
      const port = resolveContainerPort(spec.tcpSocket.port, container);
      if ('error' in port) return { result: 'unknown', output: '', error: port.error };
      return tcpProbe(spec.tcpSocket.host || podIP, port.port, timeout);
    }
    if (spec.grpc) {
      return grpcProbe(podIP, spec.grpc.port, spec.grpc.service ?? '', timeout);
    }
    const m = pod.metadata;
    return { result: 'unknown', output: '', error: `missing probe handler for ${m?.name}_${m?.namespace}(${m?.uid}):${container.name}` };
  }

  private record(pod: Pod, container: Container, reason: string, message: string): void {
    const isInit = pod.spec?.initContainers?.some((c) => c.name === container.name) ?? false;
    const fieldPath = `spec.${isInit ? 'initContainers' : 'containers'}{${container.name}}`;
    this.opts.recorder.event(pod, 'Warning', reason, message, fieldPath);
  }
}
