// The CronJob controller (upstream pkg/controller/cronjob/cronjob_controllerv2.go): for each
// CronJob, reconcile the Jobs it owns with status.active, trim the finished ones beyond the
// history limits, and when a scheduled time is due create its Job — unless it is too late
// (startingDeadlineSeconds), the CronJob is suspended, or concurrencyPolicy says otherwise. Then
// the key is requeued for the next scheduled time, so a CronJob is looked at when it fires and
// whenever it or one of its Jobs changes.
import type { Logger } from 'pino';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, KubeObject, OwnerReference, ResourceClient, WorkQueue } from '../../client/types.ts';
import { isAlreadyExists, isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { getControllerOf, resolveControllerRef } from '../controllerUtils/controllerRef.ts';
import { keyOf, parseKey, withKind } from '../controllerUtils/keys.ts';
import { errorText, runController } from '../controllerUtils/runController.ts';
import { parseSchedule, type ParsedSchedule } from './nextScheduleTime.ts';
import { dueScheduleTime, finishedStatus, formatRFC1123Z, jobFromTemplate, jobName, jobsToTrim, nextScheduleDelayMs, tooLate } from './scheduleDecisions.ts';

export type CronJobControllerDeps = ControllerDeps & {
  /** The clock; tests inject one. */
  now?: () => Date;
};

type CJ = CronJob & KubeObject;
type JobObj = Job & KubeObject;

const CRONJOBS = findResource('batch', 'v1', 'cronjobs')!;
const JOBS = findResource('batch', 'v1', 'jobs')!;

export interface CronJobController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** For tests: add a key to look at a CronJob now. */
  readonly queue: WorkQueue<string>;
}

export function newCronJobController(deps: CronJobControllerDeps): CronJobController {
  return new CronJobSyncer(deps);
}

class CronJobSyncer implements CronJobController {
  readonly queue = createWorkQueue<string>();
  private readonly cronJobs: Informer<CJ>;
  private readonly jobs: Informer<JobObj>;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly deps: CronJobControllerDeps) {
    this.log = deps.log.child({ controller: 'cronjob' });
    this.now = deps.now ?? (() => new Date());
    this.cronJobs = deps.informers.informerFor<CJ>(CRONJOBS);
    this.jobs = deps.informers.informerFor<JobObj>(JOBS);
    this.cronJobs.addEventHandler({
      onAdd: (cj) => this.queue.add(keyOf(cj)),
      onUpdate: (old, cur) => this.updateCronJob(old, cur),
      onDelete: (cj) => this.queue.add(keyOf(cj)),
    });
    const enqueueOwner = (job: JobObj) => {
      const cj = this.resolveControllerRef(job.metadata.namespace, getControllerOf(job));
      if (cj) this.queue.add(keyOf(cj));
    };
    this.jobs.addEventHandler({
      onAdd: enqueueOwner,
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef?.uid !== getControllerOf(cur)?.uid) enqueueOwner(old);
        enqueueOwner(cur);
      },
      onDelete: enqueueOwner,
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController({ name: 'cronjob', queue: this.queue, log: this.log, informers: [this.cronJobs, this.jobs], sync: (key) => this.sync(key) }, workers, signal);
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): CJ | undefined {
    return resolveControllerRef(this.cronJobs.lister, 'CronJob', namespace, ref);
  }

  /** updateCronJob: a new schedule or zone moves the next look; any other change is looked at now. */
  private updateCronJob(old: CJ, cur: CJ): void {
    const key = keyOf(cur);
    if (old.spec?.schedule === cur.spec?.schedule && old.spec?.timeZone === cur.spec?.timeZone) return this.queue.add(key);
    let schedule: ParsedSchedule;
    try {
      schedule = parseSchedule(cur.spec?.schedule ?? '', cur.spec?.timeZone);
    } catch (e) {
      this.event(cur, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec?.schedule}`);
      this.log.info({ key, err: errorText(e) }, 'unparseable schedule');
      return;
    }
    const delay = nextScheduleDelayMs(cur, this.now(), schedule);
    if (delay !== undefined) this.queue.addAfter(key, Math.max(0, delay));
  }

  private event(cj: CJ, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event(withKind(cj, 'batch/v1', 'CronJob'), type, reason, message);
  }

  private jobClient(ns: string): ResourceClient<JobObj> {
    return this.deps.client.resource<JobObj>(JOBS, ns);
  }

  // ---- reconcile ----

  async sync(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const cached = this.cronJobs.lister.get(namespace, name);
    if (!cached) return; // deleted: its Jobs go with the garbage collector
    // getJobsToBeReconciled: every Job this CronJob controls, whatever its labels say now.
    const jobs = this.jobs.lister.list(namespace).filter((j) => {
      const ref = getControllerOf(j);
      return ref?.kind === 'CronJob' && ref.name === cached.metadata.name;
    });
    const cj = structuredClone(cached);
    const original = JSON.stringify(cj.status ?? {});
    let requeueAfter: number | undefined;
    let syncError: unknown;
    try {
      requeueAfter = await this.syncCronJob(cj, jobs);
    } catch (e) {
      syncError = e;
    }
    await this.cleanupFinishedJobs(cj, jobs);
    if (JSON.stringify(cj.status ?? {}) !== original) await this.cronJobClient(cj).updateStatus(cj);
    if (syncError) throw syncError;
    if (requeueAfter !== undefined) {
      this.log.debug({ key, requeueAfterMs: requeueAfter }, 're-queuing cronjob');
      this.queue.addAfter(key, Math.max(0, requeueAfter));
    }
  }

  private cronJobClient(cj: CJ): ResourceClient<CJ> {
    return this.deps.client.resource<CJ>(CRONJOBS, cj.metadata.namespace);
  }

  /** syncCronJob: mutates cj.status; returns when to look again (undefined: only on the next change). */
  private async syncCronJob(cj: CJ, jobs: JobObj[]): Promise<number | undefined> {
    const now = this.now();
    const status = (cj.status ??= {});
    const active = () => (status.active ??= []);
    const removeActive = (uid: string | undefined) => {
      status.active = active().filter((r) => r.uid !== uid);
      if (status.active.length === 0) delete status.active;
    };

    // 1. The active list against the Jobs that exist.
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid!);
      const listed = (status.active ?? []).some((r) => r.uid === j.metadata.uid);
      const finished = finishedStatus(j);
      if (!listed && !finished) {
        this.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (listed && finished) {
        removeActive(j.metadata.uid);
        this.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${finished}`);
      }
      if (finished === 'Complete' && j.status?.completionTime) {
        const last = status.lastSuccessfulTime;
        if (!last || Date.parse(j.status.completionTime) > Date.parse(last)) status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    for (const ref of [...(status.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      // The cache may lag: ask the API server before calling an active Job missing.
      try {
        await this.jobClient(ref.namespace ?? cj.metadata.namespace!).get(ref.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        removeActive(ref.uid);
      }
    }

    // 2. Nothing new for a CronJob being deleted, in an unknown zone, suspended, or with a bad schedule.
    if (cj.metadata.deletionTimestamp) return undefined;
    let schedule: ParsedSchedule;
    try {
      schedule = parseSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone);
    } catch (e) {
      const msg = errorText(e);
      if (msg.startsWith('unknown time zone')) this.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec?.timeZone)}: ${msg}`);
      else this.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${msg}`);
      return undefined;
    }
    if (cj.spec?.suspend) return undefined;
    if (/\bTZ=/.test(cj.spec?.schedule ?? '')) {
      this.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec?.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }

    // 3. Is a scheduled time due?
    let due: Date | undefined;
    try {
      const r = dueScheduleTime(cj, now, schedule);
      due = r.due;
      if (due && r.missed === 'many') {
        this.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      }
    } catch (e) {
      this.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${errorText(e)}`);
      return undefined;
    }
    const next = () => nextScheduleDelayMs(cj, now, schedule);
    if (!due) return next();
    if (tooLate(cj, due, now)) {
      this.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRFC1123Z(due)}`);
      return next();
    }
    const name = jobName(cj.metadata.name, due);
    const lastScheduled = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : undefined;
    if ((status.active ?? []).some((r) => r.name === name) || lastScheduled === due.getTime()) return next();

    // 4. Concurrency policy.
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (status.active ?? []).length > 0) {
      this.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return next();
    }
    if (policy === 'Replace') {
      for (const ref of [...(status.active ?? [])]) {
        const ns = ref.namespace ?? cj.metadata.namespace!;
        let job: JobObj;
        try {
          job = await this.jobClient(ns).get(ref.name!);
        } catch (e) {
          this.event(cj, 'Warning', 'FailedGet', `Get job: ${errorText(e)}`);
          throw e;
        }
        if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${ns}/${job.metadata.name}`);
      }
    }

    // 5. Create the Job; its name is the lock against creating the same scheduled run twice.
    const timeZone = 'timeZone' in schedule ? schedule.timeZone : undefined;
    const request = jobFromTemplate(cj, due, timeZone);
    let created: JobObj;
    try {
      created = await this.jobClient(cj.metadata.namespace!).create(request);
      this.log.debug({ cronjob: keyOf(cj), job: created.metadata.name }, 'created job');
      this.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorText(e)}`);
        throw e;
      }
      // Created earlier, but the status update that followed was lost: record it now if it is ours.
      created = await this.jobClient(cj.metadata.namespace!).get(request.metadata.name);
      if (getControllerOf(created)?.uid !== cj.metadata.uid) return undefined;
      if ((status.active ?? []).some((r) => r.uid === created.metadata.uid)) return undefined;
    }
    active().push(jobReference(created));
    status.lastScheduleTime = due.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return next();
  }

  /** cleanupFinishedJobs: delete the oldest finished Jobs beyond the history limits. */
  private async cleanupFinishedJobs(cj: CJ, jobs: JobObj[]): Promise<void> {
    for (const job of jobsToTrim(cj, jobs)) await this.deleteJob(cj, job);
  }

  /** deleteJob: the Job goes (its pods follow through the garbage collector), and so does its active entry. */
  private async deleteJob(cj: CJ, job: JobObj): Promise<boolean> {
    try {
      await this.jobClient(job.metadata.namespace!).delete(job.metadata.name, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!isNotFound(e)) {
        this.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorText(e)}`);
        this.log.info({ job: keyOf(job), err: errorText(e) }, 'error deleting job from cronjob');
        return false;
      }
    }
    if (cj.status?.active) {
      cj.status.active = cj.status.active.filter((r) => r.uid !== job.metadata.uid);
      if (cj.status.active.length === 0) delete cj.status.active;
    }
    this.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }
}

/** ref.GetReference for a Job. */
function jobReference(job: JobObj): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion,
  };
}
