// The kubelet's pod loop (upstream pkg/kubelet/kubelet.go syncLoop, SyncPod,
// SyncTerminatingPod, SyncTerminatedPod, HandlePodCleanups). Everything that may mean "a pod
// should look different" only asks that pod's worker to sync:
//
//   informer (pods bound to this node)  add / update / delete
//   PLEG (relist of the runtime)        a container started or died
//   prober                              a readiness/liveness/startup result changed
//   resync every 10 s                   every pod, in case anything was missed
//
// and the worker (podworkers/) calls back here to converge one pod: the runtime manager does the
// work, this file turns the outcome into a status for the status manager (status/). Housekeeping
// every 2 s finds pods the runtime still runs but the API server no longer has (deleted while
// the kubelet was down, force-deleted) and kills them.
//
// A pod seen for the first time is admitted first (admission/): one that cannot run here — its
// hostPort is taken by another active pod — is rejected: Failed, with the predicate as reason,
// and its worker only goes through termination.
//
// A restarted kubelet adopts its pods: the pod workers start only after the pod informer has
// synced, and syncPod reads the runtime before acting, so a pod whose containers still run is
// found running — nothing is created twice.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Informer, KubeObject } from '../../controlplane/client/index.ts';
import type { CriClient } from './cri/index.ts';
import { admitPod, byCreationTime, REJECTED_MESSAGE_PREFIX } from './admission/podAdmission.ts';
import { GenericPleg, type ObjectLookup, type PodEventRecorder, type PodLifecycleEvent, type RuntimeManager, type VolumeManager } from './runtime/index.ts';
import { podQOSClass } from './runtime/resources.ts';
import { realClock, type Clock } from './prober/clock.ts';
import { podsDifferSemantically } from './podSource.ts';
import { isTerminationRequested, PodWorkers, WORKER_BACKOFF_MS, type PodSyncer } from './podworkers/podWorkers.ts';
import { StatusManager } from './status/statusManager.ts';
import { isTerminalPhase, updateReadyConditions } from './status/podStatus.ts';
import { parseContainerId, type ProbeManager } from './prober/index.ts';
import type { PodStatusApi } from './status/statusManager.ts';
import type { VolumeManager as PodVolumeDirs } from './volumes/index.ts';

/** Upstream --sync-frequency is 1 min; 10 s here so a missed event heals while a learner watches. */
export const POD_RESYNC_PERIOD_MS = 10_000;
/** Upstream housekeepingPeriod. */
export const HOUSEKEEPING_PERIOD_MS = 2_000;

type KubePod = Pod & KubeObject;

/** What the kubelet uses of the prober (upstream prober.Manager). */
export type KubeletProber = Pick<ProbeManager, 'addPod' | 'removePod' | 'stopLivenessAndStartup' | 'updatePodStatus' | 'subscribe' | 'cleanupPods' | 'stop' | 'containerStarted' | 'containerReady' | 'readiness'>;

export interface KubeletOptions {
  nodeName: string;
  cri: CriClient;
  runtime: RuntimeManager;
  volumes: VolumeManager;
  lookup: ObjectLookup;
  /** The pods bound to this node (see podSource.ts). */
  pods: Informer<KubePod>;
  statusApi: PodStatusApi;
  prober?: KubeletProber;
  /** Removes the directories (and volumes) of pods no longer known (upstream cleanupOrphanedPodDirs). */
  podDirs?: Pick<PodVolumeDirs, 'cleanupOrphans'>;
  /** Events about pods the kubelet rejects at admission. */
  recorder?: PodEventRecorder;
  log: Logger;
  clock?: Clock;
}

const UID_INDEX = 'uid';

export class Kubelet implements PodSyncer {
  readonly podWorkers: PodWorkers;
  readonly statusManager: StatusManager;
  readonly pleg: GenericPleg;
  private readonly log: Logger;
  private readonly clock: Clock;
  /** Pods rejected at admission, with the Failed status they keep (upstream rejectPod). */
  private readonly rejected = new Map<string, PodStatus>();

  constructor(private readonly o: KubeletOptions) {
    this.log = o.log;
    this.clock = o.clock ?? realClock;
    this.podWorkers = new PodWorkers({
      syncer: this,
      log: o.log.child({ part: 'podWorkers' }),
      clock: this.clock,
      // A pod that just finished terminating may now be deleted from the API server.
      onStepDone: (uid, phase) => {
        if (phase === 'terminated') this.statusManager.requestSync(uid);
      },
    });
    this.statusManager = new StatusManager({
      api: o.statusApi,
      log: o.log.child({ part: 'statusManager' }),
      clock: this.clock,
      podResourcesReclaimed: (uid) => this.podWorkers.isReclaimed(uid),
    });
    this.pleg = new GenericPleg(o.cri, (events) => this.onPlegEvents(events));
    o.pods.addIndex(UID_INDEX, (p) => (p.metadata.uid ? [p.metadata.uid] : []));
  }

  /**
   * Runs until the signal aborts. The pod informer must be running; the loop starts once it has
   * synced. On shutdown the pods keep running, as upstream's kubelet leaves them.
   */
  async run(signal: AbortSignal): Promise<void> {
    await waitUntil(() => this.o.pods.hasSynced(), signal);
    if (signal.aborted) return;
    // The pods already bound are admitted oldest first, as upstream HandlePodAdditions orders
    // them; the informer's replay below then finds each either admitted or rejected.
    const admitted: KubePod[] = [];
    for (const pod of [...this.o.pods.lister.list()].sort(byCreationTime)) {
      if (pod.spec?.nodeName !== this.o.nodeName || isTerminationRequested(pod)) continue;
      if (this.admit(pod, admitted)) admitted.push(pod);
    }
    this.o.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (old, pod) => {
        if (podsDifferSemantically(old, pod)) this.podChanged(pod);
      },
      onDelete: (pod) => this.podRemoved(pod),
    });
    // A probe result that changed is a reason to sync (readiness → status, liveness → restart).
    this.o.prober?.subscribe((_, update) => this.syncByUid(update.podUid));
    // The first relist reports everything the runtime runs: pods of the API are adopted by
    // their workers, the rest are orphans and removed (syncByUid).
    this.pleg.start((err) => this.log.warn({ err: (err as Error).message }, 'PLEG relist failed'));
    const statusLoop = this.statusManager.run(signal);
    const resync = setInterval(() => this.resyncAll(), POD_RESYNC_PERIOD_MS);
    const housekeeping = setInterval(() => void this.housekeeping().catch((err) => this.log.warn({ err: (err as Error).message }, 'housekeeping failed')), HOUSEKEEPING_PERIOD_MS);
    this.log.info({ node: this.o.nodeName, pods: this.o.pods.lister.list().length }, 'kubelet pod loop started');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(resync);
    clearInterval(housekeeping);
    this.pleg.stop();
    this.podWorkers.stop();
    await this.o.prober?.stop();
    await statusLoop;
  }

  // ---- what asks for a sync ----

  private podChanged(pod: KubePod): void {
    const uid = pod.metadata.uid ?? '';
    if (pod.spec?.nodeName !== this.o.nodeName) {
      // Bound elsewhere (cannot happen through the field selector, but a cache is not a promise).
      this.podWorkers.update({ uid, pod, kill: true });
      return;
    }
    if (!this.podWorkers.phaseOf(uid) && !this.rejected.has(uid) && !isTerminationRequested(pod)) this.admit(pod);
    // A rejected pod never runs: its worker only terminates it, so it can be deleted.
    this.podWorkers.update({ uid, pod, kill: this.rejected.has(uid) || undefined });
    if (pod.metadata.deletionTimestamp) this.statusManager.requestSync(uid);
  }

  /** Upstream HandlePodAdditions → canAdmitPod → rejectPod. */
  private admit(pod: KubePod, activePods = this.activePods()): boolean {
    const uid = pod.metadata.uid ?? '';
    const verdict = admitPod(pod, activePods);
    if (verdict.admit) return true;
    this.log.info({ pod: podRef(pod), reason: verdict.reason, message: verdict.message }, 'pod rejected at admission');
    this.o.recorder?.event(pod, 'Warning', verdict.reason, verdict.message);
    const status: PodStatus = { phase: 'Failed', reason: verdict.reason, message: REJECTED_MESSAGE_PREFIX + verdict.message, qosClass: podQOSClass(pod) };
    this.rejected.set(uid, status);
    this.statusManager.setPodStatus(pod, status);
    return false;
  }

  /**
   * Upstream filterOutInactivePods over the admitted pods: those whose worker runs or is still
   * terminating them (a terminating pod keeps its ports until its containers are gone).
   */
  private activePods(): KubePod[] {
    return this.o.pods.lister.list().filter((p) => {
      const uid = p.metadata.uid ?? '';
      return this.podWorkers.phaseOf(uid) !== undefined && !this.podWorkers.isReclaimed(uid) && !this.rejected.has(uid);
    });
  }

  /** Gone from the API server (our final delete, a force delete, or unbound): stop what runs. */
  private podRemoved(pod: KubePod): void {
    this.podWorkers.update({ uid: pod.metadata.uid ?? '', pod, kill: true });
  }

  private onPlegEvents(events: PodLifecycleEvent[]): void {
    for (const uid of new Set(events.filter((e) => e.type !== 'ContainerRemoved').map((e) => e.podUid))) this.syncByUid(uid);
  }

  private syncByUid(uid: string): void {
    const pod = this.podByUid(uid);
    if (pod) this.podWorkers.update({ uid, pod });
    else if (this.podWorkers.phaseOf(uid)) this.podWorkers.update({ uid });
    else {
      this.log.info({ uid }, 'the runtime runs a pod the API server no longer has: removing it');
      this.podWorkers.update({ uid, kill: true });
    }
  }

  private podByUid(uid: string): KubePod | undefined {
    return this.o.pods.lister.byIndex(UID_INDEX, uid)[0];
  }

  private resyncAll(): void {
    for (const pod of this.o.pods.lister.list()) this.podChanged(pod);
  }

  /** Upstream HandlePodCleanups: orphans killed, finished workers of vanished pods forgotten. */
  async housekeeping(): Promise<void> {
    const known = new Set(this.o.pods.lister.list().map((p) => p.metadata.uid ?? ''));
    for (const uid of this.rejected.keys()) if (!known.has(uid) && !this.podWorkers.phaseOf(uid)) this.rejected.delete(uid);
    for (const uid of this.podWorkers.knownUids()) {
      if (known.has(uid)) continue;
      if (this.podWorkers.isReclaimed(uid)) this.podWorkers.forget(uid);
      else if (!this.podWorkers.isTerminationRequested(uid)) this.podWorkers.update({ uid, kill: true });
    }
    this.statusManager.removeOrphanedStatuses(new Set([...known, ...this.podWorkers.knownUids()]));
    this.o.prober?.cleanupPods(new Set([...known].filter((uid) => !this.podWorkers.isTerminationRequested(uid))));
    const runtimePods = await this.o.runtime.listPods();
    for (const running of runtimePods) {
      if (known.has(running.uid) || this.podWorkers.phaseOf(running.uid)) continue;
      this.log.info({ pod: `${running.namespace}/${running.name}`, uid: running.uid }, 'removing a pod the API server no longer has');
      this.podWorkers.update({ uid: running.uid, kill: true });
    }
    // Directories of pods that are gone everywhere — the API, the workers and the runtime — go
    // with their volumes (upstream cleanupOrphanedPodDirs; the pods' own teardown usually got there first).
    if (this.o.podDirs) {
      const active = new Set([...known, ...this.podWorkers.knownUids(), ...runtimePods.map((p) => p.uid)]);
      const { removed, failed } = await this.o.podDirs.cleanupOrphans(active);
      if (removed.length > 0) this.log.info({ uids: removed }, 'removed orphaned pod directories');
      for (const f of failed) this.log.warn({ uid: f.uid, err: f.error }, 'cannot remove an orphaned pod directory');
    }
  }

  // ---- the pod worker's three steps ----

  async syncPod(pod: Pod, signal?: AbortSignal): Promise<{ requeueAfterMs?: number; terminal?: boolean }> {
    const result = await this.o.runtime.syncPod(pod, this.o.lookup, signal);
    this.o.prober?.addPod(pod);
    const status = await this.generateStatus(pod);
    this.statusManager.setPodStatus(pod, status);
    if (result.error) this.log.warn({ pod: podRef(pod), err: result.error }, 'pod sync failed');
    const changed = result.started.length > 0 || result.killed.length > 0;
    this.log[changed ? 'info' : 'debug']({ pod: podRef(pod), started: result.started, killed: result.killed, phase: status.phase }, 'pod synced');
    // A failed sandbox or mount is retried after the worker back-off (upstream returns the error).
    const requeueAfterMs = result.error ? Math.min(result.requeueAfterMs ?? Infinity, WORKER_BACKOFF_MS) : result.requeueAfterMs;
    return { requeueAfterMs, terminal: isTerminalPhase(status.phase) };
  }

  async syncTerminatingPod(uid: string, pod: Pod | undefined, gracePeriodSeconds: number | undefined): Promise<void> {
    if (!pod) {
      // An orphan: no API object to report on, nothing to keep.
      await this.o.runtime.removePod(uid);
      return;
    }
    this.o.prober?.stopLivenessAndStartup(pod);
    // A rejected pod keeps the status it was rejected with.
    const status = this.rejected.get(uid) ?? (await this.generateStatus(pod));
    const stillWanted = !pod.metadata?.deletionTimestamp && this.podByUid(uid) !== undefined;
    if (isTerminalPhase(status.phase) && stillWanted) {
      // Ran to completion and is still in the API: one more sync stops the sandbox (nothing is
      // left to start); the exited containers stay for `kubectl logs` until the pod is deleted.
      await this.o.runtime.syncPod(pod, this.o.lookup);
    } else {
      this.log.info({ pod: podRef(pod), gracePeriodSeconds }, 'killing pod');
      await this.o.runtime.killPod(pod, gracePeriodSeconds);
    }
    this.o.prober?.removePod(pod);
    this.statusManager.terminatePod(pod, status);
  }

  async syncTerminatedPod(uid: string, pod: Pod | undefined): Promise<void> {
    await this.o.volumes.unmountPodVolumes(uid);
    const stillWanted = pod !== undefined && !pod.metadata?.deletionTimestamp && this.podByUid(uid) !== undefined;
    // Containers, sandboxes, the pod's directory and logs go with the API object.
    if (!stillWanted) await this.o.runtime.removePod(uid);
  }

  /** The pod's status as the kubelet sees it now (upstream generateAPIPodStatus). */
  private async generateStatus(pod: Pod): Promise<PodStatus> {
    const uid = pod.metadata?.uid ?? '';
    // The last status the kubelet reported is the "before" for transition times.
    const previous = this.statusManager.getPodStatus(uid) ?? pod.status;
    const withCached = { ...pod, status: previous };
    const prober = this.o.prober;
    const probes = prober && {
      started: (name: string, id: string) => prober.containerStarted(uid, name, id),
      ready: (name: string, id: string) => prober.containerReady(uid, name, id),
    };
    const status = this.o.runtime.apiPodStatus(withCached, await this.o.runtime.getPodStatus(uid), probes);
    if (!prober) return status;
    // containerStatuses[].started/ready from the probe results, then the Ready conditions.
    prober.updatePodStatus(uid, status);
    keepReadinessUntilFirstProbe(status, previous, (id) => prober.readiness.get(id) !== undefined);
    return updateReadyConditions(status);
  }
}

/**
 * A container the kubelet adopted after a restart keeps the readiness it last reported until its
 * readiness probe gives a first result, so a kubelet restart does not take every pod out of its
 * Services' endpoints (upstream keeps it through the status manager's cached status). Only the
 * same container id counts: a restarted container starts unready.
 */
export function keepReadinessUntilFirstProbe(status: PodStatus, previous: PodStatus | undefined, hasReadinessResult: (containerId: string) => boolean): void {
  for (const c of status.containerStatuses ?? []) {
    if (c.ready || !c.started || !c.state?.running || !c.containerID) continue;
    const before = previous?.containerStatuses?.find((p) => p.name === c.name);
    if (before?.ready && before.containerID === c.containerID && !hasReadinessResult(parseContainerId(c.containerID))) c.ready = true;
  }
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/** Informer sync poll, as cache.WaitForCacheSync (100 ms). */
async function waitUntil(ok: () => boolean, signal: AbortSignal): Promise<void> {
  while (!ok() && !signal.aborted) await new Promise((r) => setTimeout(r, 100));
}
