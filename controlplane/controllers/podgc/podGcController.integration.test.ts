// The pod GC against a real API server: pods on a node that does not exist are force-deleted,
// terminated pods over the threshold go oldest first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type KubeObject } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newPodGcController, type PodGcController } from './podGcController.ts';

let h: Harness;
let gc: PodGcController;
beforeAll(async () => {
  h = await startHarness();
  gc = newPodGcController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log, terminatedPodThreshold: 1, quarantineMs: 0, gcPeriodMs: 200 });
  h.run((s) => gc.run(1, s));
});
afterAll(async () => {
  await h?.stop();
});

const pods = () => h.client.r('v1', 'pods', 'default');
const pod = (name: string, nodeName?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] } });
const gone = (name: string) => async () => isNotFound(await pods().get(name).catch((e) => e));

describe('pod GC', () => {
  it('force-deletes pods bound to a node that does not exist, keeps pods on nodes that do', async () => {
    await h.client.r('v1', 'nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'alive' } });
    await pods().create(pod('on-alive', 'alive'));
    await pods().create(pod('on-ghost', 'ghost'));
    await until(gone('on-ghost'), 'the pod on the missing node to go');
    expect((await pods().get('on-alive')).metadata.deletionTimestamp).toBeUndefined();
  });

  it('deletes the oldest terminated pods above the threshold', async () => {
    // Created in this order: done-1 is older, or (same second) first by name.
    for (const name of ['done-1', 'done-2']) {
      await pods().create(pod(name));
      await pods().patch(name, 'merge', { status: { phase: 'Succeeded' } }, { subresource: 'status' });
    }
    await until(gone('done-1'), 'the older terminated pod to go');
    expect((await pods().get('done-2')).status.phase).toBe('Succeeded');
  });
});
