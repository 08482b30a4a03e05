// The status manager (upstream pkg/kubelet/status/status_manager.go): the kubelet's pod workers
// report each pod's status here as often as they like; this keeps a versioned cache and sends a
// status to the API server only when it changed, from one loop fed by a change channel plus a
// periodic full sync that heals anything missed (a failed PATCH, a status someone else wrote).
// It also makes the kubelet's final delete: a pod marked for deletion whose resources the pod
// workers have reclaimed is deleted with grace period 0.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { realClock, type Clock } from '../prober/clock.ts';
import { isNotFound } from '../../../controlplane/client/index.ts';
import { mergePodStatus, nextStatus, statusEqual, terminatedStatus } from './podStatus.ts';

/** Upstream syncPeriod: every cached status is checked against the API server this often. */
export const STATUS_SYNC_PERIOD_MS = 10_000;

/** What the status manager needs of the API server. */
export interface PodStatusApi {
  /** The pod as last seen (the informer's cache); undefined if gone. */
  getPod(namespace: string, name: string): Pod | undefined;
  /** PATCH pods/status; returns the updated pod. */
  patchStatus(namespace: string, name: string, uid: string, status: PodStatus): Promise<Pod>;
  /** DELETE with gracePeriodSeconds 0 and a UID precondition. */
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
}

interface VersionedStatus {
  status: PodStatus;
  /** Bumped on every change the kubelet reports. */
  version: number;
  namespace: string;
  name: string;
}

export interface StatusManagerOptions {
  api: PodStatusApi;
  log: Logger;
  clock?: Clock;
  syncPeriodMs?: number;
  /** Upstream PodDeletionSafetyProvider: nothing of the pod runs any more and its volumes are released. */
  podResourcesReclaimed(uid: string): boolean;
}

export class StatusManager {
  private readonly statuses = new Map<string, VersionedStatus>();
  /** The version last written to the API server (upstream apiStatusVersions). */
  private readonly sent = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private wake: (() => void) | undefined;
  private readonly clock: Clock;

  constructor(private readonly o: StatusManagerOptions) {
    this.clock = o.clock ?? realClock;
  }

  getPodStatus(uid: string): PodStatus | undefined {
    return this.statuses.get(uid)?.status;
  }

  /** Upstream SetPodStatus: caches the status if it differs, and asks the loop to send it. */
  setPodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    const cached = this.statuses.get(uid);
    const previous = cached?.status ?? pod.status;
    const next = nextStatus(previous, status, this.clock.now());
    if (cached && statusEqual(cached.status, next)) return;
    this.statuses.set(uid, { status: next, version: (cached?.version ?? 0) + 1, namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '' });
    this.requestSync(uid);
  }

  /** Upstream TerminatePod: the pod's last status, with every container ended. */
  terminatePod(pod: Pod, status?: PodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    const base = status ?? this.statuses.get(uid)?.status ?? pod.status ?? {};
    this.setPodStatus(pod, terminatedStatus(base, this.clock.now()));
  }

  /** Something about the pod changed that the loop should act on (e.g. it may now be deleted). */
  requestSync(uid: string): void {
    this.dirty.add(uid);
    this.wake?.();
  }

  /** Forgets pods that are no longer known (upstream RemoveOrphanedStatuses). */
  removeOrphanedStatuses(known: Set<string>): void {
    for (const uid of this.statuses.keys()) {
      if (!known.has(uid)) {
        this.statuses.delete(uid);
        this.sent.delete(uid);
      }
    }
  }

  /** The loop: a change, or the sync period, whichever comes first. */
  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.syncPeriodMs ?? STATUS_SYNC_PERIOD_MS;
    let nextFull = this.clock.now().getTime() + period;
    while (!signal.aborted) {
      const full = this.clock.now().getTime() >= nextFull;
      if (full) nextFull = this.clock.now().getTime() + period;
      await this.syncBatch(full);
      await this.waitForChange(signal, Math.max(0, nextFull - this.clock.now().getTime()));
    }
  }

  /** One pass: the changed pods, or (full) every cached pod. */
  async syncBatch(full: boolean): Promise<void> {
    const uids = full ? new Set([...this.statuses.keys(), ...this.dirty]) : new Set(this.dirty);
    this.dirty.clear();
    for (const uid of uids) {
      try {
        await this.syncPod(uid, full);
      } catch (err) {
        this.o.log.warn({ uid, err: (err as Error).message }, 'failed to update pod status, will retry');
        // The next full sync tries again.
      }
    }
  }

  private waitForChange(signal: AbortSignal, ms: number): Promise<void> {
    if (this.dirty.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const cancel = this.clock.after(ms, done);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** Upstream syncPod: send the cached status if newer than what was sent or different from the API's. */
  private async syncPod(uid: string, reconcile: boolean): Promise<void> {
    const cached = this.statuses.get(uid);
    if (!cached) return;
    const pod = this.o.api.getPod(cached.namespace, cached.name);
    if (!pod || pod.metadata?.uid !== uid) {
      // Deleted (or replaced by a pod of the same name): nothing to report any more.
      if (!pod) this.statuses.delete(uid);
      return;
    }
    const merged = mergePodStatus(pod.status, cached.status);
    const newer = (this.sent.get(uid) ?? 0) < cached.version;
    // Upstream needsReconcile: the API object drifted from what the kubelet last said. (Right after
    // a PATCH the informer may still hold the older object: at worst one idempotent PATCH more.)
    const drifted = reconcile && !statusEqual(pod.status, merged);
    if ((newer || drifted) && !statusEqual(pod.status, merged)) {
      await this.o.api.patchStatus(cached.namespace, cached.name, uid, merged);
      this.o.log.debug({ pod: `${cached.namespace}/${cached.name}`, version: cached.version, phase: merged.phase }, 'pod status sent');
    }
    this.sent.set(uid, cached.version);
    await this.deleteIfReclaimed(uid, pod);
  }

  /** Upstream canBeDeleted + the final delete: only once nothing of the pod is left on the node. */
  private async deleteIfReclaimed(uid: string, pod: Pod): Promise<void> {
    if (!pod.metadata?.deletionTimestamp || !this.o.podResourcesReclaimed(uid)) return;
    try {
      await this.o.api.deletePod(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', uid);
      this.o.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod deleted from the API server');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.statuses.delete(uid);
    this.sent.delete(uid);
  }

  /** Pods whose status waits to be sent or deleted (tests). */
  pendingUids(): string[] {
    return [...this.dirty];
  }
}
