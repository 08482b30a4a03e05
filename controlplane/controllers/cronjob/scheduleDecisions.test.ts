import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/types.ts';
import { parseSchedule } from './nextScheduleTime.ts';
import {
  dueScheduleTime,
  formatRFC1123Z,
  jobFromTemplate,
  jobName,
  jobsToTrim,
  mostRecentScheduleTime,
  nextScheduleDelayMs,
  SCHEDULED_TIMESTAMP_ANNOTATION,
  tooLate,
} from './scheduleDecisions.ts';

const T = (s: string) => new Date(s);
function cronJob(o: { created?: string; last?: string; deadline?: number; schedule?: string } = {}): CronJob & KubeObject {
  return {
    metadata: { name: 'backup', namespace: 'ns', uid: 'cj-uid', creationTimestamp: o.created ?? '2025-06-01T10:00:00Z' },
    spec: {
      schedule: o.schedule ?? '*/5 * * * *',
      ...(o.deadline !== undefined ? { startingDeadlineSeconds: o.deadline } : {}),
      jobTemplate: { metadata: { labels: { app: 'backup' }, annotations: { team: 'ops' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
    },
    status: o.last ? { lastScheduleTime: o.last } : {},
  };
}
const every5 = parseSchedule('*/5 * * * *');

describe('which scheduled time is due', () => {
  it.each([
    { name: 'nothing before the first time after creation', cj: cronJob(), now: '2025-06-01T10:04:59Z', due: undefined, missed: 'none' },
    { name: 'the first time once reached', cj: cronJob(), now: '2025-06-01T10:05:00Z', due: '2025-06-01T10:05:00.000Z', missed: 'few' },
    { name: 'the most recent of several missed times', cj: cronJob(), now: '2025-06-01T10:23:00Z', due: '2025-06-01T10:20:00.000Z', missed: 'few' },
    { name: 'counting from the last scheduled time', cj: cronJob({ last: '2025-06-01T10:20:00Z' }), now: '2025-06-01T10:24:00Z', due: undefined, missed: 'none' },
    { name: 'the next one after the last scheduled time', cj: cronJob({ last: '2025-06-01T10:20:00Z' }), now: '2025-06-01T10:25:30Z', due: '2025-06-01T10:25:00.000Z', missed: 'few' },
    { name: 'more than 100 missed times are reported as many', cj: cronJob(), now: '2025-06-02T10:00:00Z', due: '2025-06-02T10:00:00.000Z', missed: 'many' },
    // With a deadline, nothing older than now - deadline is considered: 100+ missed times don't count.
    { name: 'the starting deadline bounds the search', cj: cronJob({ deadline: 120 }), now: '2025-06-02T10:01:00Z', due: '2025-06-02T10:00:00.000Z', missed: 'few' },
    { name: 'a deadline shorter than the gap: nothing due', cj: cronJob({ deadline: 30 }), now: '2025-06-02T10:01:00Z', due: undefined, missed: 'none' },
  ])('$name', ({ cj, now, due, missed }) => {
    const r = dueScheduleTime(cj, T(now), every5);
    expect(r.due?.toISOString()).toBe(due);
    expect(r.missed).toBe(missed);
  });

  it('finds the exact latest time of an unevenly spaced schedule', () => {
    const s = parseSchedule('30 6-16/4 * * 1-5');
    // Created on Monday 2025-06-02; by Wednesday 15:00 the latest run was Wednesday 14:30.
    const r = mostRecentScheduleTime(cronJob({ created: '2025-06-02T00:00:00Z' }), T('2025-06-04T15:00:00Z'), s, false);
    expect(r.mostRecent?.toISOString()).toBe('2025-06-04T14:30:00.000Z');
  });

  it('a scheduled time older than the starting deadline is too late', () => {
    const cj = cronJob({ deadline: 10 });
    expect(tooLate(cj, T('2025-06-01T10:05:00Z'), T('2025-06-01T10:05:10Z'))).toBe(false);
    expect(tooLate(cj, T('2025-06-01T10:05:00Z'), T('2025-06-01T10:05:11Z'))).toBe(true);
    expect(tooLate(cronJob(), T('2025-06-01T10:05:00Z'), T('2025-06-09T10:05:11Z'))).toBe(false);
  });
});

describe('when to look again', () => {
  it.each([
    { name: 'just after the next scheduled time', cj: cronJob(), now: '2025-06-01T10:03:00Z', want: 2 * 60_000 + 100 },
    { name: 'after a run, the following time', cj: cronJob({ last: '2025-06-01T10:05:00Z' }), now: '2025-06-01T10:05:01Z', want: 5 * 60_000 - 1000 + 100 },
    { name: 'with missed times, the next time from now', cj: cronJob(), now: '2025-06-01T10:23:00Z', want: 2 * 60_000 + 100 },
  ])('$name', ({ cj, now, want }) => {
    expect(nextScheduleDelayMs(cj, T(now), every5)).toBe(want);
  });
});

describe('the Job of a scheduled time', () => {
  it('is named after the scheduled minute since the epoch, owned by the CronJob, annotated with the time', () => {
    const at = T('2025-06-01T10:05:00Z');
    expect(jobName('backup', at)).toBe(`backup-${Date.parse('2025-06-01T10:05:00Z') / 60000}`);
    const job = jobFromTemplate(cronJob(), at, 'Europe/Berlin');
    expect(job.metadata.name).toBe('backup-29146205');
    expect(job.metadata.labels).toEqual({ app: 'backup' });
    expect(job.metadata.annotations).toEqual({ team: 'ops', [SCHEDULED_TIMESTAMP_ANNOTATION]: '2025-06-01T12:05:00+02:00' });
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
    expect(job.spec?.template.spec?.restartPolicy).toBe('OnFailure');
  });

  it('prints missed times as Go RFC1123Z', () => {
    expect(formatRFC1123Z(T('2025-06-01T10:05:00Z'))).toBe('Sun, 01 Jun 2025 10:05:00 +0000');
  });
});

describe('history limits', () => {
  const job = (name: string, state: 'Complete' | 'Failed' | 'running', start: string): Job & KubeObject => ({
    metadata: { name },
    status: { startTime: start, conditions: state === 'running' ? [] : [{ type: state, status: 'True' }] },
  });
  it('deletes the oldest finished jobs beyond each limit, never running ones', () => {
    const jobs = [
      job('s1', 'Complete', '2025-06-01T10:00:00Z'),
      job('s3', 'Complete', '2025-06-01T10:10:00Z'),
      job('s2', 'Complete', '2025-06-01T10:05:00Z'),
      job('f1', 'Failed', '2025-06-01T10:01:00Z'),
      job('f2', 'Failed', '2025-06-01T10:02:00Z'),
      job('r1', 'running', '2025-06-01T09:00:00Z'),
    ];
    const cj = { spec: { schedule: '* * * * *', jobTemplate: {}, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 } };
    expect(jobsToTrim(cj, jobs).map((j) => j.metadata.name)).toEqual(['s1', 's2', 'f1']);
    expect(jobsToTrim({ spec: { ...cj.spec, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: undefined } }, jobs).map((j) => j.metadata.name)).toEqual(['s1', 's2', 's3']);
  });
});
