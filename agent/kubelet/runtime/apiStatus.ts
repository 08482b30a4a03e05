// The pod's API status as the runtime decides it (upstream kubelet_pods.go
// convertToAPIContainerStatuses, getPhase, and pkg/kubelet/status generate.go for the
// Initialized/ContainersReady/Ready conditions). Pure: the runtime status, the start failures
// remembered from the last sync (upstream reasonCache) and readiness come in as arguments.
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { shouldContainerBeRestarted } from './podActions.ts';
import { podQOSClass } from './resources.ts';
import type { ContainerRuntimeStatus, RuntimePodStatus, StartFailure } from './types.ts';

/** containerd's container ID scheme in status (`containerd://<id>`). */
export const CONTAINER_ID_SCHEME = 'containerd';

export interface ApiStatusInput {
  /** Container name → why it waits (from the last syncPod). */
  failures: Map<string, StartFailure>;
  hostIPs: string[];
  /** Readiness by container (the prober's verdict); default: running means ready. */
  ready?: (containerName: string, containerId: string) => boolean;
  /** Started by container (the startup probe succeeded, or there is none); default: running means started. */
  started?: (containerName: string, containerId: string) => boolean;
  /** Transition times are kept from the previous status when a condition did not change. */
  now?: Date;
}

function iso(d: Date | undefined): string | undefined {
  return d?.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function terminatedState(s: ContainerRuntimeStatus, cid: string): NonNullable<ContainerStatus['state']> {
  return {
    terminated: {
      exitCode: s.exitCode,
      reason: s.reason || undefined,
      message: s.message || undefined,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      containerID: cid,
    },
  };
}

function convert(s: ContainerRuntimeStatus): ContainerStatus {
  const cid = `${CONTAINER_ID_SCHEME}://${s.id}`;
  const status: ContainerStatus = {
    name: s.name,
    image: s.image,
    imageID: s.imageRef,
    containerID: cid,
    restartCount: s.restartCount,
    ready: false,
    started: false,
    state: {},
  };
  if (s.state === 'CONTAINER_RUNNING') status.state = { running: { startedAt: iso(s.startedAt) } };
  else if (s.state === 'CONTAINER_EXITED') status.state = terminatedState(s, cid);
  else status.state = { waiting: {} }; // created, or unknown: waiting to be running
  return status;
}

function containerStatuses(pod: Pod, containers: Container[], status: RuntimePodStatus | undefined, input: ApiStatusInput, defaultReason: string): ContainerStatus[] {
  return containers.map((c) => {
    const instances = (status?.containerStatuses ?? []).filter((s) => s.name === c.name);
    let out: ContainerStatus;
    if (instances.length === 0) {
      out = { name: c.name, image: c.image ?? '', imageID: '', restartCount: 0, ready: false, started: false, state: { waiting: { reason: defaultReason } } };
    } else {
      out = convert(instances[0]);
      out.image = c.image ?? out.image;
      const previous = instances.slice(1).find((s) => s.state === 'CONTAINER_EXITED');
      if (previous) out.lastState = terminatedState(previous, `${CONTAINER_ID_SCHEME}://${previous.id}`);
      if (instances[0].state === 'CONTAINER_RUNNING') {
        // A running container whose startup probe has not succeeded is neither started nor ready.
        out.started = input.started ? input.started(c.name, instances[0].id) : true;
        out.ready = out.started && (input.ready ? input.ready(c.name, instances[0].id) : true);
      }
    }
    // A container that will be started again and failed to start shows why it waits
    // (ErrImagePull, CrashLoopBackOff …); what it last ended with moves to lastState.
    const failure = input.failures.get(c.name);
    if (failure && shouldContainerBeRestarted(c, pod, status)) {
      if (out.state?.terminated) out.lastState = out.state;
      out.state = { waiting: { reason: failure.reason, message: failure.message } };
    }
    return out;
  });
}

/** Upstream getPhase (without sidecar containers). */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): NonNullable<PodStatus['phase']> {
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    const t = s.state?.terminated;
    const last = s.lastState?.terminated;
    if (s.state?.running) pendingInit++;
    else if (t) {
      if (t.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting && last) {
      if (last.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyAppStarted = app.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if ((pendingInit > 0 || failedInit > 0) && !anyAppStarted) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(pod: Pod, type: string, ok: boolean, reason: string | undefined, now: Date): PodCondition {
  const previous = pod.status?.conditions?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  return {
    type,
    status,
    ...(ok || !reason ? {} : { reason }),
    lastTransitionTime: previous?.status === status && previous.lastTransitionTime ? previous.lastTransitionTime : iso(now),
  };
}

export function apiPodStatus(pod: Pod, status: RuntimePodStatus | undefined, input: ApiStatusInput): PodStatus {
  const initContainers = pod.spec?.initContainers ?? [];
  const init = containerStatuses(pod, initContainers, status, input, 'PodInitializing');
  // Every init container succeeded — or an app container runs, so they did once (and were since removed).
  const anyAppRunning = (pod.spec?.containers ?? []).some((c) => status?.containerStatuses.find((s) => s.name === c.name)?.state === 'CONTAINER_RUNNING');
  const initialized = anyAppRunning || init.every((s) => s.state?.terminated?.exitCode === 0);
  const app = containerStatuses(pod, pod.spec?.containers ?? [], status, input, initContainers.length > 0 && !initialized ? 'PodInitializing' : 'ContainerCreating');
  const phase = podPhase(pod, init, app);
  const containersReady = app.length > 0 && app.every((s) => s.ready);
  const now = input.now ?? new Date();
  const ips = status?.ips ?? [];
  const out: PodStatus = {
    phase,
    conditions: [
      condition(pod, 'Initialized', initialized, 'ContainersNotInitialized', now),
      condition(pod, 'ContainersReady', containersReady, 'ContainersNotReady', now),
      condition(pod, 'Ready', containersReady, 'ContainersNotReady', now),
    ],
    hostIP: input.hostIPs[0],
    hostIPs: input.hostIPs.map((ip) => ({ ip })),
    // A host-network pod's address is the node's.
    podIP: pod.spec?.hostNetwork ? input.hostIPs[0] : ips[0],
    podIPs: (pod.spec?.hostNetwork ? input.hostIPs : ips).map((ip) => ({ ip })),
    containerStatuses: app,
    qosClass: podQOSClass(pod),
  };
  if (initContainers.length > 0) out.initContainerStatuses = init;
  if (pod.status?.startTime) out.startTime = pod.status.startTime;
  return out;
}
