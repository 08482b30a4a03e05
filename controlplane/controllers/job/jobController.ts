// The Job controller (upstream pkg/controller/job/job_controller.go): runs a Job's pods to
// completion. Each sync claims the Job's pods, counts the finished ones exactly once (the
// job-tracking finalizer, see podTracking.ts), decides whether the Job has failed (backoffLimit,
// activeDeadlineSeconds) or succeeded (completions), otherwise creates or deletes pods so that
// min(parallelism, remaining completions) run, and writes status: startTime, active / ready /
// terminating / succeeded / failed, conditions and completionTime — what `kubectl get jobs`
// prints as STATUS, COMPLETIONS and DURATION.
//
// A finishing Job first gets an interim condition (FailureTarget or SuccessCriteriaMet, as 1.32
// does), and the final one (Failed or Complete) once its pods are gone and counted.
import type { Logger } from 'pino';
import { findResource } from '../../api/resources.ts';
import { createWorkQueue } from '../../client/index.ts';
import type { Informer, OwnerReference, ResourceClient, WorkQueue } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { claimObjects, getControllerOf, ownersSelecting, recheckOwner, resolveControllerRef } from '../controllerUtils/controllerRef.ts';
import { Expectations } from '../controllerUtils/expectations.ts';
import { keyOf, parseKey, withKind } from '../controllerUtils/keys.ts';
import { isPodActive, isPodReady, podsToDelete } from '../controllerUtils/podUtils.ts';
import { runController } from '../controllerUtils/runController.ts';
import { selectorReqs, selects } from '../controllerUtils/selector.ts';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../controllerUtils/slowStart.ts';
import {
  activeDeadlineRemainingMs,
  DEFAULT_POD_FAILURE_BACKOFF_MS,
  ensureCondition,
  failureDecision,
  type Finish,
  isJobFinished,
  isSuspended,
  newCondition,
  podCountChange,
  podFailureBackoffMs,
  successDecision,
  trueCondition,
} from './jobDecisions.ts';
import { failuresSinceLastSuccess, hasTrackingFinalizer, isPodTerminating } from './jobPods.ts';
import { JobPodControl, type JobObj, type PodObj } from './podControl.ts';
import { buildStatus, sameStatus } from './jobStatus.ts';
import { totals, trackPods, type Tracking } from './podTracking.ts';

export type JobControllerDeps = ControllerDeps & {
  /** The clock (ms); tests inject one. */
  now?: () => number;
  /** The first wait before replacing a failed pod (upstream 10 s); tests shorten it. */
  podFailureBackoffMs?: number;
};

export interface JobController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  readonly queue: WorkQueue<string>;
}

const JOBS = findResource('batch', 'v1', 'jobs')!;
const PODS = findResource('', 'v1', 'pods')!;
/** Keys of pods whose finalizer outlived their Job (upstream's orphanQueue), in the same queue. */
const ORPHAN_POD_PREFIX = 'orphan-pod:';

export function newJobController(deps: JobControllerDeps): JobController {
  return new JobSyncer(deps);
}

class JobSyncer implements JobController {
  readonly queue = createWorkQueue<string>();
  private readonly expectations: Expectations;
  private readonly jobs: Informer<JobObj>;
  private readonly pods: Informer<PodObj>;
  private readonly podControl: JobPodControl;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Per Job key, the pod UIDs whose finalizer removal was sent (upstream's finalizerExpectations). */
  private readonly releasing = new Map<string, Set<string>>();

  constructor(private readonly deps: JobControllerDeps) {
    this.log = deps.log.child({ controller: 'job' });
    this.now = deps.now ?? Date.now;
    this.expectations = new Expectations(this.now);
    this.podControl = new JobPodControl(deps.client, deps.recorder);
    this.jobs = deps.informers.informerFor<JobObj>(JOBS);
    this.pods = deps.informers.informerFor<PodObj>(PODS);
    this.jobs.addEventHandler({
      onAdd: (job) => this.queue.add(keyOf(job)),
      onUpdate: (_old, cur) => this.queue.add(keyOf(cur)),
      onDelete: (job) => {
        this.expectations.deleteExpectations(keyOf(job));
        // Its pods' finalizers are nobody else's business: let them go.
        for (const pod of this.pods.lister.byIndex('ownerUID', job.metadata.uid!)) if (hasTrackingFinalizer(pod)) this.queue.add(ORPHAN_POD_PREFIX + keyOf(pod));
        this.queue.add(keyOf(job));
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod, true),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) this.podChanged(old, false);
        this.podChanged(cur, false);
      },
      onDelete: (pod) => this.podChanged(pod, false, true),
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return runController({ name: 'job', queue: this.queue, log: this.log, informers: [this.jobs, this.pods], sync: (key) => this.sync(key) }, workers, signal);
  }

  // ---- event handlers: compute keys, record observations, enqueue ----

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): JobObj | undefined {
    return resolveControllerRef(this.jobs.lister, 'Job', namespace, ref);
  }

  private podChanged(pod: PodObj, added: boolean, deleted = false): void {
    const job = this.resolveControllerRef(pod.metadata.namespace, getControllerOf(pod));
    if (!job) {
      if (!deleted && hasTrackingFinalizer(pod)) this.queue.add(ORPHAN_POD_PREFIX + keyOf(pod));
      if (!getControllerOf(pod)) {
        // An orphan: the Jobs whose selector matches may adopt it.
        for (const j of ownersSelecting(this.jobs.lister, pod)) this.queue.add(keyOf(j));
      }
      return;
    }
    const jobKey = keyOf(job);
    if (deleted || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(jobKey, keyOf(pod));
    else if (added) this.expectations.creationObserved(jobKey);
    this.queue.add(jobKey);
  }

  // ---- reconcile ----

  private jobClient(ns: string): ResourceClient<JobObj> {
    return this.deps.client.resource<JobObj>(JOBS, ns);
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith(ORPHAN_POD_PREFIX)) return this.releaseOrphanPod(key.slice(ORPHAN_POD_PREFIX.length));
    const { namespace, name } = parseKey(key);
    const cached = this.jobs.lister.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      this.releasing.delete(key);
      return;
    }
    const pods = await this.claimPods(cached);
    if (isJobFinished(cached)) {
      // Counted for good: nothing holds the pods any more.
      await this.release(key, pods.filter(hasTrackingFinalizer));
      return;
    }
    await this.syncJob(key, cached, pods);
  }

  private async syncJob(key: string, cached: JobObj, pods: PodObj[]): Promise<void> {
    const job = structuredClone(cached);
    const now = this.now();
    const nowTs = timestamp(now);
    const satisfied = this.expectations.satisfied(key);
    const deleting = !!job.metadata.deletionTimestamp;
    const track = (failing: boolean): Tracking<PodObj> => trackPods({ status: job.status, pods, releasing: this.releasingFor(key, pods), failing, jobDeleting: deleting, job });
    const counted = totals(track(false));

    const activePods = pods.filter(isPodActive);
    let active = activePods.length;
    let ready = activePods.filter(isPodReady).length;
    let terminating = pods.filter(isPodTerminating).length;
    job.status ??= {};
    let conditions = job.status.conditions ?? [];
    // The first sync of a Job that is not suspended starts its clock (activeDeadlineSeconds counts from here).
    if (!job.status.startTime && !isSuspended(job)) job.status.startTime = nowTs;

    // 1. Failing (or already finishing)? Then no pod runs any more. Otherwise manage the pods.
    let finish: Finish | undefined = failureDecision(job, counted.failed, pods, now);
    let manageError: unknown;
    if (finish) {
      const r = await this.deletePods(key, job, activePods, false);
      active -= r.deleted;
      ready -= r.deletedReady;
      terminating += r.deleted;
      manageError = r.error;
      // Not finished until every pod is deleted and every expected change observed.
      if (r.deleted !== activePods.length || !satisfied) finish = undefined;
    } else {
      const left = activeDeadlineRemainingMs(job, now);
      if (left !== undefined) this.queue.addAfter(key, left);
      let managed = false;
      if (satisfied && !deleting) {
        const r = await this.manageJob(key, job, activePods, counted.succeeded, terminating, pods, now);
        active = r.active;
        ready -= r.deletedReady;
        terminating += r.deleted;
        manageError = r.error;
        managed = true;
      }
      finish = successDecision(job, counted.succeeded, active);
      if (!finish && managed) conditions = this.suspendCondition(job, conditions, nowTs);
    }

    // 2. Record newly finished pods (and the interim condition) before letting go of any finalizer.
    let tracking = track(finish?.interim === 'FailureTarget');
    const interim = !!finish && !trueCondition(job, finish.interim);
    if (finish && interim) conditions = [...conditions, newCondition(finish.interim, 'True', finish.reason, finish.message, nowTs)];
    let current = cached;
    job.status = buildStatus(job.status, { active, ready, terminating, tracking, conditions });
    if (tracking.recorded || interim) {
      current = await this.writeStatus(job);
      job.metadata.resourceVersion = current.metadata.resourceVersion;
    }

    // 3. Release the recorded pods, then count them.
    const releaseError = await this.release(key, tracking.release).then(() => undefined, (e: unknown) => e);
    tracking = track(finish?.interim === 'FailureTarget');
    job.status = buildStatus(job.status, { active, ready, terminating, tracking, conditions });

    // 4. The final condition, once no pod is left running, terminating or uncounted.
    const uncounted = tracking.uncounted.succeeded.length + tracking.uncounted.failed.length;
    if (finish && uncounted === 0 && terminating === 0 && !releaseError) {
      job.status.conditions = [...conditions, newCondition(finish.final, 'True', finish.reason, finish.message, nowTs)];
      if (finish.final === 'Complete') {
        job.status.completionTime = nowTs;
        this.event(job, 'Normal', 'Completed', 'Job completed');
      } else {
        this.event(job, 'Warning', finish.reason, finish.message);
      }
      this.log.debug({ key, condition: finish.final, reason: finish.reason }, 'job finished');
    }
    if (!sameStatus(current.status, job.status)) await this.writeStatus(job);
    if (manageError) throw manageError;
    if (releaseError) throw releaseError;
  }

  /** The Suspended condition follows spec.suspend; resuming restarts the clock. */
  private suspendCondition(job: JobObj, conditions: NonNullable<NonNullable<JobObj['status']>['conditions']>, nowTs: string) {
    if (isSuspended(job)) {
      const r = ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowTs);
      if (r.changed) this.event(job, 'Normal', 'Suspended', 'Job suspended');
      return r.conditions;
    }
    const r = ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowTs);
    if (r.changed) {
      this.event(job, 'Normal', 'Resumed', 'Job resumed');
      job.status!.startTime = nowTs;
    }
    return r.conditions;
  }

  /** manageJob: create or delete pods towards min(parallelism, remaining completions). */
  private async manageJob(key: string, job: JobObj, activePods: PodObj[], succeeded: number, terminating: number, pods: PodObj[], now: number) {
    const change = podCountChange(job, { active: activePods.length, succeeded, terminating });
    if (change.delete > 0) {
      const victims = podsToDelete(activePods, change.delete);
      this.log.debug({ key, deleting: victims.map((p) => p.metadata.name) }, 'too many active pods');
      const r = await this.deletePods(key, job, victims, true);
      return { active: activePods.length - r.deleted, deleted: r.deleted, deletedReady: r.deletedReady, error: r.error };
    }
    const unchanged = { active: activePods.length, deleted: 0, deletedReady: 0, error: undefined as unknown };
    if (change.create === 0) return unchanged;
    // Replacing failed pods waits an exponential backoff after consecutive failures.
    const failures = failuresSinceLastSuccess(pods, job);
    const wait = podFailureBackoffMs(failures.count, failures.lastFailure, now, this.deps.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS);
    if (wait > 0) {
      this.log.debug({ key, waitMs: wait, failures: failures.count }, 'backing off before creating pods');
      this.queue.addAfter(key, wait);
      return unchanged;
    }
    this.log.debug({ key, creating: change.create }, 'too few active pods');
    this.expectations.expectCreations(key, change.create);
    const { successes, error } = await slowStartBatch(change.create, SLOW_START_INITIAL_BATCH_SIZE, () => this.podControl.createPod(job));
    for (let i = successes; i < change.create; i++) this.expectations.creationObserved(key);
    return { ...unchanged, active: activePods.length + successes, error };
  }

  /**
   * Deletes pods. Surplus or suspended pods (`release`) lose their finalizer first so they are not
   * counted as failures (deleteJobPods); a failing Job's pods keep it and count as failed (deleteActivePods).
   */
  private async deletePods(key: string, job: JobObj, victims: PodObj[], release: boolean) {
    this.expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
    let deleted = 0;
    let deletedReady = 0;
    const errors: unknown[] = [];
    await Promise.all(
      victims.map(async (pod) => {
        try {
          if (release && hasTrackingFinalizer(pod)) await this.release(key, [pod]);
          await this.podControl.deletePod(job, pod);
          deleted++;
          if (isPodReady(pod)) deletedReady++;
        } catch (e) {
          this.expectations.deletionObserved(key, keyOf(pod));
          errors.push(e);
        }
      }),
    );
    return { deleted, deletedReady, error: errors[0] };
  }

  /** Removes the tracking finalizer, remembering the removal until the informer shows it. */
  private async release(key: string, pods: PodObj[]): Promise<void> {
    const set = this.releasing.get(key) ?? new Set<string>();
    this.releasing.set(key, set);
    const errors: unknown[] = [];
    await Promise.all(
      pods.map(async (pod) => {
        set.add(pod.metadata.uid!);
        try {
          await this.podControl.removeTrackingFinalizer(pod);
        } catch (e) {
          set.delete(pod.metadata.uid!);
          errors.push(e);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /** The removals still in flight: a UID leaves the set once its pod shows no finalizer or is gone. */
  private releasingFor(key: string, pods: PodObj[]): Set<string> {
    const set = this.releasing.get(key);
    if (!set) return new Set();
    const holding = new Set(pods.filter(hasTrackingFinalizer).map((p) => p.metadata.uid!));
    for (const uid of set) if (!holding.has(uid)) set.delete(uid);
    return set;
  }

  /** getPodsForJob: every pod the Job controls (finished ones too), adopting matching orphans. */
  private async claimPods(job: JobObj): Promise<PodObj[]> {
    const ns = job.metadata.namespace!;
    const reqs = selectorReqs(job.spec?.selector);
    return claimObjects(this.pods.lister.list(ns), {
      owner: job,
      ownerApiVersion: 'batch/v1',
      ownerKind: 'Job',
      children: this.deps.client.resource<PodObj>(PODS, ns),
      matches: (p) => selects(reqs, p.metadata.labels),
      canAdopt: recheckOwner(() => this.jobClient(ns).get(job.metadata.name), job.metadata.uid),
    });
  }

  /** A pod holding the finalizer for a Job that is gone (or finished, or not a Job at all) is let go. */
  private async releaseOrphanPod(podKey: string): Promise<void> {
    const { namespace, name } = parseKey(podKey);
    const pod = this.pods.lister.get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref?.kind === 'Job') {
      try {
        const job = await this.jobClient(namespace!).get(ref.name);
        if (job.metadata.uid === ref.uid && !isJobFinished(job)) return; // its Job counts it
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    this.log.debug({ pod: podKey }, 'removing the tracking finalizer of an orphan pod');
    await this.podControl.removeTrackingFinalizer(pod);
  }

  private async writeStatus(job: JobObj): Promise<JobObj> {
    return this.jobClient(job.metadata.namespace!).updateStatus(job);
  }

  private event(job: JobObj, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event(withKind(job, 'batch/v1', 'Job'), type, reason, message);
  }
}

/** metav1.Time: RFC3339 to the second. */
function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
