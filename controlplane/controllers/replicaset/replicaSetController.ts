// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps spec.replicas pods
// matching the selector. It adopts matching orphans and releases pods that stopped matching,
// creates missing pods from the template in slow-start batches, deletes the least valuable
// surplus pods, and reports the pods' state in status. Expectations keep it from acting twice on
// a burst before its informer has seen the pods it just created or deleted.
import type { Logger } from 'pino';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import { selectorReqs, selects } from '../controllerUtils/selector.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, OwnerReference, ResourceClient, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { claimObjects, getControllerOf, newControllerRef, ownersSelecting, recheckOwner, resolveControllerRef } from '../controllerUtils/controllerRef.ts';
import { Expectations } from '../controllerUtils/expectations.ts';
import { keyOf, parseKey, withKind } from '../controllerUtils/keys.ts';
import { isPodActive, isPodReady, podsToDelete } from '../controllerUtils/podUtils.ts';
import { errorText, runController } from '../controllerUtils/runController.ts';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../controllerUtils/slowStart.ts';
import { calculateReplicaSetStatus, replicaSetStatusNeedsUpdate } from './replicaSetStatus.ts';

/** Upstream's BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

export type ReplicaSetControllerDeps = ControllerDeps & {
  /** The clock; tests inject one. */
  now?: () => number;
};

type RS = ReplicaSet & KubeObject;
type PodObj = Pod & KubeObject;

const RS_RESOURCE = findResource('apps', 'v1', 'replicasets')!;
const POD_RESOURCE = findResource('', 'v1', 'pods')!;

export interface ReplicaSetController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** For tests and logs. */
  readonly queue: WorkQueue<string>;
  readonly expectations: Expectations;
}

export function newReplicaSetController(deps: ReplicaSetControllerDeps): ReplicaSetController {
  return new RSController(deps);
}

class RSController implements ReplicaSetController {
  readonly queue = createWorkQueue<string>();
  readonly expectations: Expectations;
  private readonly rsInformer: Informer<RS>;
  private readonly podInformer: Informer<PodObj>;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: ReplicaSetControllerDeps) {
    this.log = deps.log.child({ controller: 'replicaset' });
    this.now = deps.now ?? Date.now;
    this.expectations = new Expectations(this.now);
    this.rsInformer = deps.informers.informerFor<RS>(RS_RESOURCE);
    this.podInformer = deps.informers.informerFor<PodObj>(POD_RESOURCE);

    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (rs) => {
        this.expectations.deleteExpectations(keyOf(rs));
        this.enqueue(rs);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController(
      { name: 'replicaset', queue: this.queue, log: this.log, informers: [this.rsInformer, this.podInformer], sync: (key) => this.syncReplicaSet(key) },
      workers,
      signal,
    );
  }

  // ---- event handlers: compute keys, enqueue, nothing else ----

  private enqueue(rs: KubeObject): void {
    this.queue.add(keyOf(rs));
  }

  /** The ReplicaSet a controller reference points at, if it is the one cached with that uid. */
  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): RS | undefined {
    return resolveControllerRef(this.rsInformer.lister, 'ReplicaSet', namespace, ref);
  }

  private addPod(pod: PodObj): void {
    if (pod.metadata.deletionTimestamp) {
      // A restarted controller may see a pod already being deleted: that is a deletion, not a creation.
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of ownersSelecting(this.rsInformer.lister, pod)) this.enqueue(rs);
  }

  private updatePod(old: PodObj, cur: PodObj): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      // A pod that just became ready is available minReadySeconds later: look again then.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(keyOf(rs), (minReady + 1) * 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of ownersSelecting(this.rsInformer.lister, cur)) this.enqueue(rs);
  }

  private deletePod(pod: PodObj): void {
    const rs = this.resolveControllerRef(pod.metadata.namespace, getControllerOf(pod));
    if (!rs) return;
    const rsKey = keyOf(rs);
    this.expectations.deletionObserved(rsKey, keyOf(pod));
    this.queue.add(rsKey);
  }

  // ---- reconcile ----

  private rsClient(namespace: string): ResourceClient<RS> {
    return this.deps.client.resource<RS>(RS_RESOURCE, namespace);
  }

  private podClient(namespace: string): ResourceClient<PodObj> {
    return this.deps.client.resource<PodObj>(POD_RESOURCE, namespace);
  }

  async syncReplicaSet(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const cached = this.rsInformer.lister.get(namespace, name);
    if (!cached) {
      this.log.debug({ key }, 'replica set has been deleted');
      this.expectations.deleteExpectations(key);
      return;
    }
    const ns = namespace!;
    const needsSync = this.expectations.satisfied(key);
    const reqs = selectorReqs(cached.spec?.selector);
    const active = this.podInformer.lister.list(ns).filter(isPodActive);
    const pods = await claimObjects(active, {
      owner: cached,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'ReplicaSet',
      children: this.podClient(ns),
      matches: (p) => selects(reqs, p.metadata.labels),
      canAdopt: recheckOwner(() => this.rsClient(ns).get(name), cached.metadata.uid),
    });

    let manageError: unknown;
    if (needsSync && !cached.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, cached, key);
      } catch (e) {
        manageError = e;
      }
    }

    const rs = structuredClone(cached);
    const status = calculateReplicaSetStatus(rs, pods, manageError, this.now());
    const updated = await this.updateStatus(rs, status);
    const replicas = updated.spec?.replicas ?? 1;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    if (!manageError && minReady > 0 && updated.status?.readyReplicas === replicas && updated.status?.availableReplicas !== replicas) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageError) throw manageError;
  }

  /** Creates or deletes pods so that `pods` (active, owned) reaches spec.replicas. */
  private async manageReplicas(pods: PodObj[], rs: RS, key: string): Promise<void> {
    const ns = rs.metadata.namespace!;
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      this.log.debug({ key, want, have: pods.length, creating: count }, 'too few replicas');
      const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, () => this.createPod(rs, ref));
      // Creations never attempted (or failed) will not be observed: stop waiting for them.
      for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, count, this.relatedPods(rs));
      this.log.debug({ key, want, have: pods.length, deleting: victims.map((p) => p.metadata.name) }, 'too many replicas');
      this.expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
      const errors: unknown[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.podClient(ns).delete(pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
            this.deps.recorder.event(withKind(rs, 'apps/v1', 'ReplicaSet'), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (e) {
            // The informer will not observe a deletion that did not happen.
            this.expectations.deletionObserved(key, keyOf(pod));
            if (!isNotFound(e)) {
              this.deps.recorder.event(withKind(rs, 'apps/v1', 'ReplicaSet'), 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
              errors.push(e);
            }
          }
        }),
      );
      if (errors.length > 0) throw errors[0];
    }
  }

  /** Active pods of the sets sharing this set's controller (the deployment's family), for ranking. */
  private relatedPods(rs: RS): PodObj[] {
    const owner = getControllerOf(rs);
    const sets = owner ? this.rsInformer.lister.byIndex('ownerUID', owner.uid) : [rs];
    const uids = new Set(sets.map((s) => s.metadata.uid));
    return this.podInformer.lister.list(rs.metadata.namespace).filter((p) => isPodActive(p) && uids.has(getControllerOf(p)?.uid ?? ''));
  }

  /** GetPodFromTemplate + CreatePods: a pod named <rs>-xxxxx, owned by the set. */
  private async createPod(rs: RS, ref: OwnerReference): Promise<void> {
    const template = rs.spec?.template ?? {};
    const pod: PodObj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: '',
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}) },
        ownerReferences: [ref],
        ...(template.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
      },
      spec: structuredClone(template.spec) as Pod['spec'],
    };
    delete (pod.metadata as { name?: string }).name;
    if (Object.keys(pod.metadata.labels!).length === 0) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.podClient(rs.metadata.namespace!).create(pod);
      this.log.debug({ rs: keyOf(rs), pod: created.metadata.name }, 'created pod');
      this.deps.recorder.event(withKind(rs, 'apps/v1', 'ReplicaSet'), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.deps.recorder.event(withKind(rs, 'apps/v1', 'ReplicaSet'), 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      throw e;
    }
  }

  /** updateReplicaSetStatus: write when changed, with one retry from a fresh read on conflict. */
  private async updateStatus(rs: RS, status: NonNullable<ReplicaSet['status']>): Promise<RS> {
    if (!replicaSetStatusNeedsUpdate(rs, status)) return rs;
    const client = this.rsClient(rs.metadata.namespace!);
    let target = rs;
    for (let attempt = 0; ; attempt++) {
      const next = structuredClone(target);
      (next as { status?: unknown }).status = { ...status, observedGeneration: target.metadata.generation };
      try {
        return await client.updateStatus(next);
      } catch (e) {
        if (attempt >= 1 || !isConflict(e)) throw e;
        target = await client.get(rs.metadata.name);
      }
    }
  }
}
