// The namespace controller against a real API server: `kubectl delete ns` returns once the
// controller has emptied the namespace and removed its finalizer.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '../../client/index.ts';
import { startHarness, until, type Harness } from './controllerTestHarness.ts';
import { newNamespaceController } from './namespaceController.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const ctrl = newNamespaceController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => ctrl.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

describe('namespace controller', () => {
  it('kubectl delete ns mysql returns after everything in it is gone', async () => {
    await h.cp.kubectl(['apply', '-f', join(EXAMPLES, 'mysql-namespace.yaml')]);
    await h.cp.kubectl(['apply', '-f', EXAMPLES]);
    // Content of several kinds, some of it owned (the garbage collector is not running here).
    const rs = await h.client.r('apps/v1', 'replicasets', 'mysql').create({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'mysql-rs' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await h.client.r('v1', 'pods', 'mysql').create({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'owned', labels: { app: 'x' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'mysql-rs', uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const before = await h.cp.kubectl(['get', 'all,cm,pvc', '-n', 'mysql', '-o', 'name']);
    expect(before.stdout).toContain('deployment.apps/mysql-deploy');
    expect(before.stdout).toContain('pod/mysql-pod');

    await h.cp.kubectl(['delete', 'ns', 'mysql', '--timeout=50s']);

    const ns = await h.client.r('v1', 'namespaces').get('mysql').catch((e) => e);
    expect(isNotFound(ns)).toBe(true);
    for (const [gv, plural] of [['v1', 'pods'], ['v1', 'configmaps'], ['v1', 'persistentvolumeclaims'], ['apps/v1', 'deployments'], ['apps/v1', 'replicasets']]) {
      expect((await h.client.r(gv!, plural!, 'mysql').list()).items, plural).toEqual([]);
    }
  });

  it('waits for content that holds a finalizer, and says so in the namespace conditions', async () => {
    await h.client.r('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' } });
    const cms = h.client.r('v1', 'configmaps', 'held');
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free' } });
    await h.client.r('v1', 'namespaces').delete('held');

    const ns = await until(async () => {
      const n = await h.client.r('v1', 'namespaces').get('held');
      const c = (n.status?.conditions ?? []).find((x: { type: string }) => x.type === 'NamespaceFinalizersRemaining');
      return c?.status === 'True' ? n : undefined;
    }, 'the NamespaceFinalizersRemaining condition');
    expect(ns.status.phase).toBe('Terminating');
    expect(ns.status.conditions.find((c: { type: string }) => c.type === 'NamespaceContentRemaining').message).toBe('Some resources are remaining: configmaps.: 1');
    expect((await cms.list()).items.map((c) => c.metadata.name)).toEqual(['held']);

    await cms.patch('held', 'merge', { metadata: { finalizers: null } });
    await until(async () => isNotFound(await h.client.r('v1', 'namespaces').get('held').catch((e) => e)), 'namespace held to go');
  });
});
