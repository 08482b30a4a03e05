// The StatefulSet controller against a real API server (no scheduler, no kubelet: the test marks
// pods Running and Ready itself, one at a time, to watch the ordering).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../api/resources.ts';
import type { KubeObject } from '../../client/types.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { markPodReady } from '../controllerUtils/testing/fakeKubelet.ts';
import { newStatefulSetController } from './statefulSetController.ts';

const PODS = findResource('', 'v1', 'pods')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const STS = findResource('apps', 'v1', 'statefulsets')!;
const REVISIONS = findResource('apps', 'v1', 'controllerrevisions')!;
const NS = 'default';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const c = newStatefulSetController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((signal) => c.run(2, signal));
});

afterAll(async () => {
  await h?.stop();
});

function statefulSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...extra,
    },
  };
}

const livePods = async (app: string) =>
  (await h.client.resource(PODS, NS).list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
const getSet = (name: string) => h.client.resource(STS, NS).get(name);
/** Pods are deleted gracefully by the API server only when bound; unbound ones go at once. */
const podNames = (names: string[]) => async () => {
  const have = await livePods(names[0]!.replace(/-\d+$/, ''));
  return JSON.stringify(have) === JSON.stringify(names) ? have : undefined;
};

describe('statefulset controller', () => {
  it('creates web-0 with its claim first, web-1 only after web-0 is Ready, and reports status', async () => {
    await h.client.resource(STS, NS).create(statefulSet('web', 3));
    await until(podNames(['web-0']), 'web-0');
    const pvc = await until(() => h.client.resource(PVCS, NS).get('data-web-0'), 'data-web-0');
    expect(pvc.metadata.labels).toEqual({ app: 'web' });
    const web0 = await h.client.resource(PODS, NS).get('web-0');
    expect(web0.spec).toMatchObject({ hostname: 'web-0', subdomain: 'web', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }] });
    expect(web0.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0' });
    const revision = web0.metadata.labels!['controller-revision-hash']!;
    expect(revision).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const cr = await h.client.resource(REVISIONS, NS).get(revision);
    expect(cr).toMatchObject({ revision: 1, metadata: { ownerReferences: [{ kind: 'StatefulSet', name: 'web', controller: true }] } });

    // web-0 is not Ready: nothing else happens. Status says one replica, none ready.
    await until(async () => (await getSet('web')).status?.replicas === 1, 'status.replicas 1');
    expect(await livePods('web')).toEqual(['web-0']);

    await markPodReady(h.client, NS, 'web-0');
    await until(podNames(['web-0', 'web-1']), 'web-1 after web-0 is Ready');
    await markPodReady(h.client, NS, 'web-1');
    await until(podNames(['web-0', 'web-1', 'web-2']), 'web-2 after web-1 is Ready');
    await markPodReady(h.client, NS, 'web-2');
    const status = await until(async () => {
      const s = await getSet('web');
      return s.status?.readyReplicas === 3 ? s.status : undefined;
    }, 'readyReplicas 3');
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: revision, updateRevision: revision, collisionCount: 0 });
    const claims = (await h.client.resource(PVCS, NS).list()).items.map((c) => c.metadata.name).sort();
    expect(claims).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
  });

  it('scales down from the highest ordinal and keeps the claims', async () => {
    // Unbound pods are removed at once: a watch sees the order of the deletions.
    const deleted: string[] = [];
    const stopWatch = new AbortController();
    const { resourceVersion } = (await h.client.resource(PODS, NS).list({ labelSelector: 'app=web' })).metadata;
    const watching = h.client.resource(PODS, NS).watch({ labelSelector: 'app=web', resourceVersion }, (ev) => ev.type === 'DELETED' && deleted.push(ev.object.metadata.name), stopWatch.signal);
    try {
      await h.client.resource(STS, NS).patch('web', 'merge', { spec: { replicas: 1 } });
      await until(podNames(['web-0']), 'web-2 and web-1 removed');
      await until(() => deleted.length === 2, 'both deletions watched');
    } finally {
      stopWatch.abort();
      await watching.catch(() => undefined);
    }
    expect(deleted).toEqual(['web-2', 'web-1']);
    const claims = (await h.client.resource(PVCS, NS).list()).items.map((c) => c.metadata.name).sort();
    expect(claims).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
    const events = (await h.client.r('v1', 'events', NS).list()).items.filter((e) => e.involvedObject.name === 'web').map((e) => `${e.reason}: ${e.message}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success',
        'SuccessfulCreate: create Pod web-0 in StatefulSet web successful',
        'SuccessfulDelete: delete Pod web-2 in StatefulSet web successful',
      ]),
    );
  });

  it('a template change rolls the pod onto a new revision', async () => {
    const before = (await getSet('web')).status!.currentRevision;
    await h.client.resource(STS, NS).patch('web', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.23' }] } } } });
    const pod = await until(async () => {
      const p = await h.client.resource(PODS, NS).get('web-0').catch(() => undefined);
      return p && p.metadata.labels!['controller-revision-hash'] !== before ? p : undefined;
    }, 'web-0 at the new revision');
    expect(pod.spec.containers[0].image).toBe('nginx:1.23');
    await markPodReady(h.client, NS, 'web-0');
    const status = await until(async () => {
      const s = (await getSet('web')).status;
      return s?.currentRevision !== before && s?.readyReplicas === 1 ? s : undefined;
    }, 'the update to complete');
    expect(status.updateRevision).toBe(pod.metadata.labels!['controller-revision-hash']);
    const revs = (await h.client.resource(REVISIONS, NS).list()).items.map((r) => r.revision).sort();
    expect(revs).toEqual([1, 2]);
  });

  it('Parallel creates every pod without waiting', async () => {
    await h.client.resource(STS, NS).create(statefulSet('par', 3, { podManagementPolicy: 'Parallel', volumeClaimTemplates: [] }));
    await until(podNames(['par-0', 'par-1', 'par-2']), 'all three pods');
  });
});
