// Scaling, revisions and status common to every strategy (pkg/controller/deployment/sync.go):
// finding or creating the new replica set, keeping its revision the highest, proportional scaling
// when a deployment is resized mid-rollout, pause conditions, history cleanup and status.
//
// Rollback needs no code of its own: apps/v1 has no rollbackTo, and `kubectl rollout undo` writes
// an old replica set's template back into the deployment. findNewReplicaSet then picks that old
// set as the new one, getNewReplicaSet raises its revision above every other (keeping the old
// number in revision-history), and the strategy scales it back up.
import { isAlreadyExists, isNotFound } from '../../client/types.ts';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import { computeHash } from './hash.ts';
import { type DeploymentContext, writeDeployment } from './context.ts';
import {
  type Deploy,
  type RS,
  REASON,
  REVISION_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  byRevision,
  calculateStatus,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  newCondition,
  newRSNewReplicas,
  proportionalSizes,
  replicasAnnotationsNeedUpdate,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  statusEqual,
} from './deploymentUtil.ts';
import { errorText } from '../controllerUtils/runController.ts';
import { getControllerOf } from '../controllerUtils/controllerRef.ts';

export interface NewAndOld {
  newRS: RS | undefined;
  oldRSs: RS[];
}

/** getAllReplicaSetsAndSyncRevision: the new set (created when asked) and all the old ones. */
export async function getAllReplicaSetsAndSyncRevision(ctx: DeploymentContext, d: Deploy, rsList: RS[], createIfMissing: boolean): Promise<NewAndOld> {
  const { all: oldRSs } = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(ctx, d, rsList, oldRSs, createIfMissing);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(ctx: DeploymentContext, d: Deploy, rsList: RS[], oldRSs: RS[], createIfMissing: boolean): Promise<RS | undefined> {
  const ns = d.metadata.namespace!;
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;

  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      copy.spec = { ...copy.spec!, minReadySeconds: d.spec?.minReadySeconds };
      if (copy.spec.minReadySeconds === undefined) delete copy.spec.minReadySeconds;
      // The deployment's own revision follows on the next sync, when this set is already current.
      return ctx.rsClient(ns).update(copy);
    }
    const revision = copy.metadata.annotations?.[REVISION_ANNOTATION];
    const revisionChanged = revision !== undefined && d.metadata.annotations?.[REVISION_ANNOTATION] !== revision;
    let status;
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      status = structuredClone(d.status ?? {});
      setCondition(status, newCondition('Progressing', 'True', REASON.FoundNewReplicaSet, `Found new replica set "${copy.metadata.name}"`, ctx.now()));
    }
    if (revisionChanged || status) await writeDeployment(ctx, d, { revision: revisionChanged ? revision : undefined, status });
    return copy;
  }
  if (!createIfMissing) return undefined;

  // Create the new set: its name is deterministic so a retried create finds the first one.
  const template = structuredClone(d.spec!.template);
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec!.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const candidate: RS = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: ns,
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, selector, template, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, candidate], candidate);
  candidate.spec!.replicas = replicas;
  setNewReplicaSetAnnotations(d, candidate, newRevision, false);

  let created: RS;
  let alreadyExisted = false;
  try {
    created = await ctx.rsClient(ns).create(candidate);
  } catch (e) {
    if (isAlreadyExists(e)) {
      alreadyExisted = true;
      // A slow cache, or a hash collision with a set that has another template.
      const found = ctx.rsLister.get(ns, candidate.metadata.name) ?? (await ctx.rsClient(ns).get(candidate.metadata.name));
      if (getControllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        created = found;
      } else {
        const status = structuredClone(d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await writeDeployment(ctx, d, { status });
        ctx.log.info({ deployment: d.metadata.name, collisionCount: status.collisionCount }, 'hash collision: bumping collisionCount');
        throw e;
      }
    } else {
      const msg = `Failed to create new replica set "${candidate.metadata.name}": ${errorText(e)}`;
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition('Progressing', 'False', REASON.FailedRSCreate, msg, ctx.now()));
        await writeDeployment(ctx, d, { status }).catch(() => undefined);
      }
      ctx.recorder.event(d, 'Warning', REASON.FailedRSCreate, msg);
      throw e;
    }
  }
  if (!alreadyExisted && replicas > 0) {
    ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
  }
  const revisionChanged = d.metadata.annotations?.[REVISION_ANNOTATION] !== String(newRevision);
  let status;
  if (!alreadyExisted && hasProgressDeadline(d)) {
    status = structuredClone(d.status ?? {});
    setCondition(status, newCondition('Progressing', 'True', REASON.NewReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, ctx.now()));
  }
  if (revisionChanged || status) await writeDeployment(ctx, d, { revision: revisionChanged ? String(newRevision) : undefined, status });
  return created;
}

/** scaleReplicaSetAndRecordEvent: resize one set (no-op when already that size). */
export async function scaleReplicaSetAndRecordEvent(ctx: DeploymentContext, rs: RS, newScale: number, d: Deploy): Promise<{ scaled: boolean; rs: RS }> {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, newScale, d, specReplicas(rs) < newScale ? 'up' : 'down');
}

/** scaleReplicaSet: writes size and the desired/max annotations; a ScalingReplicaSet event on a resize. */
export async function scaleReplicaSet(ctx: DeploymentContext, rs: RS, newScale: number, d: Deploy, operation: string): Promise<{ scaled: boolean; rs: RS }> {
  const sizeChanged = specReplicas(rs) !== newScale;
  const max = specReplicas(d) + maxSurge(d);
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, specReplicas(d), max)) return { scaled: false, rs };
  const oldScale = specReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec = { ...copy.spec!, replicas: newScale };
  setReplicasAnnotations(copy, specReplicas(d), max);
  const updated = await ctx.rsClient(rs.metadata.namespace!).update(copy);
  if (sizeChanged) {
    ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeChanged, rs: updated };
}

/**
 * scale: a resize outside a rollout. One active set takes the whole count; a saturated new set
 * means every old one goes to zero; otherwise (rolling update mid-rollout) the change is spread
 * over the active sets in proportion to their size.
 */
export async function scale(ctx: DeploymentContext, d: Deploy, newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    if (specReplicas(single) !== specReplicas(d)) await scaleReplicaSetAndRecordEvent(ctx, single, specReplicas(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(ctx, old, 0, d);
    return;
  }
  if (isRollingUpdate(d)) {
    const { sizes, operation } = proportionalSizes(d, newRS, oldRSs);
    for (const rs of filterActive([...oldRSs, newRS])) {
      await scaleReplicaSet(ctx, rs, sizes.get(rs.metadata.name) ?? specReplicas(rs), d, operation);
    }
  }
}

/** isScalingEvent: some active set was sized for another spec.replicas than the current one. */
export async function isScalingEvent(ctx: DeploymentContext, d: Deploy, rsList: RS[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  return filterActive([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== specReplicas(d);
  });
}

/** sync: for paused deployments and scaling events — resize, no new rollout. */
export async function sync(ctx: DeploymentContext, d: Deploy, rsList: RS[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  await scale(ctx, d, newRS, oldRSs);
  if (d.spec?.paused) await cleanupDeployment(ctx, oldRSs, d);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

/** checkPausedConditions: Progressing Unknown/DeploymentPaused while paused, DeploymentResumed after. */
export async function checkPausedConditions(ctx: DeploymentContext, d: Deploy): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === REASON.ProgressDeadlineExceeded) return;
  const pausedCond = cond?.reason === REASON.DeploymentPaused;
  const status = structuredClone(d.status ?? {});
  if (d.spec?.paused && !pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASON.DeploymentPaused, 'Deployment is paused', ctx.now()));
  } else if (!d.spec?.paused && pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', REASON.DeploymentResumed, 'Deployment is resumed', ctx.now()));
  } else return;
  await writeDeployment(ctx, d, { status });
}

/** The old sets cleanup deletes: the lowest revisions beyond revisionHistoryLimit, if fully scaled down. */
export function replicaSetsToCleanUp(oldRSs: RS[], d: Deploy): RS[] {
  if (!hasRevisionHistoryLimit(d)) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - d.spec!.revisionHistoryLimit!;
  if (diff <= 0) return [];
  return [...alive]
    .sort(byRevision)
    .slice(0, diff)
    .filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}

export async function cleanupDeployment(ctx: DeploymentContext, oldRSs: RS[], d: Deploy): Promise<void> {
  for (const rs of replicaSetsToCleanUp(oldRSs, d)) {
    ctx.log.debug({ deployment: d.metadata.name, replicaSet: rs.metadata.name }, 'cleaning up old replica set');
    try {
      await ctx.rsClient(rs.metadata.namespace!).delete(rs.metadata.name, { preconditions: { uid: rs.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** syncDeploymentStatus: write the counts and Available condition when they changed. */
export async function syncDeploymentStatus(ctx: DeploymentContext, allRSs: (RS | undefined)[], newRS: RS | undefined, d: Deploy): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d, ctx.now());
  if (statusEqual(d.status, status)) return;
  await writeDeployment(ctx, d, { status });
}
