// The garbage collector against a real API server, with owners and dependents created by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type KubeObject, type OwnerReference } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newGarbageCollector } from './garbageCollector.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const gc = newGarbageCollector({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => gc.run(4, s));
});
afterAll(async () => {
  await h?.stop();
});

const NS = 'default';
const ownerRef = (o: KubeObject, apiVersion: string, kind: string, block = true): OwnerReference => ({ apiVersion, kind, name: o.metadata.name, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: block });
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

async function deployment(name: string) {
  return h.client.r('apps/v1', 'deployments', NS).create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } });
}
async function replicaSet(name: string, owners: OwnerReference[] = []) {
  return h.client.r('apps/v1', 'replicasets', NS).create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, ownerReferences: owners }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } });
}
async function pod(name: string, owners: OwnerReference[], finalizers?: string[]) {
  return h.client.r('v1', 'pods', NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ownerReferences: owners, ...(finalizers ? { finalizers } : {}) }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
}
const gone = (gv: string, plural: string, name: string) => async () => isNotFound(await h.client.r(gv, plural, NS).get(name).catch((e) => e));

describe('garbage collector', () => {
  it('deleting a Deployment removes its ReplicaSet and that one\'s pod (background cascade)', async () => {
    const d = await deployment('web');
    const rs = await replicaSet('web-rs', [ownerRef(d, 'apps/v1', 'Deployment')]);
    await pod('web-pod', [ownerRef(rs, 'apps/v1', 'ReplicaSet')]);
    await h.cp.kubectl(['delete', 'deployment', 'web', '-n', NS]);
    await until(gone('apps/v1', 'replicasets', 'web-rs'), 'the ReplicaSet to go');
    await until(gone('v1', 'pods', 'web-pod'), 'the pod to go');
  });

  it('foreground: the owner stays until its blocking dependents are gone', async () => {
    const rs = await replicaSet('fg-rs');
    await pod('fg-pod', [ownerRef(rs, 'apps/v1', 'ReplicaSet')], ['example.com/hold']);
    await h.client.r('apps/v1', 'replicasets', NS).delete('fg-rs', { propagationPolicy: 'Foreground' });
    // The dependent is deleted (it lingers only for its own finalizer) while the owner waits.
    const p = await until(async () => {
      const x = await h.client.r('v1', 'pods', NS).get('fg-pod');
      return x.metadata.deletionTimestamp ? x : undefined;
    }, 'the pod to be deleted');
    expect(p.metadata.finalizers).toEqual(['example.com/hold']);
    const owner = await h.client.r('apps/v1', 'replicasets', NS).get('fg-rs');
    expect(owner.metadata.finalizers).toContain('foregroundDeletion');
    await h.client.r('v1', 'pods', NS).patch('fg-pod', 'merge', { metadata: { finalizers: null } });
    await until(gone('v1', 'pods', 'fg-pod'), 'the pod to go');
    await until(gone('apps/v1', 'replicasets', 'fg-rs'), 'the ReplicaSet to go after its pod');
  });

  it('orphan: the owner goes, its dependents stay without the reference', async () => {
    const rs = await replicaSet('or-rs');
    await pod('or-pod', [ownerRef(rs, 'apps/v1', 'ReplicaSet')]);
    await h.cp.kubectl(['delete', 'replicaset', 'or-rs', '-n', NS, '--cascade=orphan']);
    await until(gone('apps/v1', 'replicasets', 'or-rs'), 'the ReplicaSet to go');
    const p = await h.client.r('v1', 'pods', NS).get('or-pod');
    expect(p.metadata.ownerReferences ?? []).toEqual([]);
    expect(p.metadata.deletionTimestamp).toBeUndefined();
  });

  it('an object created with an owner that does not exist is deleted', async () => {
    await pod('dangling', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'never-was', uid: '00000000-0000-0000-0000-000000000001' }]);
    await until(gone('v1', 'pods', 'dangling'), 'the pod with a missing owner to go');
  });

  it('with one owner left, only the reference to the gone owner is dropped', async () => {
    const a = await h.client.r('v1', 'configmaps', NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-a' } });
    const b = await h.client.r('v1', 'configmaps', NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-b' } });
    const refA = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-a', uid: a.metadata.uid! };
    const refB = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-b', uid: b.metadata.uid! };
    await h.client.r('v1', 'secrets', NS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'two-owners', ownerReferences: [refA, refB] } });
    await h.client.r('v1', 'configmaps', NS).delete('owner-a');
    const s = await until(async () => {
      const x = await h.client.r('v1', 'secrets', NS).get('two-owners');
      return x.metadata.ownerReferences?.length === 1 ? x : undefined;
    }, 'the dangling reference to be removed');
    expect(s.metadata.ownerReferences).toEqual([refB]);
    await h.client.r('v1', 'configmaps', NS).delete('owner-b');
    await until(gone('v1', 'secrets', 'two-owners'), 'the secret to go with its last owner');
  });
});
