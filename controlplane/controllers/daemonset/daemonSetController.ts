// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go, update.go): one pod on
// every node the pod template fits — by nodeSelector, required node affinity, and taints against
// tolerations (plus the default tolerations every daemon pod gets). Each pod is pinned to its node
// by node affinity and placed by the scheduler. Templates are recorded as ControllerRevisions;
// RollingUpdate replaces old pods node by node within maxUnavailable, OnDelete waits for the user.
//   daemonSetUtils.ts    — node eligibility, tolerations, node pinning (pure)
//   daemonSetPlan.ts     — what to create and delete, rolling update, status counts (pure)
//   daemonSetHistory.ts  — the revision history;  failedPodBackoff.ts — failed pod back-off
import type { Logger } from 'pino';
import { findResource } from '../../api/resources.ts';
import { matchesLabels } from '../../api/selectors.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, OwnerReference, ResourceClient, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { claimObjects, getControllerOf, newControllerRef, ownersSelecting, recheckOwner, resolveControllerRef } from '../controllerUtils/controllerRef.ts';
import { Expectations } from '../controllerUtils/expectations.ts';
import { keyOf, parseKey, withKind } from '../controllerUtils/keys.ts';
import { isPodReady } from '../controllerUtils/podUtils.ts';
import { errorText, runController } from '../controllerUtils/runController.ts';
import { selectorReqs } from '../controllerUtils/selector.ts';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../controllerUtils/slowStart.ts';
import type { Revision } from '../statefulset/controllerHistory.ts';
import { constructHistory, revisionHash, revisionsToCleanUp } from './daemonSetHistory.ts';
import { daemonSetStatusCounts, planManage, planRollingUpdate, podsByNode } from './daemonSetPlan.ts';
import { daemonPodTemplate, nodeShouldRunDaemonPod, pinToNode, type DS, type NodeObj, type PodObj } from './daemonSetUtils.ts';
import { FailedPodBackoff } from './failedPodBackoff.ts';

/** Upstream's BurstReplicas for DaemonSets: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 250;
/** Upstream's StatusUpdateRetries. */
const STATUS_UPDATE_RETRIES = 1;

export type DaemonSetControllerDeps = ControllerDeps & {
  /** The clock; tests inject one. */
  now?: () => number;
};

const DS_RESOURCE = findResource('apps', 'v1', 'daemonsets')!;
const POD_RESOURCE = findResource('', 'v1', 'pods')!;
const NODE_RESOURCE = findResource('', 'v1', 'nodes')!;
const REVISION_RESOURCE = findResource('apps', 'v1', 'controllerrevisions')!;

export interface DaemonSetController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  readonly queue: WorkQueue<string>;
}

export function newDaemonSetController(deps: DaemonSetControllerDeps): DaemonSetController {
  return new DSController(deps);
}

class DSController implements DaemonSetController {
  readonly queue = createWorkQueue<string>();
  // Creations and deletions are awaited separately: one sync may ask for both.
  private readonly creations: Expectations;
  private readonly deletions: Expectations;
  private readonly backoff: FailedPodBackoff;
  private readonly dsInformer: Informer<DS>;
  private readonly podInformer: Informer<PodObj>;
  private readonly nodeInformer: Informer<NodeObj>;
  private readonly revisionInformer: Informer<Revision>;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: DaemonSetControllerDeps) {
    this.log = deps.log.child({ controller: 'daemonset' });
    this.now = deps.now ?? Date.now;
    this.creations = new Expectations(this.now);
    this.deletions = new Expectations(this.now);
    this.backoff = new FailedPodBackoff(this.now);
    this.dsInformer = deps.informers.informerFor<DS>(DS_RESOURCE);
    this.podInformer = deps.informers.informerFor<PodObj>(POD_RESOURCE);
    this.nodeInformer = deps.informers.informerFor<NodeObj>(NODE_RESOURCE);
    this.revisionInformer = deps.informers.informerFor<Revision>(REVISION_RESOURCE);

    this.dsInformer.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (ds) => {
        this.creations.deleteExpectations(keyOf(ds));
        this.deletions.deleteExpectations(keyOf(ds));
        this.enqueue(ds);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
    this.nodeInformer.addEventHandler({
      onAdd: (node) => {
        for (const ds of this.dsInformer.lister.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
      },
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        for (const ds of this.dsInformer.lister.list()) {
          const a = nodeShouldRunDaemonPod(old, ds);
          const b = nodeShouldRunDaemonPod(cur, ds);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
        }
      },
      // The node's pods stay until the pod GC removes them; the counts change now.
      onDelete: () => {
        for (const ds of this.dsInformer.lister.list()) this.enqueue(ds);
      },
    });
    this.revisionInformer.addEventHandler({
      onAdd: (r) => this.onRevision(r),
      onUpdate: (_old, cur) => this.onRevision(cur),
      onDelete: (r) => this.onRevision(r),
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    const gc = setInterval(() => this.backoff.gc(), 60_000);
    signal.addEventListener('abort', () => clearInterval(gc), { once: true });
    return runController(
      {
        name: 'daemonset',
        queue: this.queue,
        log: this.log,
        informers: [this.dsInformer, this.podInformer, this.nodeInformer, this.revisionInformer],
        sync: (key) => this.syncDaemonSet(key),
      },
      workers,
      signal,
    );
  }

  // ---- event handlers: compute keys, enqueue, nothing else ----

  private enqueue(ds: KubeObject): void {
    this.queue.add(keyOf(ds));
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): DS | undefined {
    return resolveControllerRef(this.dsInformer.lister, 'DaemonSet', namespace, ref);
  }

  private onRevision(r: Revision): void {
    const ds = this.resolveControllerRef(r.metadata.namespace, getControllerOf(r));
    if (ds) this.enqueue(ds);
  }

  private addPod(pod: PodObj): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!ds) return;
      this.creations.creationObserved(keyOf(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of ownersSelecting(this.dsInformer.lister, pod)) this.enqueue(ds);
  }

  private updatePod(old: PodObj, cur: PodObj): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) return this.deletePod(cur);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(keyOf(ds), (minReady + 1) * 1000);
      return;
    }
    for (const ds of ownersSelecting(this.dsInformer.lister, cur)) this.enqueue(ds);
  }

  private deletePod(pod: PodObj): void {
    const ds = this.resolveControllerRef(pod.metadata.namespace, getControllerOf(pod));
    if (!ds) return;
    this.deletions.deletionObserved(keyOf(ds), keyOf(pod));
    this.enqueue(ds);
  }

  // ---- reconcile ----

  private dsClient(ns: string): ResourceClient<DS> {
    return this.deps.client.resource<DS>(DS_RESOURCE, ns);
  }

  private podClient(ns: string): ResourceClient<PodObj> {
    return this.deps.client.resource<PodObj>(POD_RESOURCE, ns);
  }

  private event(ds: DS, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event(withKind(ds, 'apps/v1', 'DaemonSet'), type, reason, message);
  }

  private satisfied(key: string): boolean {
    return this.creations.satisfied(key) && this.deletions.satisfied(key);
  }

  async syncDaemonSet(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const cached = this.dsInformer.lister.get(namespace, name);
    if (!cached) {
      this.log.debug({ key }, 'daemon set has been deleted');
      this.creations.deleteExpectations(key);
      this.deletions.deleteExpectations(key);
      return;
    }
    const ns = namespace!;
    const ds = structuredClone(cached);
    const reqs = selectorReqs(ds.spec?.selector);
    if (reqs.length === 0) {
      this.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Being deleted: the garbage collector removes the pods.
    if (ds.metadata.deletionTimestamp) return;

    const claimOpts = { owner: cached, ownerApiVersion: 'apps/v1', ownerKind: 'DaemonSet', canAdopt: recheckOwner(() => this.dsClient(ns).get(name), cached.metadata.uid) };
    const revisionClient = this.deps.client.resource<Revision>(REVISION_RESOURCE, ns);
    const revisions = await claimObjects(this.revisionInformer.lister.list(ns), { ...claimOpts, children: revisionClient, matches: (r) => matchesLabels(reqs, r.metadata.labels) });
    const pods = await claimObjects(this.podInformer.lister.list(ns), { ...claimOpts, children: this.podClient(ns), matches: (p) => matchesLabels(reqs, p.metadata.labels) });
    const history = await constructHistory(
      { revisions: revisionClient, pods: this.podClient(ns), bumpCollisionCount: (d) => this.bumpCollisionCount(d) },
      ds,
      revisions,
      pods,
    );
    const hash = revisionHash(history.current);
    const nodes = this.nodeInformer.lister.list();

    if (!this.satisfied(key)) {
      // Still waiting to see earlier creations or deletions: only report.
      await this.updateStatus(ds, nodes, hash, false);
      return;
    }

    let syncError: unknown;
    try {
      const byNode = podsByNode(pods);
      const plan = planManage(ds, nodes, byNode);
      const victims = [...plan.delete, ...this.failedPodsToDelete(ds, plan.failed)];
      if (plan.create.length || victims.length) {
        this.log.debug({ key, create: plan.create, delete: victims.map((p) => p.metadata.name), skipped: Object.fromEntries(plan.skipped) }, 'syncing nodes');
        await this.syncNodes(ds, key, victims, plan.create, hash);
      } else if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const old = planRollingUpdate(ds, nodes, byNode, hash, this.now());
        if (old.length) await this.syncNodes(ds, key, old, [], hash);
      }
      for (const r of revisionsToCleanUp(ds, history.old, pods)) {
        await revisionClient.delete(r.metadata.name).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      }
    } catch (e) {
      syncError = e;
    }
    await this.updateStatus(ds, nodes, hash, true);
    if (syncError) throw syncError;
  }

  /** The failed pods whose node is out of back-off; the others are looked at again later. */
  private failedPodsToDelete(ds: DS, failed: { pod: PodObj; node: string }[]): PodObj[] {
    const out: PodObj[] = [];
    for (const { pod, node } of failed) {
      const bkey = `${ds.metadata.uid}/${node}`;
      if (this.backoff.inBackoff(bkey)) {
        this.queue.addAfter(keyOf(ds), this.backoff.delay(bkey));
        continue;
      }
      this.backoff.next(bkey);
      this.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`);
      out.push(pod);
    }
    return out;
  }

  /** syncNodes: creates pods for the nodes (slow start) and deletes the pods, under expectations. */
  private async syncNodes(ds: DS, key: string, victims: PodObj[], nodes: string[], hash: string): Promise<void> {
    const toCreate = nodes.slice(0, BURST_REPLICAS);
    const toDelete = victims.slice(0, BURST_REPLICAS);
    this.creations.expectCreations(key, toCreate.length);
    this.deletions.expectDeletions(key, toDelete.map((p) => keyOf(p)));
    const errors: unknown[] = [];

    const template = daemonPodTemplate(ds, hash);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    let next = 0;
    const { successes, error } = await slowStartBatch(toCreate.length, SLOW_START_INITIAL_BATCH_SIZE, () => this.createPod(ds, template, ref, toCreate[next++]!));
    for (let i = successes; i < toCreate.length; i++) this.creations.creationObserved(key);
    if (error) errors.push(error);

    await Promise.all(
      toDelete.map(async (pod) => {
        try {
          await this.podClient(ds.metadata.namespace!).delete(pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
          this.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (e) {
          this.deletions.deletionObserved(key, keyOf(pod));
          if (!isNotFound(e)) {
            this.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
            errors.push(e);
          }
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /** One daemon pod for one node: the template, pinned to the node by required node affinity. */
  private async createPod(ds: DS, template: ReturnType<typeof daemonPodTemplate>, ref: OwnerReference, nodeName: string): Promise<void> {
    const spec = structuredClone(template?.spec ?? { containers: [] });
    spec.affinity = pinToNode(spec.affinity, nodeName);
    const pod: PodObj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: '',
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: { ...(template?.metadata?.labels ?? {}) },
        ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ...(template?.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
        ownerReferences: [ref],
      },
      spec,
    };
    delete (pod.metadata as { name?: string }).name;
    try {
      const created = await this.podClient(ds.metadata.namespace!).create(pod);
      this.log.debug({ ds: keyOf(ds), pod: created.metadata.name, node: nodeName }, 'created daemon pod');
      this.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      throw e;
    }
  }

  private async bumpCollisionCount(ds: DS): Promise<void> {
    const fresh = await this.dsClient(ds.metadata.namespace!).get(ds.metadata.name);
    (fresh as { status?: unknown }).status = { ...fresh.status, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await this.dsClient(ds.metadata.namespace!).updateStatus(fresh);
  }

  /** updateDaemonSetStatus: counts from the cache; observedGeneration only after a full sync. */
  private async updateStatus(ds: DS, nodes: NodeObj[], hash: string, observed: boolean): Promise<void> {
    const pods = this.podInformer.lister.list(ds.metadata.namespace).filter((p) => getControllerOf(p)?.uid === ds.metadata.uid);
    const counts = daemonSetStatusCounts(ds, nodes, podsByNode(pods), hash, this.now());
    // A pod that is ready but not yet available will be after minReadySeconds: look again then.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) this.queue.addAfter(keyOf(ds), minReady * 1000);
    const cur = (ds.status ?? {}) as Record<string, unknown>;
    const same = Object.entries(counts).every(([k, v]) => (cur[k] ?? 0) === v);
    if (same && ((cur.observedGeneration as number | undefined) ?? 0) >= (ds.metadata.generation ?? 0)) return;
    const client = this.dsClient(ds.metadata.namespace!);
    let target = ds;
    for (let attempt = 0; ; attempt++) {
      const next = structuredClone(target);
      const status = { ...next.status, ...counts, ...(observed ? { observedGeneration: ds.metadata.generation } : {}) };
      (next as { status?: unknown }).status = status;
      try {
        await client.updateStatus(next);
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (attempt >= STATUS_UPDATE_RETRIES || !isConflict(e)) throw e;
        target = await client.get(ds.metadata.name);
      }
    }
  }
}
