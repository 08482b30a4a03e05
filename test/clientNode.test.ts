// @kubernetes/client-node, as a program would use it: typed calls and an informer (list + watch).
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';

let cp: ControlPlane;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  cp = await startControlPlane();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
});
afterAll(async () => {
  await cp?.stop();
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node', () => {
  it('creates, reads, replaces and deletes through typed calls', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'typed' }, data: { a: '1' } } });
    expect(created.metadata?.uid).toBeTruthy();
    const read = await core.readNamespacedConfigMap({ name: 'typed', namespace: 'default' });
    expect(read.data).toEqual({ a: '1' });
    read.data = { a: '2' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'typed', namespace: 'default', body: read });
    expect(Number(replaced.metadata!.resourceVersion)).toBeGreaterThan(Number(read.metadata!.resourceVersion));
    // A stale resourceVersion is a 409 Conflict.
    await expect(core.replaceNamespacedConfigMap({ name: 'typed', namespace: 'default', body: read })).rejects.toMatchObject({ code: 409 });
    await core.deleteNamespacedConfigMap({ name: 'typed', namespace: 'default' });
    await expect(core.readNamespacedConfigMap({ name: 'typed', namespace: 'default' })).rejects.toMatchObject({ code: 404 });
  });

  it('an informer sees creates, updates and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'informed' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata!.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata!.name}:${(o as k8s.V1ConfigMap).data?.v}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata!.name}`));
    await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'before' } } });
    await informer.start();
    try {
      await waitFor(() => seen.includes('add:before'));
      await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'cm' }, data: { v: '1' } } });
      await waitFor(() => seen.includes('add:cm'));
      await core.patchNamespacedConfigMap({ name: 'cm', namespace: 'informed', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await waitFor(() => seen.includes('update:cm:2'));
      await core.deleteNamespacedConfigMap({ name: 'cm', namespace: 'informed' });
      await waitFor(() => seen.includes('delete:cm'));
      expect(informer.list().map((o) => o.metadata!.name)).toEqual(['before']);
    } finally {
      await informer.stop();
    }
  });
});
