// The Job controller against a real API server. No kubelet exists: the tests play its part by
// writing pods' phases through pods/status, and read the result with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newJobController } from './jobController.ts';
import { JOB_TRACKING_FINALIZER } from './jobPods.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  // A short pod failure backoff keeps the test quick; the decision itself is table-tested.
  const jc = newJobController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log, podFailureBackoffMs: 100 });
  h.run((s) => jc.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

const jobs = () => h.client.r('batch/v1', 'jobs', 'default');
const pods = () => h.client.r('v1', 'pods', 'default');
const events = () => h.client.r('v1', 'events', 'default');

function job(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox', command: ['true'] }] } } },
  };
}

const podsOf = async (jobName: string) => (await pods().list({ labelSelector: `batch.kubernetes.io/job-name=${jobName}` })).items;
const running = (ps: KubeObject[]) => ps.filter((p) => !p.status?.phase || p.status.phase === 'Pending' || p.status.phase === 'Running').filter((p) => !p.metadata.deletionTimestamp);
const setPhase = (name: string, phase: string) => pods().patch(name, 'merge', { status: { phase } }, { subresource: 'status' });
const condition = (j: KubeObject, type: string) => (j.status?.conditions ?? []).find((c: { type: string; status: string }) => c.type === type && c.status === 'True');
const reasons = async (name: string) => (await events().list()).items.filter((e) => e.involvedObject?.name === name).map((e) => e.reason as string);

describe('job controller', () => {
  it('runs completions 3 with parallelism 2 to Complete, and kubectl shows 3/3', async () => {
    await jobs().create(job('pi', { completions: 3, parallelism: 2 }));
    let maxRunning = 0;
    const done = new Set<string>();
    await until(async () => {
      const ps = await podsOf('pi');
      const active = running(ps);
      maxRunning = Math.max(maxRunning, active.length);
      // The kubelet's part: once min(parallelism, remaining) pods run, one of them succeeds.
      const next = active.find((p) => !done.has(p.metadata.name));
      if (next && done.size < 3 && active.length === Math.min(2, 3 - done.size)) {
        done.add(next.metadata.name);
        await setPhase(next.metadata.name, 'Succeeded');
      }
      return condition(await jobs().get('pi'), 'Complete');
    }, 'the job to complete');

    expect(maxRunning).toBe(2);
    const pi = await jobs().get('pi');
    expect(pi.status).toMatchObject({ succeeded: 3, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(pi.status.failed).toBeUndefined();
    expect(pi.status.active).toBeUndefined();
    expect(pi.status.startTime).toBeTruthy();
    expect(pi.status.completionTime).toBeTruthy();
    expect(pi.status.conditions.map((c: { type: string }) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);

    const ps = await podsOf('pi');
    expect(ps).toHaveLength(3);
    for (const p of ps) {
      expect(p.metadata.name.startsWith('pi-')).toBe(true);
      expect(p.metadata.ownerReferences).toMatchObject([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: pi.metadata.uid, controller: true }]);
      expect(p.metadata.labels).toMatchObject({ 'batch.kubernetes.io/controller-uid': pi.metadata.uid, 'batch.kubernetes.io/job-name': 'pi' });
      // Counted, so no longer held by the tracking finalizer.
      expect(p.metadata.finalizers ?? []).not.toContain(JOB_TRACKING_FINALIZER);
    }

    const { stdout } = await h.cp.kubectl(['get', 'job', 'pi', '--no-headers']);
    expect(stdout.trim().split(/\s+/).slice(0, 3)).toEqual(['pi', 'Complete', '3/3']);
    const rs = await until(async () => {
      const r = await reasons('pi');
      return r.includes('Completed') && r;
    }, 'the Completed event');
    expect(rs.filter((r) => r === 'SuccessfulCreate')).toHaveLength(3);
  });

  it('fails a Job whose pods fail past backoffLimit 1, with BackoffLimitExceeded', async () => {
    await jobs().create(job('flaky', { backoffLimit: 1 }));
    const failed = new Set<string>();
    await until(async () => {
      for (const p of running(await podsOf('flaky'))) {
        if (failed.has(p.metadata.name)) continue;
        failed.add(p.metadata.name);
        await setPhase(p.metadata.name, 'Failed');
      }
      return condition(await jobs().get('flaky'), 'Failed');
    }, 'the job to fail');

    const flaky = await jobs().get('flaky');
    expect(failed.size).toBe(2); // the first failure is replaced, the second is one too many
    expect(flaky.status.failed).toBe(2);
    expect(flaky.status.succeeded).toBeUndefined();
    expect(condition(flaky, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(condition(flaky, 'FailureTarget')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(flaky.status.completionTime).toBeUndefined();
    const { stdout } = await h.cp.kubectl(['get', 'job', 'flaky', '--no-headers']);
    expect(stdout.trim().split(/\s+/).slice(0, 3)).toEqual(['flaky', 'Failed', '0/1']);
    await until(async () => (await reasons('flaky')).includes('BackoffLimitExceeded'), 'the BackoffLimitExceeded event');
  });

  it('a Job past activeDeadlineSeconds fails with DeadlineExceeded and its running pods are deleted', async () => {
    await jobs().create(job('slow', { activeDeadlineSeconds: 8, parallelism: 2, completions: 4 }));
    await until(async () => running(await podsOf('slow')).length === 2, 'two pods');
    const slow = await until(async () => {
      const j = await jobs().get('slow');
      return condition(j, 'Failed') && j;
    }, 'the job to fail');
    expect(condition(slow, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(slow.status.failed).toBe(2);
    await until(async () => (await podsOf('slow')).length === 0, 'the pods to go');
  });

  it('a suspended Job runs no pods until resumed', async () => {
    await jobs().create(job('later', { suspend: true }));
    const suspended = await until(async () => {
      const j = await jobs().get('later');
      return condition(j, 'Suspended') && j;
    }, 'the Suspended condition');
    expect(suspended.status.startTime).toBeUndefined();
    expect(await podsOf('later')).toHaveLength(0);
    await jobs().patch('later', 'merge', { spec: { suspend: false } });
    await until(async () => running(await podsOf('later')).length === 1, 'a pod after resuming');
    const resumed = await jobs().get('later');
    expect(resumed.status.conditions.find((c: { type: string }) => c.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
    expect(resumed.status.startTime).toBeTruthy();
  });
});

describe('job tracking finalizer', () => {
  it('a pod whose Job is gone is let go', async () => {
    await jobs().create(job('gone', {}));
    const [pod] = await until(async () => {
      const ps = running(await podsOf('gone'));
      return ps.length === 1 && ps;
    }, 'a pod');
    expect(pod!.metadata.finalizers).toContain(JOB_TRACKING_FINALIZER);
    // Orphan the pod: no garbage collector runs here, so the pod stays, still holding the finalizer.
    await jobs().delete('gone', { propagationPolicy: 'Orphan' }).catch(() => undefined);
    await until(async () => !(await pods().get(pod!.metadata.name)).metadata.finalizers?.includes(JOB_TRACKING_FINALIZER), 'the finalizer to go');
  });
});
