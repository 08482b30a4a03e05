// The DaemonSet controller and the scheduler against a real API server: nodes are plain objects
// (a master with the control-plane taint and workers); the test plays the kubelet, marking pods
// Running and Ready and finishing the graceful deletion of pods on their nodes.
import type { Node } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../api/resources.ts';
import type { KubeObject } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import { runScheduler } from '../../scheduler/index.ts';
import { makeNode, MASTER_TAINT } from '../../scheduler/testing.ts';
import { markPodReady } from '../controllerUtils/testing/fakeKubelet.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newDaemonSetController } from './daemonSetController.ts';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const DAEMONSETS = findResource('apps', 'v1', 'daemonsets')!;
const REVISIONS = findResource('apps', 'v1', 'controllerrevisions')!;
const NS = 'default';
/** How often the test's stand-in kubelet looks at pods. */
const KUBELET_POLL_MS = 50;

let h: Harness;

async function createNode(n: Node): Promise<void> {
  await h.client.resource(NODES).create(n as unknown as KubeObject);
  await h.client.resource(NODES).patch(n.metadata!.name!, 'merge', { status: n.status }, { subresource: 'status' });
}

/** Marks bound pods ready, and removes pods being deleted, as a kubelet on every node would. */
function runKubelet(signal: AbortSignal): Promise<void> {
  return (async () => {
    while (!signal.aborted) {
      try {
        for (const p of (await h.client.resource(PODS, NS).list()).items) {
          if (!p.spec.nodeName) continue;
          if (p.metadata.deletionTimestamp) await h.client.resource(PODS, NS).delete(p.metadata.name, { gracePeriodSeconds: 0 });
          else if (!p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')) await markPodReady(h.client, NS, p.metadata.name);
        }
      } catch (e) {
        if (!signal.aborted && !isNotFound(e) && (e as { code?: number }).code !== 409) throw e;
      }
      await new Promise((r) => setTimeout(r, KUBELET_POLL_MS));
    }
  })();
}

beforeAll(async () => {
  h = await startHarness();
  await createNode(makeNode('master', { taints: [MASTER_TAINT] }));
  await createNode(makeNode('worker-0'));
  await createNode(makeNode('worker-1'));
  const c = newDaemonSetController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run(
    (signal) => c.run(2, signal),
    (signal) => runScheduler({ client: h.client, informers: h.informers, recorder: h.recorder, signal, log: h.log }),
  );
});

afterAll(async () => {
  await h?.stop();
});

const daemonSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: NS },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36' }] } },
  },
};

const livePods = async () => (await h.client.resource(PODS, NS).list({ labelSelector: 'app=agent' })).items.filter((p) => !p.metadata.deletionTimestamp);
const nodesOf = (pods: KubeObject[]) => pods.map((p) => p.spec.nodeName as string).sort();
const status = async () => (await h.client.resource(DAEMONSETS, NS).get('agent')).status ?? {};

describe('daemonset controller', () => {
  it('runs one pod on each worker, none on the tainted master; the scheduler binds them', async () => {
    await h.client.resource(DAEMONSETS, NS).create(daemonSet);
    const pods = await until(async () => {
      const ps = await livePods();
      return ps.length === 2 && ps.every((p) => p.spec.nodeName) ? ps : undefined;
    }, 'two bound daemon pods');
    expect(nodesOf(pods)).toEqual(['worker-0', 'worker-1']);
    const p = pods.find((x) => x.spec.nodeName === 'worker-0')!;
    expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-0'] }] }],
    });
    expect(p.spec.tolerations.map((t: { key: string }) => t.key)).toContain('node.kubernetes.io/unschedulable');
    expect(p.metadata.ownerReferences).toMatchObject([{ kind: 'DaemonSet', name: 'agent', controller: true }]);
    const hash = p.metadata.labels!['controller-revision-hash'];
    const cr = await h.client.resource(REVISIONS, NS).get(`agent-${hash}`);
    expect(cr).toMatchObject({ revision: 1, metadata: { labels: { 'controller-revision-hash': hash } } });

    for (const x of pods) await markPodReady(h.client, NS, x.metadata.name);
    const s = await until(async () => ((await status()).numberReady === 2 ? status() : undefined), 'numberReady 2');
    expect(s).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      observedGeneration: 1,
    });
    const events = (await h.client.r('v1', 'events', NS).list()).items.filter((e) => e.involvedObject.name === 'agent').map((e) => e.reason);
    expect(events).toContain('SuccessfulCreate');
  });

  it('a new node gets a pod', async () => {
    await createNode(makeNode('worker-2'));
    const pods = await until(async () => {
      const ps = await livePods();
      return ps.length === 3 && ps.every((p) => p.spec.nodeName) ? ps : undefined;
    }, 'a pod on worker-2');
    expect(nodesOf(pods)).toEqual(['worker-0', 'worker-1', 'worker-2']);
    await until(async () => (await status()).desiredNumberScheduled === 3, 'desiredNumberScheduled 3');
  });

  it('a template change rolls every node onto the new revision', async () => {
    const stop = new AbortController();
    const kubelet = runKubelet(stop.signal);
    try {
      const before = (await livePods())[0]!.metadata.labels!['controller-revision-hash'];
      await h.client.resource(DAEMONSETS, NS).patch('agent', 'merge', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'busybox:1.37' }] } } } });
      const s = await until(async () => {
        const st = await status();
        return st.observedGeneration === 2 && st.updatedNumberScheduled === 3 && st.numberAvailable === 3 ? st : undefined;
      }, 'every node updated and available');
      expect(s).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberUnavailable: 0 });
      const pods = await livePods();
      expect(nodesOf(pods)).toEqual(['worker-0', 'worker-1', 'worker-2']);
      for (const p of pods) {
        expect(p.spec.containers[0].image).toBe('busybox:1.37');
        expect(p.metadata.labels!['controller-revision-hash']).not.toBe(before);
      }
      const revisions = (await h.client.resource(REVISIONS, NS).list()).items.map((r) => r.revision).sort();
      expect(revisions).toEqual([1, 2]);
    } finally {
      stop.abort();
      await kubelet;
    }
  });

  it('a node that stops matching loses its pod', async () => {
    await h.client.resource(DAEMONSETS, NS).patch('agent', 'merge', { spec: { template: { spec: { nodeSelector: { role: 'agent' } } } } });
    await h.client.resource(NODES).patch('worker-1', 'merge', { metadata: { labels: { role: 'agent' } } });
    const stop = new AbortController();
    const kubelet = runKubelet(stop.signal);
    try {
      const pods = await until(async () => {
        const ps = await livePods();
        return ps.length === 1 && ps[0]!.spec.nodeName && ps[0]!.spec.containers[0].image === 'busybox:1.37' ? ps : undefined;
      }, 'a single pod on worker-1');
      expect(nodesOf(pods)).toEqual(['worker-1']);
    } finally {
      stop.abort();
      await kubelet;
    }
  });
});
