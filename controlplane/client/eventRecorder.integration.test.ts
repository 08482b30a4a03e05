// The event recorder against a real API server: create, then aggregate repeats into count.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { createEventRecorder } from './eventRecorder.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { createClient, type ClosableClient } from './resourceClient.ts';
import type { KubeObject } from './types.ts';

const silent = pino({ level: 'silent' });
let cp: ControlPlane;
let client: ClosableClient;

beforeAll(async () => {
  cp = await startControlPlane();
  client = createClient(loadKubeconfig(cp.kubeconfig));
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

const eventsFor = async (ns: string, name: string) =>
  (await client.r('v1', 'events', ns).list()).items.filter((e) => e.involvedObject?.name === name);

describe('event recorder', () => {
  it('creates an Event, then bumps count and lastTimestamp for a repeat within 10 minutes', async () => {
    let t = Date.parse('2025-01-01T00:00:00Z');
    const recorder = createEventRecorder(client, { component: 'default-scheduler', host: 'master' }, { now: () => t, logger: silent });
    const pod = await client.r('v1', 'pods', 'default').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

    recorder.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available');
    t += 5_000;
    recorder.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available');
    recorder.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web to n1');
    await recorder.flush();

    const events = await eventsFor('default', 'web');
    const failed = events.filter((e) => e.reason === 'FailedScheduling');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      type: 'Warning',
      message: '0/1 nodes are available',
      count: 2,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:00:05Z',
      source: { component: 'default-scheduler', host: 'master' },
      reportingComponent: 'default-scheduler',
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'web', uid: pod.metadata.uid },
    });
    expect(failed[0]!.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(events.filter((e) => e.reason === 'Scheduled').map((e) => e.count)).toEqual([1]);

    // After the 10-minute window the same event starts a new Event object.
    t += 11 * 60_000;
    recorder.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available');
    await recorder.flush();
    expect((await eventsFor('default', 'web')).filter((e) => e.reason === 'FailedScheduling').map((e) => e.count).sort()).toEqual([1, 2]);
  });

  it('puts events of cluster-scoped objects in "default" and never throws into the caller', async () => {
    const recorder = createEventRecorder(client, { component: 'kubelet', host: 'n1' }, { logger: silent });
    const node = await client.r('v1', 'nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    recorder.event(node, 'Normal', 'NodeReady', 'Node n1 status is now: NodeReady');
    // An object the API server will refuse an Event for (no name) is logged, not thrown.
    expect(() => recorder.event({ metadata: {} } as KubeObject, 'Normal', 'X', 'y')).not.toThrow();
    await recorder.flush();
    const events = await eventsFor('default', 'n1');
    expect(events.map((e) => [e.reason, e.involvedObject.kind, e.involvedObject.namespace])).toEqual([['NodeReady', 'Node', undefined]]);
  });
});
