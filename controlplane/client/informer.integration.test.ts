// Shared informers against a real API server: handlers, lister and indexes; recovery from 410
// Gone (compaction every second, 5 revisions kept) and from the API server restarting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../api/resources.ts';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { sleep } from './backoff.ts';
import { SharedInformer } from './informer.ts';
import { createInformerFactory } from './informerFactory.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import type { ListerWatcher } from './reflector.ts';
import { createClient, type ClosableClient } from './resourceClient.ts';
import { isGone, type KubeObject } from './types.ts';

const COMPACTION = ['--compaction-interval', '1', '--compaction-retain', '5'];
const silent = pino({ level: 'silent' });
const podsResource = findResource('', 'v1', 'pods')!;
const cleanups: (() => Promise<void> | void)[] = [];
let cp: ControlPlane;
let client: ClosableClient;

beforeAll(async () => {
  cp = await startControlPlane({ args: COMPACTION });
  client = createClient(loadKubeconfig(cp.kubeconfig));
  await client.r('v1', 'nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  client?.close();
  await cp?.stop();
});

const pod = (name: string, ns = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

async function until(cond: () => boolean | Promise<boolean>, what = 'condition') {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} not reached`);
}

function recorder() {
  const seen: string[] = [];
  return {
    seen,
    has: (s: string) => seen.includes(s),
    handlers: {
      onAdd: (o: KubeObject) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (a: KubeObject, b: KubeObject) => a !== b && seen.push(`update ${b.metadata.name}`),
      onDelete: (o: KubeObject) => seen.push(`delete ${o.metadata.name}`),
    },
  };
}

/** Waits until the API server has compacted past `rv` (a watch from it answers 410). */
async function waitCompacted(rv: string) {
  await until(async () => {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 100);
    const err = await client.r('v1', 'pods', 'default').watch({ resourceVersion: rv }, () => {}, stop.signal).then(() => undefined, (e) => e);
    clearTimeout(timer);
    return isGone(err);
  }, `compaction past ${rv}`);
}

describe('shared informer (API server)', () => {
  it('delivers add/update/delete; lister, namespace and nodeName indexes follow; factory shares one informer', async () => {
    const factory = createInformerFactory(client, { logger: silent });
    const inf = factory.informerFor(podsResource);
    expect(factory.informerFor(podsResource)).toBe(inf);
    const r = recorder();
    inf.addEventHandler(r.handlers);
    const stop = new AbortController();
    cleanups.push(() => stop.abort());
    factory.start(stop.signal);
    await factory.waitForSync(stop.signal);

    const pods = client.r('v1', 'pods', 'default');
    await pods.create(pod('p1'));
    await pods.create(pod('p2'));
    await until(() => r.has('add p1') && r.has('add p2'), 'adds');
    await pods.createSubresource('p1', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } });
    await until(() => r.has('update p1'), 'update');
    expect(inf.lister.byIndex('nodeName', 'n1').map((p) => p.metadata.name)).toEqual(['p1']);
    expect(inf.lister.get('default', 'p2')?.kind).toBe('Pod');
    expect(inf.lister.list('default').length).toBeGreaterThanOrEqual(2);

    await pods.delete('p2', { gracePeriodSeconds: 0 });
    await until(() => r.has('delete p2'), 'delete');
    expect(inf.lister.get('default', 'p2')).toBeUndefined();

    // A namespaced informer is a different one, and a late waitForSync covers it.
    const nsInf = factory.informerFor(podsResource, 'default');
    expect(nsInf).not.toBe(inf);
    await factory.waitForSync(stop.signal);
    expect(nsInf.lister.get('default', 'p1')).toBeDefined();
  });

  it('relists after 410 Gone and synthesizes deletes for objects removed while it was not watching', async () => {
    const pods = client.r('v1', 'pods', 'gone-test');
    await client.r('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone-test' } });
    await pods.create(pod('stays', 'gone-test'));
    await pods.create(pod('vanishes', 'gone-test'));

    // The first watch ends at once; the second is held back until the list's version is compacted.
    let gate!: () => void;
    const gateOpen = new Promise<void>((r) => (gate = r));
    let watches = 0;
    let lists = 0;
    const lw: ListerWatcher<KubeObject> = {
      list: (o) => (lists++, pods.list(o)),
      async watch(opts, onEvent, signal) {
        watches++;
        if (watches === 1) return;
        if (watches === 2) await gateOpen;
        return pods.watch(opts, onEvent, signal);
      },
    };
    const inf = new SharedInformer(lw, { logger: silent, name: 'gone-test/pods' });
    const r = recorder();
    inf.addEventHandler(r.handlers);
    const stop = new AbortController();
    cleanups.push(() => stop.abort());
    inf.run(stop.signal);
    await until(() => inf.hasSynced() && watches === 2, 'first list');
    const listedAt = inf.reflector.lastSyncResourceVersion;

    await pods.delete('vanishes', { gracePeriodSeconds: 0 });
    await pods.create(pod('appears', 'gone-test'));
    for (let i = 0; i < 6; i++) await client.r('v1', 'configmaps', 'default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `churn-${i}` } });
    await waitCompacted(listedAt);
    gate();

    await until(() => r.has('delete vanishes') && r.has('add appears'), 'relist diff');
    expect(lists).toBe(2);
    expect(inf.lister.list('gone-test').map((p) => p.metadata.name).sort()).toEqual(['appears', 'stays']);
  });
});

describe('shared informer across an API server restart', () => {
  it('reconnects to the restarted server and catches up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-restart-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let server = await startControlPlane({ dataDir });
    cleanups.push(() => server.stop());
    // The restarted server listens on a new port: list/watch always go to the current one.
    let current = createClient(loadKubeconfig(server.kubeconfig));
    const lw: ListerWatcher<KubeObject> = {
      list: (o) => current.r('v1', 'pods', 'default').list(o),
      watch: (o, on, s) => current.r('v1', 'pods', 'default').watch(o, on, s),
    };
    // Short waits between retries; the backoff arithmetic is covered by informer.test.ts.
    const inf = new SharedInformer(lw, { logger: silent, reflector: { sleep: (_ms, s) => sleep(50, s) } });
    const r = recorder();
    inf.addEventHandler(r.handlers);
    const stop = new AbortController();
    cleanups.push(() => stop.abort());
    inf.run(stop.signal);
    await current.r('v1', 'pods', 'default').create(pod('before'));
    await until(() => r.has('add before'), 'add before restart');

    await server.stop();
    current.close();
    server = await startControlPlane({ dataDir });
    current = createClient(loadKubeconfig(server.kubeconfig));
    cleanups.push(() => current.close());
    await current.r('v1', 'pods', 'default').create(pod('after'));
    await current.r('v1', 'pods', 'default').delete('before', { gracePeriodSeconds: 0 });

    await until(() => r.has('add after') && r.has('delete before'), 'catch up after restart');
    expect(inf.lister.list().map((p) => p.metadata.name)).toEqual(['after']);
  });
});
