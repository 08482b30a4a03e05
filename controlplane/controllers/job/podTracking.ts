// Counting finished pods exactly once (upstream trackJobStatusAndRemoveFinalizers): a pod keeps
// the job-tracking finalizer until it is counted. The controller
//   1. records the UIDs of newly finished pods in status.uncountedTerminatedPods (a status write),
//   2. removes those pods' finalizers,
//   3. moves the UIDs whose finalizer is gone into status.succeeded / status.failed.
// A crash between any two steps repeats the step, never counts twice: a UID is only counted once
// its pod no longer carries the finalizer, and a pod without the finalizer is never recorded.
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { hasTrackingFinalizer, isPodFailedForJob } from './jobPods.ts';

/** MaxUncountedPods: keeps the UID lists (and one sync's finalizer removals) small. */
export const MAX_UNCOUNTED_PODS = 500;

export interface Tracking<P extends Pod = Pod> {
  succeeded: number;
  failed: number;
  uncounted: { succeeded: string[]; failed: string[] };
  /** New UIDs went into uncounted: write the status before removing any finalizer. */
  recorded: boolean;
  /** Pods whose finalizer may go now (their UID is in uncounted, or the Job no longer needs them). */
  release: P[];
}

export interface TrackingInput<P extends Pod> {
  status: JobStatus | undefined;
  pods: P[];
  /** UIDs whose finalizer removal was already sent (the informer may not show it yet). */
  releasing: Set<string>;
  /** The Job is failing: every unfinished pod counts as failed. */
  failing: boolean;
  /** The Job is being deleted: its pods' finalizers go, counted or not. */
  jobDeleting: boolean;
  job: Job;
}

export function trackPods<P extends Pod>(t: TrackingInput<P>): Tracking<P> {
  const holding = new Set(t.pods.filter((p) => hasTrackingFinalizer(p) && !t.releasing.has(p.metadata!.uid!)).map((p) => p.metadata!.uid!));
  let succeeded = t.status?.succeeded ?? 0;
  let failed = t.status?.failed ?? 0;
  // cleanUncountedPodsWithoutFinalizers: a recorded UID whose pod let go of the finalizer is counted.
  const prevSucceeded = t.status?.uncountedTerminatedPods?.succeeded ?? [];
  const prevFailed = t.status?.uncountedTerminatedPods?.failed ?? [];
  const uncounted = { succeeded: prevSucceeded.filter((u) => holding.has(u)), failed: prevFailed.filter((u) => holding.has(u)) };
  succeeded += prevSucceeded.length - uncounted.succeeded.length;
  failed += prevFailed.length - uncounted.failed.length;

  let recorded = false;
  const release: P[] = [];
  for (const pod of t.pods) {
    const uid = pod.metadata!.uid!;
    if (!holding.has(uid)) continue;
    if (uncounted.succeeded.includes(uid) || uncounted.failed.includes(uid)) {
      release.push(pod);
      continue;
    }
    if (uncounted.succeeded.length + uncounted.failed.length >= MAX_UNCOUNTED_PODS) break;
    if (pod.status?.phase === 'Succeeded') {
      uncounted.succeeded.push(uid);
      recorded = true;
      release.push(pod);
    } else if (isPodFailedForJob(pod, t.job) || t.failing) {
      uncounted.failed.push(uid);
      recorded = true;
      release.push(pod);
    } else if (t.jobDeleting) {
      release.push(pod);
    }
  }
  return { succeeded, failed, uncounted, recorded, release };
}

/** The counters the Job's decisions use: counted plus recorded. */
export function totals(t: Tracking): { succeeded: number; failed: number } {
  return { succeeded: t.succeeded + t.uncounted.succeeded.length, failed: t.failed + t.uncounted.failed.length };
}
