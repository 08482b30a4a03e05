// The resource client against a real API server: paths, verbs, patch content types, Status
// errors and the watch stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { createClient, type ClosableClient } from './resourceClient.ts';
import { ApiStatusError, isAlreadyExists, isConflict, isGone, isNotFound, type KubeObject, type WatchEvent } from './types.ts';

let cp: ControlPlane;
let client: ClosableClient;

beforeAll(async () => {
  cp = await startControlPlane({ args: ['--compaction-interval', '1', '--compaction-retain', '5'] });
  client = createClient(loadKubeconfig(cp.kubeconfig), { userAgent: 'k8ts-client-test' });
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

const cm = (name: string, data: Record<string, string> = { k: 'v' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

async function until(cond: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

describe('ResourceClient', () => {
  it('creates, gets, lists, updates and deletes, with 404 and 409 as ApiStatusError', async () => {
    const cms = client.r('v1', 'configmaps', 'default');
    const created = await cms.create(cm('crud'));
    expect(created.metadata.uid).toBeTruthy();
    expect((await cms.get('crud')).data).toEqual({ k: 'v' });

    const dup = await cms.create(cm('crud')).catch((e) => e);
    expect(dup).toBeInstanceOf(ApiStatusError);
    expect(isAlreadyExists(dup)).toBe(true);
    expect(dup.code).toBe(409);

    const updated = await cms.update({ ...created, data: { k: 'v2' } });
    expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    const stale = await cms.update({ ...created, data: { k: 'v3' } }).catch((e) => e);
    expect(isConflict(stale)).toBe(true);
    expect(stale.reason).toBe('Conflict');

    const list = await cms.list();
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    const item = list.items.find((i) => i.metadata.name === 'crud')!;
    expect(item.kind).toBe('ConfigMap'); // list items name their type
    expect(item.apiVersion).toBe('v1');

    await cms.delete('crud');
    const missing = await cms.get('crud').catch((e) => e);
    expect(isNotFound(missing)).toBe(true);
    expect(missing.message).toContain('"crud" not found');
    expect(missing.status?.kind).toBe('Status');
  });

  it('routes group, cluster-scoped and all-namespaces paths', async () => {
    await client.r('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    await client.r('v1', 'configmaps', 'other').create(cm('in-other'));
    await client.r('v1', 'configmaps', 'default').create(cm('in-default'));
    const all = await client.r('v1', 'configmaps').list();
    const names = all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['other/in-other', 'default/in-default']));
    const one = await client.r('v1', 'configmaps').list({ fieldSelector: 'metadata.namespace=other' });
    expect(one.items.map((i) => i.metadata.name)).toContain('in-other');

    const deploys = client.r('apps/v1', 'deployments', 'default');
    const d = await deploys.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    expect(d.metadata.generation).toBe(1);
    const withStatus = await deploys.updateStatus({ ...d, status: { observedGeneration: 1, replicas: 0 } });
    expect(withStatus.status.observedGeneration).toBe(1);
    expect(() => client.r('nope/v1', 'things')).toThrow(/unknown resource/);
  });

  it('sends each patch type with its content type', async () => {
    const cms = client.r('v1', 'configmaps', 'default');
    await cms.create(cm('patched', { a: '1', b: '2' }));
    let p = await cms.patch('patched', 'merge', { data: { b: null, c: '3' } });
    expect(p.data).toEqual({ a: '1', c: '3' });
    p = await cms.patch('patched', 'strategic', { metadata: { labels: { tier: 'x' } } });
    expect(p.metadata.labels).toEqual({ tier: 'x' });
    p = await cms.patch('patched', 'json', [{ op: 'replace', path: '/data/a', value: 'one' }]);
    expect(p.data.a).toBe('one');
    p = await cms.patch('patched', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched' }, data: { applied: 'yes' } }, { fieldManager: 'test', force: true });
    expect(p.data.applied).toBe('yes');
    await expect(cms.patch('patched', 'apply', {})).rejects.toThrow(/fieldManager/);
    const bad = await cms.patch('patched', 'json', [{ op: 'test', path: '/data/a', value: 'nope' }]).catch((e) => e);
    expect(bad).toBeInstanceOf(ApiStatusError);
    expect(bad.code).toBeGreaterThanOrEqual(400);
  });

  it('posts to a subresource (pods/binding) and deletes with options', async () => {
    await client.r('v1', 'nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
    const pods = client.r('v1', 'pods', 'default');
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await pods.createSubresource('bound', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } });
    expect((await pods.get('bound')).spec.nodeName).toBe('node-a');
    await pods.delete('bound', { gracePeriodSeconds: 0 });
    await until(async () => isNotFound(await pods.get('bound').catch((e) => e)));
  });

  it('watches: events in order, partial chunks joined, resolves when aborted', async () => {
    const cms = client.r('v1', 'configmaps', 'default');
    const start = await cms.list();
    const seen: string[] = [];
    const stop = new AbortController();
    const done = cms.watch({ resourceVersion: start.metadata.resourceVersion }, (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`), stop.signal);
    await cms.create(cm('w1'));
    await cms.patch('w1', 'merge', { data: { k: 'changed' } });
    await cms.delete('w1');
    await until(() => seen.length >= 3);
    stop.abort();
    await done;
    expect(seen).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  it('resolves when the server ends the watch (timeoutSeconds)', async () => {
    const stop = new AbortController();
    await client.r('v1', 'configmaps', 'default').watch({ timeoutSeconds: 1 }, () => {}, stop.signal);
  });

  it('rejects with 410 Gone (never an onEvent ERROR) when the resourceVersion was compacted', async () => {
    const cms = client.r('v1', 'configmaps', 'default');
    const old = (await cms.list()).metadata.resourceVersion;
    for (let i = 0; i < 10; i++) await cms.create(cm(`churn-${i}`));
    // Compaction runs every second keeping 5 revisions: wait until the old version is gone.
    let err: unknown;
    const events: WatchEvent[] = [];
    await until(async () => {
      events.length = 0;
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), 200);
      err = await cms.watch({ resourceVersion: old }, (ev) => events.push(ev), stop.signal).then(() => undefined, (e) => e);
      clearTimeout(timer);
      return err !== undefined;
    });
    expect(isGone(err)).toBe(true);
    expect(events.some((e) => e.type === 'ERROR')).toBe(false);
  });
});
