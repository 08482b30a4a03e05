// Watch semantics through the API: initial state, selector transitions, single-object watches,
// Table events for kubectl get -w, bookmarks and timeoutSeconds.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';
import { rawClient, type RawClient } from './support/rawClient.ts';

let cp: ControlPlane;
let api: RawClient;
const CM = '/api/v1/namespaces/default/configmaps';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

beforeAll(async () => {
  cp = await startControlPlane({ args: ['--watch-bookmark-interval', '1'] });
  api = rawClient(cp.url, cp.dataDir);
});
afterAll(async () => {
  api?.close();
  await cp?.stop();
});

interface Stream {
  events: any[];
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch and collects its events as they arrive. */
function openWatch(path: string, headers: Record<string, string> = {}): Promise<Stream> {
  const pki = join(cp.dataDir, 'pki');
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cp.url), { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')), headers }, (res) => {
      const events: any[] = [];
      let buf = '';
      const ended = new Promise<void>((r) => res.on('end', () => r()).on('close', () => r()));
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
      });
      resolve({ events, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const cm = (name: string, labels: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels } });

describe('watch', () => {
  it('without resourceVersion starts with the current objects as ADDED', async () => {
    await api.request('POST', CM, cm('existing'));
    const w = await openWatch(`${CM}?watch=1`);
    await until(() => w.events.some((e) => e.object.metadata.name === 'existing'));
    expect(w.events[0].type).toBe('ADDED');
    w.close();
  });

  it('a label selector turns label changes into ADDED and DELETED', async () => {
    const list = (await api.request('GET', CM)).json();
    const w = await openWatch(`${CM}?watch=1&resourceVersion=${list.metadata.resourceVersion}&labelSelector=tier%3Dweb`);
    await api.request('POST', CM, cm('moving'));
    await api.request('PATCH', `${CM}/moving`, JSON.stringify({ metadata: { labels: { tier: 'web' } } }), MERGE);
    await api.request('PATCH', `${CM}/moving`, JSON.stringify({ data: { a: 'b' } }), MERGE);
    await api.request('PATCH', `${CM}/moving`, JSON.stringify({ metadata: { labels: { tier: null } } }), MERGE);
    await until(() => w.events.length >= 3);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    w.close();
  });

  it('a watch on one named object sees only it', async () => {
    const list = (await api.request('GET', CM)).json();
    const w = await openWatch(`${CM}?watch=1&resourceVersion=${list.metadata.resourceVersion}&fieldSelector=metadata.name%3Done`);
    await api.request('POST', CM, cm('other'));
    await api.request('POST', CM, cm('one'));
    await until(() => w.events.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:one']);
    w.close();
  });

  it('Table watches send column definitions once, then rows', async () => {
    const list = (await api.request('GET', CM)).json();
    const w = await openWatch(`${CM}?watch=1&resourceVersion=${list.metadata.resourceVersion}`, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    await api.request('POST', CM, cm('t1'));
    await api.request('POST', CM, cm('t2'));
    await until(() => w.events.length >= 2);
    expect(w.events[0].object.kind).toBe('Table');
    expect(w.events[0].object.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(w.events[0].object.rows[0].cells[0]).toBe('t1');
    expect(w.events[1].object.columnDefinitions).toEqual([]);
    expect(w.events[1].object.rows[0].object.kind).toBe('PartialObjectMetadata');
    w.close();
  });

  it('sends BOOKMARK events with the current resourceVersion when allowed', async () => {
    const list = (await api.request('GET', CM)).json();
    const w = await openWatch(`${CM}?watch=1&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`);
    const created = (await api.request('POST', CM, cm('marked'))).json();
    await until(() => w.events.some((e) => e.type === 'BOOKMARK'), 5_000);
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark.object.kind).toBe('ConfigMap');
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
    w.close();
  });

  it('timeoutSeconds ends the stream', async () => {
    const w = await openWatch(`${CM}?watch=1&timeoutSeconds=1`);
    await w.ended;
    expect(w.events.length).toBeGreaterThan(0); // the initial ADDED events came first
  });

  it('a resourceVersion that is not a number is a 400', async () => {
    const res = await api.request('GET', `${CM}?watch=1&resourceVersion=abc`);
    expect(res.status).toBe(400);
    expect(res.json().kind).toBe('Status');
  });
});
