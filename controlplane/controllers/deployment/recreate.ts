// The Recreate strategy (pkg/controller/deployment/recreate.go): scale every old replica set to
// zero, wait until none of their pods is left running, and only then create (or scale up) the new
// one — two versions never run side by side, which is what a single-writer database needs.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DeploymentContext } from './context.ts';
import { type Deploy, type RS, deploymentComplete, filterActive, specReplicas, sumStatusReplicas } from './deploymentUtil.ts';
import { syncRolloutStatus } from './progress.ts';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.ts';

/** podMap: the deployment's pods grouped by the uid of the replica set controlling them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(ctx: DeploymentContext, d: Deploy, rsList: RS[], podMap: PodMap): Promise<void> {
  // Do not create the new set yet: old pods must be gone first.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  let allRSs = [...oldRSs, newRS];

  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    const { scaled } = await scaleReplicaSetAndRecordEvent(ctx, rs, 0, d);
    scaledDown ||= scaled;
  }
  if (scaledDown) return syncRolloutStatus(ctx, allRSs, newRS, d);

  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(ctx, allRSs, newRS, d);

  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS && specReplicas(newRS) !== specReplicas(d)) await scaleReplicaSetAndRecordEvent(ctx, newRS, specReplicas(d), d);

  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(ctx, oldRSs, d);
  return syncRolloutStatus(ctx, allRSs, newRS, d);
}

/** oldPodsRunning: an old set still reports pods, or a pod not of the new set has not finished. */
export function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], podMap: PodMap): boolean {
  if (sumStatusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
