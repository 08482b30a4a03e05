import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { ensureCondition, failureDecision, podCountChange, podFailureBackoffMs, successDecision, wantActive } from './jobDecisions.ts';
import { failuresSinceLastSuccess, isPodFailedForJob, JOB_TRACKING_FINALIZER, pastBackoffLimitOnFailure } from './jobPods.ts';
import { totals, trackPods } from './podTracking.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const T = (offsetS: number) => new Date(NOW + offsetS * 1000).toISOString();

function job(spec: Job['spec'] extends infer S ? Partial<NonNullable<S>> : never = {}, status: Job['status'] = {}): Job {
  return { metadata: { name: 'j' }, spec: { template: { spec: { containers: [], restartPolicy: 'Never' } }, ...spec } as Job['spec'], status };
}

function pod(uid: string, o: { phase?: string; deleting?: boolean; finalizer?: boolean; restarts?: number; finishedAt?: number } = {}): Pod {
  return {
    metadata: {
      name: uid,
      uid,
      creationTimestamp: T(-3600),
      ...(o.finalizer === false ? {} : { finalizers: [JOB_TRACKING_FINALIZER] }),
      ...(o.deleting ? { deletionTimestamp: T(0) } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      containerStatuses: [
        { name: 'c', image: 'i', imageID: '', ready: false, restartCount: o.restarts ?? 0, ...(o.finishedAt !== undefined ? { state: { terminated: { exitCode: 0, finishedAt: T(o.finishedAt) } } } : {}) },
      ],
    },
  };
}

describe('how many pods run', () => {
  it.each([
    { name: 'completions 3, parallelism 2: two at first', spec: { completions: 3, parallelism: 2 }, succeeded: 0, active: 0, want: 2 },
    { name: 'completions 3, parallelism 2: one left to go', spec: { completions: 3, parallelism: 2 }, succeeded: 2, active: 1, want: 1 },
    { name: 'all completions reached: none', spec: { completions: 3, parallelism: 2 }, succeeded: 3, active: 0, want: 0 },
    { name: 'more successes than completions never goes negative', spec: { completions: 1, parallelism: 1 }, succeeded: 2, active: 0, want: 0 },
    { name: 'work queue (no completions): parallelism until a success', spec: { parallelism: 3 }, succeeded: 0, active: 1, want: 3 },
    { name: 'work queue after a success: no new pods', spec: { parallelism: 3 }, succeeded: 1, active: 2, want: 2 },
    { name: 'suspended: none', spec: { completions: 3, parallelism: 2, suspend: true }, succeeded: 0, active: 2, want: 0 },
  ])('$name', ({ spec, succeeded, active, want }) => {
    expect(wantActive(job(spec), succeeded, active)).toBe(want);
  });

  it.each([
    { name: 'creates the missing pods', spec: { completions: 5, parallelism: 3 }, c: { active: 1, succeeded: 0, terminating: 0 }, want: { create: 2, delete: 0 } },
    { name: 'deletes the surplus when parallelism drops', spec: { completions: 5, parallelism: 1 }, c: { active: 3, succeeded: 0, terminating: 0 }, want: { create: 0, delete: 2 } },
    { name: 'deletes everything when suspended', spec: { completions: 5, parallelism: 3, suspend: true }, c: { active: 3, succeeded: 0, terminating: 0 }, want: { create: 0, delete: 3 } },
    { name: 'replaces terminating pods at once by default', spec: { completions: 5, parallelism: 2 }, c: { active: 1, succeeded: 0, terminating: 1 }, want: { create: 1, delete: 0 } },
    { name: 'with podReplacementPolicy Failed, terminating pods hold their slot', spec: { completions: 5, parallelism: 2, podReplacementPolicy: 'Failed' }, c: { active: 1, succeeded: 0, terminating: 1 }, want: { create: 0, delete: 0 } },
    { name: 'at most 500 per sync', spec: { completions: 2000, parallelism: 1000 }, c: { active: 0, succeeded: 0, terminating: 0 }, want: { create: 500, delete: 0 } },
  ])('$name', ({ spec, c, want }) => {
    expect(podCountChange(job(spec), c)).toEqual(want);
  });
});

describe('when a Job fails or completes', () => {
  it.each([
    { name: 'failures up to backoffLimit are retried', j: job({ backoffLimit: 1 }), failed: 1, pods: [], want: undefined },
    { name: 'one failure past backoffLimit fails the Job', j: job({ backoffLimit: 1 }), failed: 2, pods: [], want: 'BackoffLimitExceeded' },
    { name: 'backoffLimit 0: the first failure fails it', j: job({ backoffLimit: 0 }), failed: 1, pods: [], want: 'BackoffLimitExceeded' },
    { name: 'unset backoffLimit is 6', j: job({}), failed: 6, pods: [], want: undefined },
    {
      name: 'OnFailure: container restarts count against backoffLimit',
      j: { ...job({ backoffLimit: 2 }), spec: { ...job().spec!, backoffLimit: 2, template: { spec: { containers: [], restartPolicy: 'OnFailure' } } } },
      failed: 0,
      pods: [pod('a', { restarts: 2 })],
      want: 'BackoffLimitExceeded',
    },
    { name: 'restarts do not count under restartPolicy Never', j: job({ backoffLimit: 2 }), failed: 0, pods: [pod('a', { restarts: 5 })], want: undefined },
    { name: 'past activeDeadlineSeconds', j: job({ activeDeadlineSeconds: 60 }, { startTime: T(-60) }), failed: 0, pods: [], want: 'DeadlineExceeded' },
    { name: 'within activeDeadlineSeconds', j: job({ activeDeadlineSeconds: 60 }, { startTime: T(-59) }), failed: 0, pods: [], want: undefined },
    { name: 'a suspended Job has no deadline', j: job({ activeDeadlineSeconds: 60, suspend: true }, { startTime: T(-600) }), failed: 0, pods: [], want: undefined },
    {
      name: 'a Job marked FailureTarget goes on failing for the same reason',
      j: job({}, { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'm' }] }),
      failed: 0,
      pods: [],
      want: 'DeadlineExceeded',
    },
  ])('$name', ({ j, failed, pods, want }) => {
    expect(failureDecision(j, failed, pods, NOW)?.reason).toBe(want);
  });

  it.each([
    { name: 'completions reached with nothing running', spec: { completions: 3 }, succeeded: 3, active: 0, want: true },
    { name: 'completions reached but a pod still runs', spec: { completions: 3 }, succeeded: 3, active: 1, want: false },
    { name: 'not enough completions', spec: { completions: 3 }, succeeded: 2, active: 0, want: false },
    { name: 'work queue: one success and nothing running', spec: { parallelism: 2 }, succeeded: 1, active: 0, want: true },
    { name: 'work queue: no success yet', spec: { parallelism: 2 }, succeeded: 0, active: 0, want: false },
  ])('$name', ({ spec, succeeded, active, want }) => {
    const d = successDecision(job(spec), succeeded, active);
    expect(!!d).toBe(want);
    if (d) expect(d).toMatchObject({ interim: 'SuccessCriteriaMet', final: 'Complete' });
  });
});

describe('pod failures', () => {
  it('a pod deleted before it succeeded counts as failed, unless only Failed pods are replaced', () => {
    expect(isPodFailedForJob(pod('a', { phase: 'Failed' }), job())).toBe(true);
    expect(isPodFailedForJob(pod('a', { deleting: true }), job())).toBe(true);
    expect(isPodFailedForJob(pod('a', { deleting: true, phase: 'Succeeded' }), job())).toBe(false);
    expect(isPodFailedForJob(pod('a', { deleting: true }), job({ podReplacementPolicy: 'Failed' }))).toBe(false);
    expect(pastBackoffLimitOnFailure(job(), [pod('a', { restarts: 9 })])).toBe(false);
  });

  it('backs off 10 s, doubling per consecutive failure, capped', () => {
    expect(podFailureBackoffMs(0, undefined, NOW)).toBe(0);
    expect(podFailureBackoffMs(1, NOW - 4_000, NOW)).toBe(6_000);
    expect(podFailureBackoffMs(3, NOW - 4_000, NOW)).toBe(36_000);
    expect(podFailureBackoffMs(1, NOW - 10_000, NOW)).toBe(0);
    expect(podFailureBackoffMs(30, NOW, NOW)).toBe(600_000);
  });

  it('counts only the failures after the last success', () => {
    const pods = [pod('f1', { phase: 'Failed', finishedAt: -30 }), pod('s1', { phase: 'Succeeded', finishedAt: -20 }), pod('f2', { phase: 'Failed', finishedAt: -10 }), pod('f3', { phase: 'Failed', finishedAt: -5 })];
    expect(failuresSinceLastSuccess(pods, job())).toEqual({ count: 2, lastFailure: NOW - 5_000 });
  });
});

describe('counting finished pods once', () => {
  const base = { releasing: new Set<string>(), failing: false, jobDeleting: false, job: job() };

  it('records newly finished pods as uncounted and releases them', () => {
    const t = trackPods({ ...base, status: { succeeded: 1 }, pods: [pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Failed' }), pod('c')] });
    expect(t.uncounted).toEqual({ succeeded: ['a'], failed: ['b'] });
    expect(t.recorded).toBe(true);
    expect(t.release.map((p) => p.metadata!.uid)).toEqual(['a', 'b']);
    expect(totals(t)).toEqual({ succeeded: 2, failed: 1 });
  });

  it('counts a recorded pod once its finalizer is gone, and never records a pod without it', () => {
    const status = { succeeded: 1, uncountedTerminatedPods: { succeeded: ['a'], failed: ['b'] } };
    const pods = [pod('a', { phase: 'Succeeded', finalizer: false }), pod('b', { phase: 'Failed' }), pod('old', { phase: 'Succeeded', finalizer: false })];
    const t = trackPods({ ...base, status, pods });
    expect(t).toMatchObject({ succeeded: 2, failed: 0, uncounted: { succeeded: [], failed: ['b'] }, recorded: false });
    expect(t.release.map((p) => p.metadata!.uid)).toEqual(['b']);
    expect(totals(t)).toEqual({ succeeded: 2, failed: 1 });
  });

  it('a removal already sent counts as done even before the informer shows it', () => {
    const status = { uncountedTerminatedPods: { succeeded: ['a'] } };
    const t = trackPods({ ...base, releasing: new Set(['a']), status, pods: [pod('a', { phase: 'Succeeded' })] });
    expect(t).toMatchObject({ succeeded: 1, uncounted: { succeeded: [], failed: [] }, release: [] });
  });

  it('a failing Job counts its unfinished pods as failed; a deleted Job just lets go', () => {
    const failing = trackPods({ ...base, failing: true, status: {}, pods: [pod('a')] });
    expect(failing.uncounted.failed).toEqual(['a']);
    const deleting = trackPods({ ...base, jobDeleting: true, status: {}, pods: [pod('a')] });
    expect(deleting).toMatchObject({ uncounted: { succeeded: [], failed: [] }, recorded: false });
    expect(deleting.release).toHaveLength(1);
  });
});

describe('conditions', () => {
  it('sets a condition True, changes it, and does not add a False one that never existed', () => {
    const a = ensureCondition([], 'Suspended', 'False', 'JobResumed', 'Job resumed', T(0));
    expect(a).toEqual({ conditions: [], changed: false });
    const b = ensureCondition([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', T(0));
    expect(b.changed).toBe(true);
    expect(ensureCondition(b.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', T(5)).changed).toBe(false);
    const c = ensureCondition(b.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', T(9));
    expect(c.conditions).toEqual([{ type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: T(9), lastTransitionTime: T(9) }]);
  });
});
