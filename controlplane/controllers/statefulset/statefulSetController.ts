// The StatefulSet controller (pkg/controller/statefulset/stateful_set.go): pods with stable names
// <set>-0..N-1, each with its own PersistentVolumeClaims, created in order and each only once its
// predecessor is Running and Ready (OrderedReady), or all at once (Parallel); scaled down from the
// highest ordinal; updated from the highest ordinal down to the partition. Templates are recorded
// as ControllerRevisions and pods carry the revision that made them.
//   statefulSetUtils.ts    — identity and storage of one pod (pure)
//   statefulSetPlan.ts     — what one sync does, as ordered steps (pure)
//   statefulSetRevisions.ts, controllerHistory.ts — the revision history
//   statefulPodControl.ts  — creating claims and pods, fixing identity, deleting, with events
import type { Logger } from 'pino';
import { findResource } from '../../api/resources.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, OwnerReference, ResourceClient, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { claimObjects, getControllerOf, ownersSelecting, recheckOwner, resolveControllerRef } from '../controllerUtils/controllerRef.ts';
import { keyOf, parseKey } from '../controllerUtils/keys.ts';
import { isPodReady } from '../controllerUtils/podUtils.ts';
import { runController } from '../controllerUtils/runController.ts';
import { slowStartBatch } from '../controllerUtils/slowStart.ts';
import { selectorReqs, selects } from '../controllerUtils/selector.ts';
import type { Revision } from './controllerHistory.ts';
import { StatefulPodControl } from './statefulPodControl.ts';
import { planStatefulSet, statefulSetStatus, statusChanged, type StatefulSetAction } from './statefulSetPlan.ts';
import { getStatefulSetRevisions, truncateHistory } from './statefulSetRevisions.ts';
import { applyRevision, isMemberOf, type PodObj, type PVC, type STS } from './statefulSetUtils.ts';

export type StatefulSetControllerDeps = ControllerDeps & {
  /** The clock; tests inject one. */
  now?: () => number;
};

const STS_RESOURCE = findResource('apps', 'v1', 'statefulsets')!;
const POD_RESOURCE = findResource('', 'v1', 'pods')!;
const PVC_RESOURCE = findResource('', 'v1', 'persistentvolumeclaims')!;
const REVISION_RESOURCE = findResource('apps', 'v1', 'controllerrevisions')!;

export interface StatefulSetController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  readonly queue: WorkQueue<string>;
}

export function newStatefulSetController(deps: StatefulSetControllerDeps): StatefulSetController {
  return new SSController(deps);
}

class SSController implements StatefulSetController {
  readonly queue = createWorkQueue<string>();
  private readonly setInformer: Informer<STS>;
  private readonly podInformer: Informer<PodObj>;
  private readonly pvcInformer: Informer<PVC>;
  private readonly revisionInformer: Informer<Revision>;
  private readonly control: StatefulPodControl;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: StatefulSetControllerDeps) {
    this.log = deps.log.child({ controller: 'statefulset' });
    this.now = deps.now ?? Date.now;
    this.setInformer = deps.informers.informerFor<STS>(STS_RESOURCE);
    this.podInformer = deps.informers.informerFor<PodObj>(POD_RESOURCE);
    this.pvcInformer = deps.informers.informerFor<PVC>(PVC_RESOURCE);
    this.revisionInformer = deps.informers.informerFor<Revision>(REVISION_RESOURCE);
    this.control = new StatefulPodControl({
      pods: (ns) => deps.client.resource<PodObj>(POD_RESOURCE, ns),
      claims: (ns) => deps.client.resource<PVC>(PVC_RESOURCE, ns),
      claimLister: this.pvcInformer.lister,
      recorder: deps.recorder,
      log: this.log,
    });

    this.setInformer.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (s) => this.enqueue(s),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onPod(pod),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) {
          const s = this.resolveControllerRef(old.metadata.namespace, oldRef);
          if (s) this.enqueue(s);
        }
        this.onPod(cur);
        // A pod that just became ready is available minReadySeconds later: look again then.
        const s = this.resolveControllerRef(cur.metadata.namespace, getControllerOf(cur));
        const minReady = s?.spec?.minReadySeconds ?? 0;
        if (s && minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(keyOf(s), (minReady + 1) * 1000);
      },
      onDelete: (pod) => this.onPod(pod),
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController(
      {
        name: 'statefulset',
        queue: this.queue,
        log: this.log,
        informers: [this.setInformer, this.podInformer, this.pvcInformer, this.revisionInformer],
        sync: (key) => this.syncStatefulSet(key),
      },
      workers,
      signal,
    );
  }

  // ---- event handlers: compute keys, enqueue, nothing else ----

  private enqueue(s: KubeObject): void {
    this.queue.add(keyOf(s));
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): STS | undefined {
    return resolveControllerRef(this.setInformer.lister, 'StatefulSet', namespace, ref);
  }

  /** A pod changed: its set looks again; an orphan wakes every set that could adopt it. */
  private onPod(pod: PodObj): void {
    const ref = getControllerOf(pod);
    if (ref) {
      const s = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (s) this.enqueue(s);
      return;
    }
    for (const s of ownersSelecting(this.setInformer.lister, pod)) if (isMemberOf(s, pod)) this.enqueue(s);
  }

  // ---- reconcile ----

  private setClient(ns: string): ResourceClient<STS> {
    return this.deps.client.resource<STS>(STS_RESOURCE, ns);
  }

  private revisionClient(ns: string): ResourceClient<Revision> {
    return this.deps.client.resource<Revision>(REVISION_RESOURCE, ns);
  }

  async syncStatefulSet(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const cached = this.setInformer.lister.get(namespace, name);
    if (!cached) {
      this.log.debug({ key }, 'stateful set has been deleted');
      return;
    }
    const ns = namespace!;
    const set = structuredClone(cached);
    const reqs = selectorReqs(set.spec?.selector);
    const claimOpts = {
      owner: cached,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'StatefulSet',
      canAdopt: recheckOwner(() => this.setClient(ns).get(name), cached.metadata.uid),
    };
    // adoptOrphanRevisions, then getPodsForStatefulSet (only pods named after the set may be adopted).
    const revisions = await claimObjects(this.revisionInformer.lister.list(ns), {
      ...claimOpts,
      children: this.revisionClient(ns),
      matches: (r) => selects(reqs, r.metadata.labels),
    });
    const pods = await claimObjects(this.podInformer.lister.list(ns), {
      ...claimOpts,
      children: this.deps.client.resource<PodObj>(POD_RESOURCE, ns),
      matches: (p) => selects(reqs, p.metadata.labels) && isMemberOf(set, p),
    });

    const { current, update, collisionCount } = await getStatefulSetRevisions(this.revisionClient(ns), set, revisions);
    const updateSet = applyRevision(set, update);
    const plan = planStatefulSet({
      set,
      currentSet: applyRevision(set, current),
      updateSet,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      pods,
      now: this.now(),
    });
    if (plan.waiting) this.log.debug({ key, waiting: plan.waiting }, 'stateful set is waiting');

    // Steps in order; the actions of one step in slow-start batches (Parallel); stop at a failure.
    let actError: unknown;
    for (const step of plan.steps) {
      let next = 0;
      const { error } = await slowStartBatch(step.length, 1, () => this.act(set, updateSet, step[next++]!));
      if (error) {
        actError = error;
        break;
      }
    }

    // The status is written even when an action failed (performUpdate).
    const status = statefulSetStatus(set, plan.counts, current.metadata.name, update.metadata.name, collisionCount);
    const updated = await this.updateStatus(set, status);
    await truncateHistory(this.revisionClient(ns), set, revisions, pods, [current.metadata.name, update.metadata.name]);
    if (actError) throw actError;

    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (updated.status?.readyReplicas ?? 0) !== (updated.status?.availableReplicas ?? 0)) {
      this.queue.addAfter(key, minReady * 1000);
    }
  }

  private async act(set: STS, updateSet: STS, a: StatefulSetAction): Promise<void> {
    switch (a.type) {
      case 'create':
        return this.control.createPod(set, a.pod);
      case 'createMissingClaims':
        return this.control.createMissingClaims(set, a.pod);
      case 'updateIdentity':
        return this.control.updatePod(updateSet, a.pod);
      case 'delete':
        this.log.debug({ set: keyOf(set), pod: a.pod.metadata.name, why: a.why }, 'deleting pod');
        return this.control.deletePod(set, a.pod);
    }
  }

  /** Writes the status when it changed, with one retry from a fresh read on conflict. */
  private async updateStatus(set: STS, status: NonNullable<STS['status']>): Promise<STS> {
    if (!statusChanged(set, status)) return set;
    const client = this.setClient(set.metadata.namespace!);
    let target = set;
    for (let attempt = 0; ; attempt++) {
      const next = structuredClone(target);
      next.status = { ...next.status, ...status };
      try {
        return await client.updateStatus(next);
      } catch (e) {
        if (isNotFound(e)) return set;
        if (attempt >= 1 || !isConflict(e)) throw e;
        target = await client.get(set.metadata.name);
      }
    }
  }
}
