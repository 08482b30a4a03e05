// A Job's status as the controller writes it (upstream batch/v1 JobStatus with its omitempty
// rules): active, succeeded and failed are left out at zero, ready and terminating are always
// present, and uncountedTerminatedPods is always there, empty or not.
import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Tracking } from './podTracking.ts';

export function buildStatus(
  prev: JobStatus | undefined,
  s: { active: number; ready: number; terminating: number; tracking: Tracking; conditions: JobCondition[] },
): JobStatus {
  const { uncounted } = s.tracking;
  const status: JobStatus = { ...(prev ?? {}) };
  const setCount = (field: 'active' | 'succeeded' | 'failed', n: number) => {
    if (n > 0) status[field] = n;
    else delete status[field];
  };
  setCount('active', s.active);
  setCount('succeeded', s.tracking.succeeded);
  setCount('failed', s.tracking.failed);
  status.ready = s.ready;
  status.terminating = s.terminating;
  status.uncountedTerminatedPods = {
    ...(uncounted.succeeded.length ? { succeeded: [...uncounted.succeeded] } : {}),
    ...(uncounted.failed.length ? { failed: [...uncounted.failed] } : {}),
  };
  if (s.conditions.length) status.conditions = s.conditions;
  else delete status.conditions;
  return status;
}

/** Semantic equality of two statuses (a zero count equals a missing one), so a no-op sync writes nothing. */
export function sameStatus(a: JobStatus | undefined, b: JobStatus | undefined): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: JobStatus | undefined): unknown {
  const x = s ?? {};
  return {
    active: x.active ?? 0,
    succeeded: x.succeeded ?? 0,
    failed: x.failed ?? 0,
    ready: x.ready ?? 0,
    terminating: x.terminating ?? 0,
    startTime: x.startTime,
    completionTime: x.completionTime,
    uncounted: [x.uncountedTerminatedPods?.succeeded ?? [], x.uncountedTerminatedPods?.failed ?? []],
    conditions: (x.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.lastTransitionTime ?? '']),
    completedIndexes: x.completedIndexes ?? '',
  };
}
