// Rollout progress (pkg/controller/deployment/progress.go): the Progressing condition says
// NewReplicaSetAvailable once the rollout completed, ReplicaSetUpdated while pods keep moving, and
// ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds. A stuck deployment is
// looked at again right after its deadline would pass.
import type { DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { type DeploymentContext, writeDeployment } from './context.ts';
import {
  type Deploy,
  type RS,
  REASON,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  newCondition,
  removeCondition,
  setCondition,
  statusEqual,
} from './deploymentUtil.ts';

/** The status syncRolloutStatus would write (pure, for tests). */
export function rolloutStatus(allRSs: (RS | undefined)[], newRS: RS | undefined, d: Deploy, now: number): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRS?.metadata.name;
    if (deploymentComplete(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', REASON.NewReplicaSetAvailable, msg, now));
    } else if (deploymentProgressing(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', REASON.ReplicaSetUpdated, msg, now);
      // Same reason but new progress: refresh lastUpdateTime, keep the transition time.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', REASON.ProgressDeadlineExceeded, msg, now));
    }
  }
  // Carry a replica set's ReplicaFailure over to the deployment.
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, { ...failure });
  else removeCondition(status, 'ReplicaFailure');
  return status;
}

/** getReplicaFailures: the new set's ReplicaFailure, else the first old set's. */
function replicaFailure(allRSs: (RS | undefined)[], newRS: RS | undefined) {
  const of = (rs: RS | undefined) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const c = of(newRS) ?? allRSs.map(of).find((x) => x);
  if (!c) return undefined;
  return { type: 'ReplicaFailure', status: c.status, reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
}

export async function syncRolloutStatus(ctx: DeploymentContext, allRSs: (RS | undefined)[], newRS: RS | undefined, d: Deploy): Promise<void> {
  const status = rolloutStatus(allRSs, newRS, d, ctx.now());
  if (statusEqual(d.status, status)) {
    requeueStuckDeployment(ctx, d, status);
    return;
  }
  await writeDeployment(ctx, d, { status });
}

/**
 * When a rollout is neither complete nor timed out, look again one second after its deadline
 * would pass (a deployment that never changes again would otherwise never be marked as timed out).
 * Returns the delay chosen, -1 for none.
 */
export function stuckRequeueDelay(d: Deploy, status: DeploymentStatus, now: number): number {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return -1;
  if (deploymentComplete(d, status) || current.reason === REASON.ProgressDeadlineExceeded) return -1;
  const from = current.lastUpdateTime ? Date.parse(current.lastUpdateTime) : now;
  const after = from + d.spec!.progressDeadlineSeconds! * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}

function requeueStuckDeployment(ctx: DeploymentContext, d: Deploy, status: DeploymentStatus): void {
  const delay = stuckRequeueDelay(d, status, ctx.now());
  if (delay === 0) ctx.enqueueRateLimited(d);
  else if (delay > 0) ctx.enqueueAfter(d, delay);
}
