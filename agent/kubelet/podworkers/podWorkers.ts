// One serialized worker per pod (upstream pkg/kubelet/pod_workers.go). Every reason to look at a
// pod — an informer update, a PLEG event, a probe result, a back-off expiring, the periodic
// resync — becomes an update for its UID. A pod's worker runs one step at a time; updates that
// arrive meanwhile coalesce: only the newest waits, because each step reads the whole state
// again (level-triggered), so an older pending update has nothing to add.
//
// A pod moves through three phases and never back:
//
//   syncing      syncPod converges the runtime to the spec, again and again
//   terminating  the pod was deleted, unbound from this node, or reached Succeeded/Failed:
//                its containers are stopped with the grace period
//   terminated   nothing runs any more: volumes and directories are released; the status
//                manager may now delete the API object (the kubelet's final delete)
//
// A finished worker stays (so late updates for the pod are ignored) until housekeeping forgets
// it, once the pod is gone from the API server.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { realClock, type Clock } from '../prober/clock.ts';

/** Upstream pod_workers.go backOffPeriod: a failed step is retried after this long. */
export const WORKER_BACKOFF_MS = 10_000;

export type WorkerPhase = 'syncing' | 'terminating' | 'terminated';

/** What the worker asks of the kubelet (upstream podSyncer: SyncPod, SyncTerminatingPod, SyncTerminatedPod). */
export interface PodSyncer {
  /**
   * Converges a running pod; `terminal` when it reached Succeeded/Failed and nothing will restart.
   * `signal` aborts when the pod is to be stopped meanwhile (upstream cancels the sync's context),
   * so a long postStart hook does not hold its termination back.
   */
  syncPod(pod: Pod, signal?: AbortSignal): Promise<{ requeueAfterMs?: number; terminal?: boolean }>;
  /**
   * Stops the pod's containers within the grace period. `pod` is undefined for a pod the runtime
   * runs but the API server does not know (an orphan found by housekeeping).
   */
  syncTerminatingPod(uid: string, pod: Pod | undefined, gracePeriodSeconds: number | undefined): Promise<void>;
  /** Releases what the pod held once nothing of it runs (volumes, directories). */
  syncTerminatedPod(uid: string, pod: Pod | undefined): Promise<void>;
}

export interface PodUpdate {
  uid: string;
  /** The pod as the API server has it; undefined for an orphan being killed. */
  pod?: Pod;
  /** Stop the pod whatever its spec says (deleted from the API, bound elsewhere, orphaned). */
  kill?: boolean;
  /** With kill: the grace period to use instead of the pod's own. */
  gracePeriodSeconds?: number;
}

interface PodWorkerState {
  uid: string;
  phase: WorkerPhase;
  pod?: Pod;
  /** The newest update not yet seen by a step; a later update replaces it. */
  pending?: PodUpdate;
  working: boolean;
  terminationRequested: boolean;
  gracePeriodSeconds?: number;
  /** syncTerminatedPod completed: the pod's resources are reclaimed. */
  finished: boolean;
  cancelRequeue?: () => void;
  /** Aborts the syncPod step in flight. */
  cancelSync?: AbortController;
}

export interface PodWorkersOptions {
  syncer: PodSyncer;
  log: Logger;
  clock?: Clock;
  /** Called after each step (status manager: a pod's state may have changed). */
  onStepDone?: (uid: string, phase: WorkerPhase) => void;
}

/** A pod that should stop running: deleted, or already in a terminal phase in the API. */
export function isTerminationRequested(pod: Pod | undefined): boolean {
  if (!pod) return true;
  if (pod.metadata?.deletionTimestamp) return true;
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export class PodWorkers {
  private readonly workers = new Map<string, PodWorkerState>();
  private readonly clock: Clock;
  private stopped = false;

  constructor(private readonly o: PodWorkersOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Upstream UpdatePod: records the update and makes sure the pod's worker runs. */
  update(u: PodUpdate): void {
    if (this.stopped) return;
    let state = this.workers.get(u.uid);
    if (!state) {
      // A pod first seen already terminating (e.g. the kubelet restarted during a deletion)
      // still goes through termination, so whatever runs of it gets stopped.
      state = { uid: u.uid, phase: 'syncing', working: false, terminationRequested: false, finished: false };
      this.workers.set(u.uid, state);
    }
    if (state.finished) return;
    if (u.kill || isTerminationRequested(u.pod ?? state.pod)) {
      if (!state.terminationRequested) state.gracePeriodSeconds = u.gracePeriodSeconds;
      // Upstream lets a later kill shorten the grace period, never lengthen it.
      else if (u.gracePeriodSeconds !== undefined && (state.gracePeriodSeconds === undefined || u.gracePeriodSeconds < state.gracePeriodSeconds)) {
        state.gracePeriodSeconds = u.gracePeriodSeconds;
      }
      state.terminationRequested = true;
      // A sync in flight has nothing more to do: termination is next (upstream cancels its context).
      state.cancelSync?.abort();
    }
    state.pending = { ...u, pod: u.pod ?? state.pending?.pod };
    if (!state.working) void this.run(state);
  }

  /** Forgets the pod's worker (housekeeping, once the pod is gone from the API and finished). */
  forget(uid: string): void {
    const state = this.workers.get(uid);
    state?.cancelRequeue?.();
    this.workers.delete(uid);
  }

  phaseOf(uid: string): WorkerPhase | undefined {
    return this.workers.get(uid)?.phase;
  }

  /** Upstream CouldHaveRunningContainers is the opposite: nothing of this pod runs, its volumes are released. */
  isReclaimed(uid: string): boolean {
    return this.workers.get(uid)?.finished === true;
  }

  isTerminationRequested(uid: string): boolean {
    return this.workers.get(uid)?.terminationRequested === true;
  }

  knownUids(): string[] {
    return [...this.workers.keys()];
  }

  /** Idle: no worker is running a step or has one pending (tests). */
  idle(): boolean {
    return [...this.workers.values()].every((s) => !s.working && !s.pending);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.workers.values()) s.cancelRequeue?.();
  }

  /** The worker's loop: one step per pending update, until none is left. */
  private async run(state: PodWorkerState): Promise<void> {
    state.working = true;
    try {
      while (state.pending && !this.stopped) {
        const update = state.pending;
        state.pending = undefined;
        if (update.pod) state.pod = update.pod;
        state.cancelRequeue?.();
        state.cancelRequeue = undefined;
        try {
          await this.step(state);
        } catch (err) {
          this.o.log.warn({ pod: podRef(state), phase: state.phase, err: (err as Error).message }, 'pod worker step failed, retrying');
          this.requeue(state, WORKER_BACKOFF_MS);
        }
        this.o.onStepDone?.(state.uid, state.phase);
      }
    } finally {
      state.working = false;
    }
  }

  private async step(state: PodWorkerState): Promise<void> {
    if (state.phase === 'syncing') {
      if (!state.terminationRequested && state.pod) {
        state.cancelSync = new AbortController();
        let result;
        try {
          result = await this.o.syncer.syncPod(state.pod, state.cancelSync.signal);
        } finally {
          state.cancelSync = undefined;
        }
        if (state.terminationRequested) {
          // Killed while syncing: the next update (already pending) terminates the pod.
          return;
        }
        if (!result.terminal) {
          if (result.requeueAfterMs !== undefined) this.requeue(state, result.requeueAfterMs);
          return;
        }
        state.terminationRequested = true;
      }
      state.phase = 'terminating';
      this.o.log.info({ pod: podRef(state) }, 'pod is terminating');
    }
    if (state.phase === 'terminating') {
      await this.o.syncer.syncTerminatingPod(state.uid, state.pod, state.gracePeriodSeconds);
      state.phase = 'terminated';
    }
    if (state.phase === 'terminated' && !state.finished) {
      await this.o.syncer.syncTerminatedPod(state.uid, state.pod);
      state.finished = true;
      this.o.log.info({ pod: podRef(state) }, 'pod terminated, resources released');
    }
  }

  /** Syncs the pod again after delayMs (a back-off ending, or a failed step's retry). */
  private requeue(state: PodWorkerState, delayMs: number): void {
    state.cancelRequeue?.();
    state.cancelRequeue = this.clock.after(delayMs, () => {
      state.cancelRequeue = undefined;
      this.update({ uid: state.uid, pod: state.pod });
    });
  }
}

function podRef(state: PodWorkerState): string {
  const m = state.pod?.metadata;
  return m ? `${m.namespace}/${m.name}` : state.uid;
}
