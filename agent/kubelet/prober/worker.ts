// One probe of one container (upstream pkg/kubelet/prober/worker.go): a loop that probes every
// periodSeconds and writes the verdict into the results manager of its kind once it has held for
// successThreshold/failureThreshold runs in a row. The worker reads the pod's current status for
// the container's id and state; a new container id (a restart) starts it over from the initial
// value. It exits when the pod is finished, the container will never run again, or it is stopped.
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Clock } from './clock.ts';
import { probeSpecOf, probeTimings, type Prober, type ProbeTimings } from './prober.ts';
import { parseContainerId, type ProbeResult, type ResultsManager } from './results/resultsManager.ts';
import type { ProbeKind } from './types.ts';

/**
 * The result a container has before its probe has spoken (upstream newWorker): not ready until a
 * readiness probe succeeds, alive until a liveness probe fails, and not yet started (Unknown)
 * until a startup probe succeeds.
 */
export const INITIAL_RESULT: Record<ProbeKind, ProbeResult> = {
  readiness: 'Failure',
  liveness: 'Success',
  startup: 'Unknown',
};

/** What a worker needs from its manager. */
export interface WorkerContext {
  clock: Clock;
  prober: Pick<Prober, 'probe'>;
  /** The pod's latest status as the kubelet knows it (upstream statusManager.GetPodStatus). */
  getPodStatus(podUid: string): PodStatus | undefined;
  results: ResultsManager;
  /** Whether the container has started: its startup probe succeeded, or it has none. */
  containerStarted(podUid: string, containerName: string, containerId: string): boolean;
  /** When the manager started: right after a kubelet restart, first probes are spread out. */
  startedAt: Date;
  /** [0,1) for that spread; injectable so tests are deterministic. */
  random(): number;
  /** Called once when the worker's loop ends. */
  onExit(worker: ProbeWorker): void;
}

type WakeReason = 'tick' | 'trigger' | 'stop';

export class ProbeWorker {
  readonly spec: ProbeTimings;
  /** The last container id seen, bare (no `containerd://`). */
  containerId = '';
  /** The last raw probe result and how many times in a row it came. */
  lastResult: ProbeResult = 'Unknown';
  resultRun = 0;
  /** After a liveness/startup failure: no probing until the container is replaced. */
  onHold = false;

  private stopped = false;
  private triggered = false;
  private wake?: (reason: WakeReason) => void;

  constructor(
    /** The pod as last given to the manager (its deletionTimestamp quiets liveness). */
    public pod: Pod,
    readonly container: Container,
    readonly kind: ProbeKind,
    private readonly ctx: WorkerContext,
  ) {
    const spec = probeSpecOf(container, kind);
    if (!spec) throw new Error(`container ${container.name} has no ${kind} probe`);
    this.spec = probeTimings(spec);
  }

  get podUid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  /** Probes until the loop ends; resolves after clean-up. */
  async run(): Promise<void> {
    const { clock } = this.ctx;
    const periodMs = this.spec.periodSeconds * 1000;
    try {
      // Right after a kubelet (re)start every worker would fire at once: wait a random part of
      // one period first, as upstream does.
      if (periodMs > clock.now().getTime() - this.ctx.startedAt.getTime()) {
        if ((await this.wait(this.ctx.random() * periodMs)) === 'stop') return;
      }
      let nextTick = clock.now().getTime() + periodMs;
      while (!this.stopped && (await this.doProbe())) {
        const reason = await this.wait(Math.max(0, nextTick - clock.now().getTime()));
        if (reason === 'stop') break;
        if (reason === 'tick') {
          // Like a Go ticker: fixed beats; beats missed during a slow probe are dropped.
          const now = clock.now().getTime();
          nextTick += periodMs;
          if (nextTick <= now) nextTick = now + periodMs;
        }
      }
    } finally {
      if (this.containerId) this.ctx.results.remove(this.containerId);
      this.ctx.onExit(this);
    }
  }

  /** stop() was called: the loop is ending. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Ends the loop; safe to call more than once. */
  stop(): void {
    this.stopped = true;
    this.wake?.('stop');
  }

  /** Probes now instead of at the next beat (buffered once, like upstream's manualTriggerCh). */
  trigger(): void {
    if (this.wake) this.wake('trigger');
    else this.triggered = true;
  }

  private wait(ms: number): Promise<WakeReason> {
    if (this.stopped) return Promise.resolve('stop');
    if (this.triggered) {
      this.triggered = false;
      return Promise.resolve('trigger');
    }
    return new Promise((resolve) => {
      const cancel = this.ctx.clock.after(ms, () => this.wake?.('tick'));
      this.wake = (reason) => {
        this.wake = undefined;
        cancel();
        resolve(reason);
      };
    });
  }

  /** Probes once and records the verdict; false means the worker should exit (upstream doProbe). */
  async doProbe(): Promise<boolean> {
    try {
      return await this.probeOnce();
    } catch {
      // Upstream recovers from a crashing probe and keeps the worker going.
      return true;
    }
  }

  private async probeOnce(): Promise<boolean> {
    const { results, clock } = this.ctx;
    const status = this.ctx.getPodStatus(this.podUid);
    // No status: the pod is not created yet, or already gone.
    if (!status) return true;
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;

    let c = findStatus(status.containerStatuses, this.container.name);
    if (!c?.containerID) c = findStatus(status.initContainerStatuses, this.container.name);
    // The container has not been created yet, or was removed: wait for more information.
    if (!c?.containerID) return true;

    const id = parseContainerId(c.containerID);
    if (id !== this.containerId) {
      if (this.containerId) results.remove(this.containerId);
      // A container the kubelet found already ready (adopted after a kubelet restart, its
      // readiness kept from the last reported status) stays ready until its first probe says otherwise.
      const adoptedReady = this.kind === 'readiness' && c.ready === true && !this.containerId;
      this.containerId = id;
      results.set(id, adoptedReady ? 'Success' : INITIAL_RESULT[this.kind], this.podUid);
      // A new container starts over. (Upstream resumes probing but keeps the run counter; a
      // fresh container owes nothing to its predecessor's streak, so the counter resets too.)
      this.onHold = false;
      this.lastResult = 'Unknown';
      this.resultRun = 0;
    }
    if (this.onHold) return true;

    if (!c.state?.running) {
      results.set(id, 'Failure', this.podUid);
      // Keep going if the container may run again.
      return !c.state?.terminated || this.pod.spec?.restartPolicy !== 'Never';
    }

    // Graceful deletion: liveness and startup stop quietly so they never kill a container that
    // is shutting down.
    if (this.pod.metadata?.deletionTimestamp && (this.kind === 'liveness' || this.kind === 'startup')) {
      results.set(id, 'Success', this.podUid);
      return false;
    }

    const startedAt = c.state.running.startedAt ? Date.parse(c.state.running.startedAt) : NaN;
    if (!Number.isNaN(startedAt) && Math.trunc((clock.now().getTime() - startedAt) / 1000) < this.spec.initialDelaySeconds) {
      return true;
    }

    // The startup probe gates the others: until it succeeds only it runs; after, only they do.
    // (Upstream reads containerStatuses[].started, which the manager computes the same way.)
    const started = this.ctx.containerStarted(this.podUid, this.container.name, id);
    if (started ? this.kind === 'startup' : this.kind !== 'startup') return true;

    const verdict = await this.ctx.prober.probe(this.kind, this.pod, status, this.container, id);
    // The probe could not be run: throw the result away (upstream), keep the old verdict.
    if (verdict.error !== undefined) return true;
    // Stopped or replaced while the probe ran: a stale answer must not land.
    if (this.stopped || id !== this.containerId) return true;

    const result = verdict.result;
    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if (
      (result === 'Failure' && this.resultRun < this.spec.failureThreshold) ||
      (result === 'Success' && this.resultRun < this.spec.successThreshold)
    ) {
      return true; // below the threshold: the verdict stands
    }
    results.set(id, result, this.podUid);

    if ((this.kind === 'liveness' || this.kind === 'startup') && result === 'Failure') {
      // The container will be restarted: stop probing it until a new container id appears, so
      // no exec lands in a container being stopped.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}

function findStatus(statuses: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined {
  return statuses?.find((s) => s.name === name);
}
