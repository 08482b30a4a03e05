// The CronJob controller's decisions, pure (upstream pkg/controller/cronjob/utils.go): which
// scheduled time is due, when to look again, how a Job is named and built from the template, and
// which finished Jobs fall out of the history.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../client/types.ts';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import { formatRFC3339, nextScheduleTime, type ParsedSchedule } from './nextScheduleTime.ts';

/** utils.go: the annotation a Job carries with the time it was scheduled for (CronJobsScheduledAnnotation, on in 1.32). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** cronjob_controllerv2.go nextScheduleDelta: look again a little after the scheduled time, never just before it. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** utils.go: more missed times than this is a clock problem, reported with TooManyMissedTimes. */
export const MANY_MISSED_SCHEDULES = 100;

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** The last schedule time, or the CronJob's creation, or the starting deadline: where the search starts. */
  earliest: Date;
  /** The latest scheduled time at or before now, if any. */
  mostRecent?: Date;
  missed: Missed;
}

type CronJobLike = Pick<CronJob, 'spec' | 'status'> & { metadata: { creationTimestamp?: string } };

/**
 * mostRecentScheduleTime: the latest time the schedule fired since the last scheduled run (or the
 * creation), without walking through every missed time — the distance between two consecutive
 * times estimates how many were missed, then the last few are walked.
 */
export function mostRecentScheduleTime(cj: CronJobLike, now: Date, schedule: ParsedSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = new Date(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? now.toISOString());
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined && deadline !== null) {
    // The controller will not schedule anything before this point.
    const schedulingDeadline = new Date(now.getTime() - deadline * 1000);
    if (schedulingDeadline > earliest) earliest = schedulingDeadline;
  }
  const t1 = nextScheduleTime(schedule, earliest);
  const t2 = t1 && nextScheduleTime(schedule, t1);
  if (!t1 || now < t1) return { earliest, missed: 'none' };
  if (!t2 || now < t2) return { earliest, mostRecent: t1, missed: 'few' };

  const between = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  const elapsed = Math.floor((now.getTime() - t1.getTime()) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  // Step back two intervals from the estimate and let the schedule walk to the exact latest time:
  // schedules like "30 6-16/4 * * 1-5" are not evenly spaced.
  let t: Date | undefined = nextScheduleTime(schedule, new Date(t1.getTime() + (missedCount - 2) * between * 1000));
  let mostRecent: Date | undefined;
  for (; t && t <= now; t = nextScheduleTime(schedule, t)) mostRecent = t;
  return { earliest, mostRecent, missed: missedCount > MANY_MISSED_SCHEDULES ? 'many' : 'few' };
}

/** nextScheduleTime (controller's): the scheduled time that is due now, if any, honouring startingDeadlineSeconds. */
export function dueScheduleTime(cj: CronJobLike, now: Date, schedule: ParsedSchedule): { due?: Date; missed: Missed } {
  const r = mostRecentScheduleTime(cj, now, schedule, true);
  if (!r.mostRecent || r.mostRecent > now) return { missed: r.missed };
  return { due: r.mostRecent, missed: r.missed };
}

/** nextScheduleTimeDuration: how long until the controller should look at the CronJob again. */
export function nextScheduleDelayMs(cj: CronJobLike, now: Date, schedule: ParsedSchedule): number | undefined {
  let from: Date;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : now);
  } catch {
    from = now; // still look again at some point: the next slot from now
  }
  const next = nextScheduleTime(schedule, from);
  return next ? next.getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime() : undefined;
}

/** True when a starting deadline is set and the scheduled time plus the deadline has passed. */
export function tooLate(cj: CronJobLike, scheduled: Date, now: Date): boolean {
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline === undefined || deadline === null) return false;
  return scheduled.getTime() + deadline * 1000 < now.getTime();
}

/** getJobName: the scheduled time in minutes since the epoch makes the name a lock against creating it twice. */
export function jobName(cronJobName: string, scheduled: Date): string {
  return `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

/** getJobFromTemplate2: the Job for one scheduled time, owned by the CronJob. */
export function jobFromTemplate(cj: CronJob & KubeObject, scheduled: Date, timeZone: string | undefined): Job & KubeObject {
  const template = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj.metadata.name, scheduled),
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRFC3339(scheduled, timeZone) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(template.spec ?? {}) as Job['spec'],
  };
}

/** getFinishedStatus: 'Complete' or 'Failed' once the Job has that condition True. */
export function finishedStatus(job: Pick<Job, 'status'>): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

/** byJobStartTime: oldest start first, jobs never started last, names break ties. */
export function byStartTime(a: Job & KubeObject, b: Job & KubeObject): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa || !sb) return !sa && !sb ? a.metadata.name.localeCompare(b.metadata.name) : sa ? -1 : 1;
  const d = Date.parse(sa) - Date.parse(sb);
  return d !== 0 ? d : a.metadata.name.localeCompare(b.metadata.name);
}

/** cleanupFinishedJobs: the finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first. */
export function jobsToTrim<J extends Job & KubeObject>(cj: Pick<CronJob, 'spec'>, jobs: J[]): J[] {
  const out: J[] = [];
  const trim = (finished: J[], limit: number | undefined) => {
    if (limit === undefined || limit === null) return;
    const excess = finished.length - limit;
    if (excess > 0) out.push(...[...finished].sort(byStartTime).slice(0, excess));
  };
  trim(jobs.filter((j) => finishedStatus(j) === 'Complete'), cj.spec?.successfulJobsHistoryLimit);
  trim(jobs.filter((j) => finishedStatus(j) === 'Failed'), cj.spec?.failedJobsHistoryLimit);
  return out;
}

/** time.RFC1123Z in UTC, as the MissSchedule event prints it: "Mon, 02 Jan 2006 15:04:05 +0000". */
export function formatRFC1123Z(t: Date): string {
  return t.toUTCString().replace('GMT', '+0000');
}
