// The scheduler against a real API server: Nodes created as plain objects (a tainted master and
// two workers), pods placed through pods/binding, events and conditions read back over the API.
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { createClient, createEventRecorder, createInformerFactory, loadKubeconfig, type ClosableClient, type KubeObject } from '../client/index.ts';
import { runScheduler } from './index.ts';
import { makeNode, MASTER_TAINT } from './testing.ts';

let cp: ControlPlane;
let client: ClosableClient;
const stop = new AbortController();
let running: Promise<void>;
let recorder: ReturnType<typeof createEventRecorder>;

const asObj = <T>(o: T) => o as unknown as KubeObject;
const nodes = () => client.r<KubeObject>('v1', 'nodes');
const pods = () => client.r<KubeObject>('v1', 'pods', 'default');

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function createNode(n: Node) {
  await nodes().create(asObj(n));
  // Status given on create may be dropped; write it through /status as the kubelet would.
  await nodes().patch(n.metadata!.name!, 'merge', { status: n.status }, { subresource: 'status' });
}

const pod = (name: string, o: { memory?: string; cpu?: string; volumes?: Pod['spec'] extends infer S ? S extends { volumes?: infer V } ? V : never : never } = {}): KubeObject =>
  asObj<Pod>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'nginx:1.22.1', resources: { requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) } } }],
      volumes: o.volumes,
    },
  });

const boundNode = (name: string) =>
  until(`${name} to be bound`, async () => ((await pods().get(name)) as Pod).spec?.nodeName || undefined);

async function eventsFor(name: string, reason: string): Promise<Event[]> {
  const list = await client.r<KubeObject>('v1', 'events', 'default').list();
  return (list.items as unknown as Event[]).filter((e) => e.involvedObject.name === name && e.reason === reason);
}

beforeAll(async () => {
  cp = await startControlPlane({ args: ['--disable', 'scheduler', '--disable', 'controller-manager'] });
  client = createClient(loadKubeconfig(cp.kubeconfig), { userAgent: 'k8ts-scheduler-test' });
  await createNode(makeNode('master', { cpu: '2', memory: '2Gi', pods: '110', taints: [MASTER_TAINT] }));
  await createNode(makeNode('worker-0', { cpu: '2', memory: '2Gi', pods: '110' }));
  await createNode(makeNode('worker-1', { cpu: '2', memory: '2Gi', pods: '110' }));
  const informers = createInformerFactory(client);
  recorder = createEventRecorder(client, { component: 'default-scheduler' });
  running = runScheduler({ client, informers, recorder, signal: stop.signal, log: pino({ level: 'warn' }) });
});

afterAll(async () => {
  stop.abort();
  await running;
  await recorder?.flush();
  client?.close();
  await cp?.stop();
});

describe('scheduler', () => {
  it('places a pod on a worker and says so in a Scheduled event', async () => {
    await pods().create(pod('nginx', { cpu: '100m', memory: '64Mi' }));
    const node = await boundNode('nginx');
    expect(node).toMatch(/^worker-[01]$/);
    const ev = await until('the Scheduled event', async () => (await eventsFor('nginx', 'Scheduled'))[0]);
    expect(ev).toMatchObject({ type: 'Normal', message: `Successfully assigned default/nginx to ${node}`, source: { component: 'default-scheduler' } });
  });

  it('a pod too big for any node stays Pending with FailedScheduling, then lands on a node added later', async () => {
    await pods().create(pod('big', { memory: '3Gi' }));
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. ' +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const ev = await until('the FailedScheduling event', async () => (await eventsFor('big', 'FailedScheduling'))[0]);
    expect(ev).toMatchObject({ type: 'Warning', message });
    const cond = await until('the PodScheduled condition', async () =>
      ((await pods().get('big')) as Pod).status?.conditions?.find((c) => c.type === 'PodScheduled'),
    );
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    expect(((await pods().get('big')) as Pod).spec?.nodeName).toBeFalsy();

    await createNode(makeNode('worker-2', { cpu: '2', memory: '8Gi', pods: '110' }));
    expect(await boundNode('big')).toBe('worker-2');
  });

  it('a cordoned worker gets no new pods', async () => {
    await nodes().patch('worker-1', 'merge', { spec: { unschedulable: true } });
    await nodes().patch('worker-2', 'merge', { spec: { unschedulable: true } });
    try {
      // A probe that may only use the cordoned workers shows when the scheduler sees the cordon.
      const probe = asObj<Pod>({
        ...(pod('probe') as Pod),
        spec: { ...(pod('probe') as Pod).spec!, nodeSelector: { cordoned: 'yes' } },
      });
      await nodes().patch('worker-1', 'merge', { metadata: { labels: { cordoned: 'yes' } } });
      await nodes().patch('worker-2', 'merge', { metadata: { labels: { cordoned: 'yes' } } });
      await pods().create(probe);
      await until('the scheduler to see the cordon', async () =>
        (await eventsFor('probe', 'FailedScheduling')).find((e) => e.message?.includes('2 node(s) were unschedulable')),
      );
      await pods().delete('probe');
      for (const name of ['c-1', 'c-2', 'c-3']) await pods().create(pod(name, { cpu: '10m' }));
      for (const name of ['c-1', 'c-2', 'c-3']) expect(await boundNode(name)).toBe('worker-0');
    } finally {
      await nodes().patch('worker-1', 'merge', { spec: { unschedulable: false } });
      await nodes().patch('worker-2', 'merge', { spec: { unschedulable: false } });
    }
  });

  it('a pod whose claim matches a local PV pinned to worker-0 lands on worker-0', async () => {
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'my-pv' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'manual',
        local: { path: '/mnt/data' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['worker-0'] }] }] } },
      },
    };
    const pvc: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'my-pvc', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '500Mi' } } },
    };
    await client.r<KubeObject>('v1', 'persistentvolumes').create(asObj(pv));
    // What the PV controller does for a new volume (the controller-manager is not running here).
    await client.r<KubeObject>('v1', 'persistentvolumes').patch('my-pv', 'merge', { status: { phase: 'Available' } }, { subresource: 'status' });
    await client.r<KubeObject>('v1', 'persistentvolumeclaims', 'default').create(asObj(pvc));
    for (const name of ['db-0', 'db-1', 'db-2']) await pods().create(pod(name, { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'my-pvc' } }] }));
    for (const name of ['db-0', 'db-1', 'db-2']) expect(await boundNode(name)).toBe('worker-0');
  });
});
