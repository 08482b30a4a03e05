// The probe manager (upstream pkg/kubelet/prober/prober_manager.go): one worker per (pod,
// container, probe kind), and three results managers the rest of the kubelet reads —
//   liveness/startup → the runtime's computePodActions restarts a container that failed;
//   readiness/startup → containerStatuses[].ready/started, hence the pod's Ready condition and
//                       the Service endpoints.
// Pod workers subscribe to result changes and sync the pod when one comes.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ProbeResults } from '../runtime/podActions.ts';
import { realClock, type Clock } from './clock.ts';
import { Prober, probeSpecOf } from './prober.ts';
import { parseContainerId, ResultsManager, type ResultUpdate } from './results/resultsManager.ts';
import type { ExecSync, ProbeEventRecorder, ProbeKind } from './types.ts';
import { ProbeWorker } from './worker.ts';

/** Workers are created in this order per container, as upstream AddPod does. */
const KINDS: ProbeKind[] = ['startup', 'readiness', 'liveness'];

export interface ProbeManagerOptions {
  /** CRI ExecSync for exec probes (see criExecSync). */
  execSync: ExecSync;
  /** Unhealthy / ProbeWarning events. */
  recorder: ProbeEventRecorder;
  /** The pod's latest status: container ids, states, podIP (upstream statusManager.GetPodStatus). */
  getPodStatus(podUid: string): PodStatus | undefined;
  clock?: Clock;
  random?: () => number;
  /** Replaces the real prober (tests of the worker logic). */
  prober?: Pick<Prober, 'probe'>;
}

export type ProbeUpdateListener = (kind: ProbeKind, update: ResultUpdate) => void;

function probeKey(podUid: string, containerName: string, kind: ProbeKind): string {
  return `${podUid}/${containerName}/${kind}`;
}

export class ProbeManager {
  readonly liveness = new ResultsManager();
  readonly readiness = new ResultsManager();
  readonly startup = new ResultsManager();

  private readonly workers = new Map<string, ProbeWorker>();
  private readonly running = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly prober: Pick<Prober, 'probe'>;
  private readonly startedAt: Date;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.prober = opts.prober ?? new Prober({ execSync: opts.execSync, recorder: opts.recorder });
    this.startedAt = this.clock.now();
  }

  resultsFor(kind: ProbeKind): ResultsManager {
    return kind === 'liveness' ? this.liveness : kind === 'readiness' ? this.readiness : this.startup;
  }

  /**
   * Starts a worker for every probe of the pod's containers that has none yet. Calling it again
   * for a pod refreshes the pod object the workers see (its deletionTimestamp); changed probe
   * parameters are not picked up, as upstream.
   */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    for (const container of pod.spec?.containers ?? []) {
      for (const kind of KINDS) {
        if (!probeSpecOf(container, kind)) continue;
        const key = probeKey(uid, container.name, kind);
        const existing = this.workers.get(key);
        if (existing && !existing.stopping) {
          existing.pod = pod;
          continue;
        }
        const worker = new ProbeWorker(pod, container, kind, {
          clock: this.clock,
          prober: this.prober,
          getPodStatus: (podUid) => this.opts.getPodStatus(podUid),
          results: this.resultsFor(kind),
          containerStarted: (podUid, name, id) => this.containerStarted(podUid, name, id),
          startedAt: this.startedAt,
          random: this.opts.random ?? Math.random,
          onExit: (w) => {
            if (this.workers.get(key) === w) this.workers.delete(key);
          },
        });
        this.workers.set(key, worker);
        const done = worker.run();
        this.running.add(done);
        void done.finally(() => this.running.delete(done));
      }
    }
  }

  /** On termination: liveness and startup stop so they cannot restart a stopping container. */
  stopLivenessAndStartup(pod: Pod): void {
    this.stopWorkers(pod, ['liveness', 'startup']);
  }

  /** Stops every worker of the pod; each clears its cached result as it exits. */
  removePod(pod: Pod): void {
    this.stopWorkers(pod, KINDS);
  }

  /** Stops the workers of every pod not in desiredPodUids (upstream CleanupPods). */
  cleanupPods(desiredPodUids: Set<string>): void {
    for (const worker of this.workers.values()) if (!desiredPodUids.has(worker.podUid)) worker.stop();
  }

  /** Stops every worker and waits for their loops to end. */
  async stop(): Promise<void> {
    for (const worker of this.workers.values()) worker.stop();
    await Promise.all([...this.running]);
  }

  workerCount(): number {
    return this.workers.size;
  }

  hasWorker(podUid: string, containerName: string, kind: ProbeKind): boolean {
    return this.workers.has(probeKey(podUid, containerName, kind));
  }

  /** Hears every result change of the three kinds; returns the unsubscribe function. */
  subscribe(listener: ProbeUpdateListener): () => void {
    const offs = KINDS.map((kind) => this.resultsFor(kind).subscribe((u) => listener(kind, u)));
    return () => offs.forEach((off) => off());
  }

  /** Started: the startup probe succeeded, or the container has none (upstream UpdatePodStatus). */
  containerStarted(podUid: string, containerName: string, containerId: string): boolean {
    const result = this.startup.get(containerId);
    if (result !== undefined) return result === 'Success';
    // No result: started unless a startup probe exists that has not run yet.
    return !this.hasWorker(podUid, containerName, 'startup');
  }

  /**
   * Ready: started, and the readiness probe succeeded or there is none. For a running container;
   * the runtime's status code calls it as its `ready(containerName, containerId)`.
   */
  containerReady(podUid: string, containerName: string, containerId: string): boolean {
    if (!this.containerStarted(podUid, containerName, containerId)) return false;
    if (this.readiness.get(containerId) === 'Success') return true;
    const worker = this.workers.get(probeKey(podUid, containerName, 'readiness'));
    // Not ready yet: ask for a probe now rather than at the next period (upstream).
    worker?.trigger();
    return !worker;
  }

  /**
   * Sets containerStatuses[].started and .ready from the probe results, in place (upstream
   * UpdatePodStatus); init containers are ready when they exited 0.
   */
  updatePodStatus(podUid: string, status: PodStatus): void {
    for (const c of status.containerStatuses ?? []) {
      const running = !!c.state?.running;
      const id = parseContainerId(c.containerID ?? '');
      const started = running && this.containerStarted(podUid, c.name, id);
      c.started = started;
      if (started) c.ready = this.containerReady(podUid, c.name, id);
    }
    for (const c of status.initContainerStatuses ?? []) {
      c.ready = c.state?.terminated?.exitCode === 0;
    }
  }

  /** The verdicts the runtime's computePodActions reads to kill and restart containers. */
  probeResults(): ProbeResults {
    return {
      livenessFailed: (containerId) => this.liveness.get(containerId) === 'Failure',
      startupFailed: (containerId) => this.startup.get(containerId) === 'Failure',
    };
  }

  private stopWorkers(pod: Pod, kinds: ProbeKind[]): void {
    const uid = pod.metadata?.uid ?? '';
    for (const container of pod.spec?.containers ?? []) {
      for (const kind of kinds) this.workers.get(probeKey(uid, container.name, kind))?.stop();
    }
  }
}
