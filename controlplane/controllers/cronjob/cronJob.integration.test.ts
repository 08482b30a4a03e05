// The CronJob controller against a real API server, on an injected clock: time moves only when
// the test says so, and the test nudges the controller's queue instead of waiting for a minute.
// No Job controller runs: the test finishes Jobs by writing their status itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newCronJobController, type CronJobController } from './cronJobController.ts';
import { SCHEDULED_TIMESTAMP_ANNOTATION } from './scheduleDecisions.ts';

const MINUTE = 60_000;
let h: Harness;
let cjc: CronJobController;
// A minute boundary comfortably after the CronJob's creation (its first scheduled time).
const M1 = Math.ceil((Date.now() + 2 * MINUTE) / MINUTE) * MINUTE;
let clock = M1 + 5_000;

beforeAll(async () => {
  h = await startHarness();
  cjc = newCronJobController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log, now: () => new Date(clock) });
  h.run((s) => cjc.run(1, s));
});
afterAll(async () => {
  await h?.stop();
});

const cronJobs = () => h.client.r('batch/v1', 'cronjobs', 'default');
const jobs = () => h.client.r('batch/v1', 'jobs', 'default');
const events = () => h.client.r('v1', 'events', 'default');
const jobNameAt = (t: number) => `tick-${t / MINUTE}`;
const messages = async (reason: string) => (await events().list()).items.filter((e) => e.involvedObject?.name === 'tick' && e.reason === reason).map((e) => e.message as string);

async function complete(name: string, startedAt: number): Promise<void> {
  const t = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  await jobs().patch(
    name,
    'merge',
    { status: { startTime: t(startedAt), completionTime: t(startedAt + 1000), succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: t(startedAt + 1000) }] } },
    { subresource: 'status' },
  );
}

function advanceTo(ms: number): void {
  clock = ms;
  cjc.queue.add('default/tick');
}

describe('cronjob controller', () => {
  it('creates a Job per scheduled time, respects Forbid, and trims the history', async () => {
    const cj: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      },
    };
    const created = await cronJobs().create(cj);

    // 1. The first scheduled time is due: its Job is created and listed as active.
    const first = await until(() => jobs().get(jobNameAt(M1)).catch(() => undefined), 'the first job');
    expect(first.metadata.ownerReferences).toMatchObject([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: created.metadata.uid, controller: true }]);
    expect(first.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION]).toBe(new Date(M1).toISOString().replace('.000Z', 'Z'));
    expect(first.metadata.labels).toMatchObject({ app: 'tick' });
    const afterFirst = await until(async () => {
      const c = await cronJobs().get('tick');
      return c.status?.active?.length === 1 && c;
    }, 'the active list');
    expect(afterFirst.status.active[0]).toMatchObject({ kind: 'Job', name: jobNameAt(M1), uid: first.metadata.uid });
    expect(Date.parse(afterFirst.status.lastScheduleTime)).toBe(M1);
    expect(await messages('SuccessfulCreate')).toEqual([`Created job ${jobNameAt(M1)}`]);

    // 2. A minute later the first Job still runs: Forbid skips this run.
    advanceTo(M1 + MINUTE + 5_000);
    await until(async () => (await messages('JobAlreadyActive')).length > 0, 'the JobAlreadyActive event');
    expect((await jobs().list()).items.map((j) => j.metadata.name)).toEqual([jobNameAt(M1)]);

    // 3. Once it completes, the controller notices, and the due time (still M1 + 1 min) gets its Job.
    await complete(jobNameAt(M1), M1);
    const second = await until(() => jobs().get(jobNameAt(M1 + MINUTE)).catch(() => undefined), 'the second job');
    expect(second).toBeTruthy();
    const afterSecond = await until(async () => {
      const c = await cronJobs().get('tick');
      return c.status?.lastSuccessfulTime && c.status?.active?.[0]?.name === jobNameAt(M1 + MINUTE) && c;
    }, 'the status to show the completed and the new job');
    expect(Date.parse(afterSecond.status.lastSuccessfulTime)).toBe(M1 + 1000);
    expect(await messages('SawCompletedJob')).toContain(`Saw completed job: ${jobNameAt(M1)}, status: Complete`);

    // 4. The second completes too: only one successful Job is kept, the oldest goes.
    await complete(jobNameAt(M1 + MINUTE), M1 + MINUTE);
    await until(async () => (await jobs().get(jobNameAt(M1)).then(() => false, () => true)), 'the oldest job to be deleted');
    expect(await messages('SuccessfulDelete')).toEqual([`Deleted job ${jobNameAt(M1)}`]);
    const last = await until(async () => {
      const c = await cronJobs().get('tick');
      return !c.status?.active && c;
    }, 'no active jobs');
    expect(Date.parse(last.status.lastScheduleTime)).toBe(M1 + MINUTE);

    const { stdout } = await h.cp.kubectl(['get', 'cronjob', 'tick', '--no-headers']);
    expect(stdout.trim().split(/\s+/).slice(0, 7)).toEqual(['tick', '*', '*', '*', '*', '*', '<none>']);
  });

  it('a suspended CronJob creates nothing', async () => {
    await cronJobs().create({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'paused' },
      spec: { schedule: '* * * * *', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    });
    clock += MINUTE;
    // One worker takes keys in order: once "tick" has acted on the new time, "paused" was looked at.
    cjc.queue.add('default/paused');
    cjc.queue.add('default/tick');
    await until(async () => (await messages('SuccessfulCreate')).length >= 3, 'the tick CronJob to run again');
    expect((await jobs().list()).items.filter((j) => j.metadata.name.startsWith('paused-'))).toEqual([]);
  });
});
