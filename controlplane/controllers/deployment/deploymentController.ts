// The Deployment controller (pkg/controller/deployment/deployment_controller.go): owns replica
// sets whose pod template hash labels tie them to one version of the deployment's template, and
// moves pods from old versions to the new one by the deployment's strategy. syncDeployment
// dispatches in upstream's fixed order: deletion → paused → scaling → strategy (rollback is a
// template change, see sync.ts).
import type { Logger } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import { matchesLabels } from '../../api/selectors.ts';
import { selectorReqs } from '../controllerUtils/selector.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, OwnerReference, WorkQueue } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { claimObjects, getControllerOf, ownersSelecting, recheckOwner, resolveControllerRef } from '../controllerUtils/controllerRef.ts';
import { keyOf, parseKey, withKind } from '../controllerUtils/keys.ts';
import { runController } from '../controllerUtils/runController.ts';
import type { DeploymentContext } from './context.ts';
import { writeDeployment } from './context.ts';
import type { Deploy, RS } from './deploymentUtil.ts';
import { rolloutRecreate, type PodMap } from './recreate.ts';
import { rolloutRolling } from './rolling.ts';
import { checkPausedConditions, getAllReplicaSetsAndSyncRevision, isScalingEvent, sync, syncDeploymentStatus } from './sync.ts';

export type DeploymentControllerDeps = ControllerDeps & {
  /** The clock; tests inject one. */
  now?: () => number;
};

type PodObj = Pod & KubeObject;

const DEPLOY_RESOURCE = findResource('apps', 'v1', 'deployments')!;
const RS_RESOURCE = findResource('apps', 'v1', 'replicasets')!;
const POD_RESOURCE = findResource('', 'v1', 'pods')!;

export interface DeploymentController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  readonly queue: WorkQueue<string>;
}

export function newDeploymentController(deps: DeploymentControllerDeps): DeploymentController {
  return new DController(deps);
}

class DController implements DeploymentController {
  readonly queue = createWorkQueue<string>();
  private readonly dInformer: Informer<Deploy>;
  private readonly rsInformer: Informer<RS>;
  private readonly podInformer: Informer<PodObj>;
  private readonly log: Logger;
  private readonly ctx: DeploymentContext;

  constructor(private readonly deps: DeploymentControllerDeps) {
    this.log = deps.log.child({ controller: 'deployment' });
    this.dInformer = deps.informers.informerFor<Deploy>(DEPLOY_RESOURCE);
    this.rsInformer = deps.informers.informerFor<RS>(RS_RESOURCE);
    this.podInformer = deps.informers.informerFor<PodObj>(POD_RESOURCE);
    this.ctx = {
      rsClient: (ns) => deps.client.resource<RS>(RS_RESOURCE, ns),
      deployClient: (ns) => deps.client.resource<Deploy>(DEPLOY_RESOURCE, ns),
      rsLister: this.rsInformer.lister,
      recorder: { event: (obj, type, reason, message) => deps.recorder.event(withKind(obj, 'apps/v1', 'Deployment'), type, reason, message) },
      log: this.log,
      now: deps.now ?? Date.now,
      enqueueAfter: (d, ms) => this.queue.addAfter(keyOf(d), ms),
      enqueueRateLimited: (d) => this.queue.addRateLimited(keyOf(d)),
    };

    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (d) => this.enqueue(d),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.onReplicaSet(rs),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) {
          const d = this.resolveControllerRef(old.metadata.namespace, oldRef);
          if (d) this.enqueue(d);
        }
        this.onReplicaSet(cur, JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {}));
      },
      onDelete: (rs) => {
        const d = this.resolveControllerRef(rs.metadata.namespace, getControllerOf(rs));
        if (d) this.enqueue(d);
      },
    });
    // Recreate waits for the last old pod to go away; a pod deletion is what tells it.
    this.podInformer.addEventHandler({
      onDelete: (pod) => {
        const rs = resolveControllerRef(this.rsInformer.lister, 'ReplicaSet', pod.metadata.namespace, getControllerOf(pod));
        if (!rs) return;
        const d = this.resolveControllerRef(rs.metadata.namespace, getControllerOf(rs));
        if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
      },
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController(
      {
        name: 'deployment',
        queue: this.queue,
        log: this.log,
        informers: [this.dInformer, this.rsInformer, this.podInformer],
        sync: (key) => this.syncDeployment(key),
      },
      workers,
      signal,
    );
  }

  private enqueue(d: KubeObject): void {
    this.queue.add(keyOf(d));
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): Deploy | undefined {
    return resolveControllerRef(this.dInformer.lister, 'Deployment', namespace, ref);
  }

  /** A replica set changed: its controller looks again; an orphan wakes every deployment that could adopt it. */
  private onReplicaSet(rs: RS, labelsChanged = true): void {
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    if (!labelsChanged && !rs.metadata.deletionTimestamp) return;
    for (const d of ownersSelecting(this.dInformer.lister, rs)) this.enqueue(d);
  }

  /** getReplicaSetsForDeployment: the sets this deployment controls, after adoption and release. */
  private async replicaSetsFor(d: Deploy): Promise<RS[]> {
    const ns = d.metadata.namespace!;
    const reqs = selectorReqs(d.spec?.selector);
    return claimObjects(this.rsInformer.lister.list(ns), {
      owner: d,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'Deployment',
      children: this.ctx.rsClient(ns),
      matches: (rs) => matchesLabels(reqs, rs.metadata.labels),
      canAdopt: recheckOwner(() => this.ctx.deployClient(ns).get(d.metadata.name), d.metadata.uid),
    });
  }

  /** getPodMapForDeployment: the deployment's pods by controlling replica set uid. */
  private podMapFor(d: Deploy, rsList: RS[]): PodMap {
    const reqs = selectorReqs(d.spec?.selector);
    const map: PodMap = new Map(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const pod of this.podInformer.lister.list(d.metadata.namespace)) {
      if (!matchesLabels(reqs, pod.metadata.labels)) continue;
      const ref = getControllerOf(pod);
      if (ref && map.has(ref.uid)) map.get(ref.uid)!.push(pod);
    }
    return map;
  }

  async syncDeployment(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const cached = this.dInformer.lister.get(namespace, name);
    if (!cached) {
      this.log.debug({ key }, 'deployment has been deleted');
      return;
    }
    const d = structuredClone(cached);
    const ctx = this.ctx;

    if (selectorReqs(d.spec?.selector).length === 0) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await writeDeployment(ctx, d, { status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation } });
      }
      return;
    }

    const rsList = await this.replicaSetsFor(d);
    const podMap = this.podMapFor(d, rsList);

    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
      return syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
    }

    await checkPausedConditions(ctx, d);
    if (d.spec?.paused) return sync(ctx, d, rsList);

    if (await isScalingEvent(ctx, d, rsList)) return sync(ctx, d, rsList);

    switch (d.spec?.strategy?.type ?? 'RollingUpdate') {
      case 'Recreate':
        return rolloutRecreate(ctx, d, rsList, podMap);
      case 'RollingUpdate':
        return rolloutRolling(ctx, d, rsList);
      default:
        this.log.warn({ key, strategy: d.spec?.strategy?.type }, 'unknown deployment strategy');
    }
  }
}
