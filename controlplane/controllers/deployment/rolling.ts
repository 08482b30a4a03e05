// The RollingUpdate strategy (pkg/controller/deployment/rolling.go): grow the new replica set up
// to replicas + maxSurge pods in total, shrink old ones while at least replicas - maxUnavailable
// pods stay available; first drop old pods that are not available anyway. The decisions are pure
// functions (planNewReplicaSetScale, planOldReplicaSetScaleDown); rolloutRolling applies them.
import type { DeploymentContext } from './context.ts';
import {
  type Deploy,
  type RS,
  byCreation,
  deploymentComplete,
  filterActive,
  maxUnavailable,
  newRSNewReplicas,
  specReplicas,
  sumAvailableReplicas,
  sumSpecReplicas,
} from './deploymentUtil.ts';
import { syncRolloutStatus } from './progress.ts';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.ts';

export async function rolloutRolling(ctx: DeploymentContext, d: Deploy, rsList: RS[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  const allRSs = [...oldRSs, newRS];

  // Scale up, if we can.
  if (newRS) {
    const target = planNewReplicaSetScale(d, allRSs, newRS);
    if (target !== specReplicas(newRS)) {
      const { scaled } = await scaleReplicaSetAndRecordEvent(ctx, newRS, target, d);
      if (scaled) return syncRolloutStatus(ctx, allRSs, newRS, d);
    }
  }

  // Scale down, if we can.
  const plan = planOldReplicaSetScaleDown(allRSs, filterActive(oldRSs), newRS, d);
  let scaledDown = false;
  for (const [name, size] of plan) {
    const rs = oldRSs.find((r) => r.metadata.name === name)!;
    const { scaled } = await scaleReplicaSetAndRecordEvent(ctx, rs, size, d);
    scaledDown ||= scaled;
  }
  if (scaledDown) return syncRolloutStatus(ctx, allRSs, newRS, d);

  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(ctx, oldRSs, d);
  return syncRolloutStatus(ctx, allRSs, newRS, d);
}

/** reconcileNewReplicaSet's target size for the new set. */
export function planNewReplicaSetScale(d: Deploy, allRSs: (RS | undefined)[], newRS: RS): number {
  if (specReplicas(newRS) === specReplicas(d)) return specReplicas(newRS);
  if (specReplicas(newRS) > specReplicas(d)) return specReplicas(d);
  return newRSNewReplicas(d, allRSs, newRS);
}

/**
 * reconcileOldReplicaSets: new sizes for old sets (name → size), oldest first.
 * maxScaledDown = all pods - minAvailable - new set's unavailable pods; spend it first on old
 * sets' unavailable pods (cleanupUnhealthyReplicas), then on available ones, never going below
 * minAvailable available pods in total (scaleDownOldReplicaSetsForRollingUpdate).
 */
export function planOldReplicaSetScaleDown(allRSs: (RS | undefined)[], activeOldRSs: RS[], newRS: RS | undefined, d: Deploy): Map<string, number> {
  const sizes = new Map<string, number>();
  if (sumSpecReplicas(activeOldRSs) === 0) return sizes;
  const allPods = sumSpecReplicas(allRSs);
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = newRS ? specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  let maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return sizes;

  const size = (rs: RS) => sizes.get(rs.metadata.name) ?? specReplicas(rs);
  const oldest = [...activeOldRSs].sort(byCreation);

  // Unhealthy replicas first: removing them does not lower availability.
  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    if (specReplicas(rs) === 0) continue;
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs.metadata.name, specReplicas(rs) - n);
    cleaned += n;
  }
  maxScaledDown -= cleaned;

  // Then available ones, as far as availability allows. Sizes after the cleanup above count.
  const available = sumAvailableReplicas(allRSs);
  if (available <= minAvailable) return sizes;
  const total = available - minAvailable;
  let scaled = 0;
  for (const rs of oldest) {
    if (scaled >= total) break;
    if (size(rs) === 0) continue;
    const n = Math.min(size(rs), total - scaled);
    sizes.set(rs.metadata.name, size(rs) - n);
    scaled += n;
  }
  return sizes;
}
