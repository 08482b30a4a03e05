// The Job controller's decisions, pure (upstream pkg/controller/job/job_controller.go manageJob,
// syncJob and backoff_utils.go): how many pods should run, whether the Job has failed or
// succeeded, how long to wait before replacing a failed pod, and the status conditions.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { onlyReplaceFailedPods, pastBackoffLimitOnFailure } from './jobPods.ts';

/** MaxPodCreateDeletePerSync: at most this many pod creations or deletions per sync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** DefaultJobPodFailureBackOff: the wait before the first replacement of a failed pod, doubled per further failure. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** MaxJobPodFailureBackOff. */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
/** SetDefaults_Job's backoffLimit. */
export const DEFAULT_BACKOFF_LIMIT = 6;

export const isSuspended = (job: Job) => job.spec?.suspend === true;

/**
 * How many pods should be running (manageJob's wantActive): none while suspended; for a Job
 * without completions (a work queue), parallelism until the first success, then no new ones;
 * otherwise the remaining completions, at most parallelism.
 */
export function wantActive(job: Job, succeeded: number, active: number): number {
  if (isSuspended(job)) return 0;
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (completions === undefined || completions === null) return succeeded > 0 ? Math.min(active, parallelism) : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** manageJob's arithmetic: pods to create or delete to reach wantActive, capped per sync. */
export function podCountChange(job: Job, c: { active: number; succeeded: number; terminating: number }): { create: number; delete: number } {
  const want = wantActive(job, c.succeeded, c.active);
  if (c.active > want) return { create: 0, delete: Math.min(c.active - want, MAX_POD_CREATE_DELETE_PER_SYNC) };
  // With podReplacementPolicy Failed, a pod still terminating holds its slot until it is gone.
  const holding = onlyReplaceFailedPods(job) ? c.terminating : 0;
  return { create: Math.max(0, Math.min(want - c.active - holding, MAX_POD_CREATE_DELETE_PER_SYNC)), delete: 0 };
}

/**
 * backoffRecord.getRemainingTime: after n consecutive failures a new pod waits base·2^(n-1)
 * (capped) from the last failure. Returns the ms left, 0 when a pod may be created now.
 */
export function podFailureBackoffMs(failures: number, lastFailure: number | undefined, now: number, baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (failures <= 0 || lastFailure === undefined) return 0;
  let backoff = baseMs;
  for (let i = 1; i < failures && backoff < maxMs; i++) backoff *= 2;
  backoff = Math.min(backoff, maxMs);
  const elapsed = now - lastFailure;
  return elapsed >= backoff ? 0 : backoff - elapsed;
}

/** pastActiveDeadline: running (not suspended) for activeDeadlineSeconds since status.startTime. */
export function pastActiveDeadline(job: Job, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (deadline === undefined || deadline === null || !start || isSuspended(job)) return false;
  return now - Date.parse(start) >= deadline * 1000;
}

/** Ms until the active deadline passes, if the Job has one and it has not passed. */
export function activeDeadlineRemainingMs(job: Job, now: number): number | undefined {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (deadline === undefined || deadline === null || !start || isSuspended(job)) return undefined;
  const left = Date.parse(start) + deadline * 1000 - now;
  return left > 0 ? left : undefined;
}

/** Upstream's JobReason* and the messages of the conditions that carry them. */
export const BACKOFF_LIMIT_EXCEEDED = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
export const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

/**
 * Where a Job is heading once it stops running pods. `interim` is the condition set first
 * (FailureTarget / SuccessCriteriaMet) while its pods terminate; `final` the one set after
 * (Failed / Complete), which kubectl shows as the Job's STATUS.
 */
export interface Finish {
  interim: 'FailureTarget' | 'SuccessCriteriaMet';
  final: 'Failed' | 'Complete';
  reason: string;
  message: string;
}

/**
 * The failure half of syncJob's decision, before any pod is created: a Job already marked
 * FailureTarget or SuccessCriteriaMet goes on finishing; otherwise too many failed pods (or
 * restarts under OnFailure) or an expired activeDeadlineSeconds make it fail.
 */
export function failureDecision(job: Job, failed: number, pods: Pod[], now: number): Finish | undefined {
  const target = trueCondition(job, 'FailureTarget');
  if (target) return { interim: 'FailureTarget', final: 'Failed', reason: target.reason ?? '', message: target.message ?? '' };
  const met = trueCondition(job, 'SuccessCriteriaMet');
  if (met) return { interim: 'SuccessCriteriaMet', final: 'Complete', reason: met.reason ?? '', message: met.message ?? '' };
  if (failed > (job.spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT) || pastBackoffLimitOnFailure(job, pods)) {
    return { interim: 'FailureTarget', final: 'Failed', ...BACKOFF_LIMIT_EXCEEDED };
  }
  if (pastActiveDeadline(job, now)) return { interim: 'FailureTarget', final: 'Failed', ...DEADLINE_EXCEEDED };
  return undefined;
}

/**
 * The success half: with completions, that many pods succeeded; without (a work queue), any pod
 * succeeded — and in both cases no pod is still running.
 */
export function successDecision(job: Job, succeeded: number, active: number): Finish | undefined {
  const completions = job.spec?.completions;
  const done = completions === undefined || completions === null ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
  return done ? { interim: 'SuccessCriteriaMet', final: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' } : undefined;
}

// ---- conditions ----

export function trueCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** IsJobFinished: Complete or Failed is True. */
export function isJobFinished(job: Job): boolean {
  return !!trueCondition(job, 'Complete') || !!trueCondition(job, 'Failed');
}

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: string): JobCondition {
  return { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
}

/**
 * ensureJobConditionStatus: sets a condition's status, reason and message (a new transition time
 * when any of them changes); a False condition that never existed is not added.
 */
export function ensureCondition(conditions: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string, now: string): { conditions: JobCondition[]; changed: boolean } {
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conditions[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return { conditions, changed: false };
    const next = [...conditions];
    next[i] = newCondition(type, status, reason, message, now);
    return { conditions: next, changed: true };
  }
  if (status === 'False') return { conditions, changed: false };
  return { conditions: [...conditions, newCondition(type, status, reason, message, now)], changed: true };
}
