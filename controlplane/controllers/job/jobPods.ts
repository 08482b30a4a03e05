// Facts about a Job's pods that the Job controller decides on (upstream
// pkg/controller/job/job_controller.go and utils.go): which pods count as failed, when a pod
// finished, restarts under restartPolicy OnFailure, and the pod-tracking finalizer.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

/**
 * batch.kubernetes.io/job-tracking: every pod the controller creates carries it, so a finished pod
 * cannot vanish before the controller has counted it in the Job's status.
 */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Being deleted but not finished yet (status.terminating). */
export function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && !isPodTerminal(pod);
}

/**
 * onlyReplaceFailedPods: with podReplacementPolicy Failed (or a podFailurePolicy) a replacement
 * waits until the old pod is fully Failed; the default TerminatingOrFailed replaces a pod as soon
 * as it is being deleted.
 */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/**
 * isPodFailed: phase Failed; or, unless only Failed pods are replaced, a pod deleted before it
 * succeeded (an evicted or orphaned pod may never reach phase Failed).
 */
export function isPodFailedForJob(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/**
 * pastBackoffLimitOnFailure: with restartPolicy OnFailure the kubelet restarts failing containers
 * in place, so the pods never fail: their restarts count against backoffLimit instead.
 */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/**
 * getFinishedTime: the last container's finishedAt; else when Ready turned False; else the
 * deletion; else the pod's creation (a stable answer, so a backoff computed from it expires).
 */
export function podFinishTime(pod: Pod): number {
  let latest: number | undefined;
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const t = s.state?.terminated?.finishedAt;
    if (t) latest = Math.max(latest ?? 0, Date.parse(t));
  }
  if (latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False')?.lastTransitionTime;
  if (ready) return Date.parse(ready);
  if (pod.metadata?.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp);
  return Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;
}

/** The failures since the last success, and when the latest one happened (the pod backoff's input). */
export function failuresSinceLastSuccess(pods: Pod[], job: Job): { count: number; lastFailure?: number } {
  const finished = pods
    .filter((p) => p.status?.phase === 'Succeeded' || isPodFailedForJob(p, job))
    .map((p) => ({ at: podFinishTime(p), ok: p.status?.phase === 'Succeeded' }))
    .sort((a, b) => a.at - b.at);
  let count = 0;
  let lastFailure: number | undefined;
  for (const f of finished) {
    if (f.ok) {
      count = 0;
      lastFailure = undefined;
    } else {
      count++;
      lastFailure = f.at;
    }
  }
  return { count, lastFailure };
}
