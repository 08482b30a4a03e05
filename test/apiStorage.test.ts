// Storage as seen through the API: a kill -9 loses no acknowledged write, history older than
// compaction is 410 Gone for watches and continue tokens, and the same API works on real etcd.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';
import { startEtcd, type EtcdServer } from './support/etcd.ts';
import { rawClient } from './support/rawClient.ts';

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, v: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a crash loses no acknowledged write', () => {
  it('kill -9 during writes, restart on the same data dir: every 201 is there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    for (let round = 0; round < 3; round++) {
      const cp = await startControlPlane({ dataDir });
      cleanups.push(() => cp.stop());
      const api = rawClient(cp.url, dataDir);
      const acked: string[] = [];
      let stop = false;
      const writers = [0, 1, 2, 3].map(async (w) => {
        for (let i = 0; !stop && i < 400; i++) {
          const name = `r${round}-w${w}-${i}`;
          try {
            const res = await api.request('POST', CM, cm(name, name));
            if (res.status === 201) acked.push(name);
          } catch {
            return; // the server died under this request: not acknowledged
          }
        }
      });
      const target = 20 + Math.floor(Math.random() * 100);
      while (acked.length < target) await new Promise((r) => setTimeout(r, 5));
      await cp.crash();
      stop = true;
      await Promise.all(writers);
      api.close();

      const again = await startControlPlane({ dataDir });
      const check = rawClient(again.url, dataDir);
      const list = (await check.request('GET', CM)).json();
      const stored = new Map(list.items.map((o: any) => [o.metadata.name, o.data.v]));
      for (const name of acked) expect(stored.get(name), name).toBe(name);
      check.close();
      await again.stop();
    }
  }, 240_000); // three rounds of start, writes, kill -9 and restart
});

async function watchLines(cp: ControlPlane, path: string): Promise<any[]> {
  const api = rawClient(cp.url, cp.dataDir);
  try {
    const res = await api.request('GET', path);
    return res.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } finally {
    api.close();
  }
}

function storageSuite(name: string, start: () => Promise<ControlPlane>) {
  describe(`history and compaction through the API (${name})`, () => {
    it('a watch from a revision still in history replays every change in order', async () => {
      const cp = await start();
      cleanups.push(() => cp.stop());
      const api = rawClient(cp.url, cp.dataDir);
      const first = (await api.request('POST', CM, cm('hist', '0'))).json();
      for (let i = 1; i <= 3; i++) {
        const res = await api.request('PATCH', `${CM}/hist`, JSON.stringify({ data: { v: String(i) } }), { 'Content-Type': 'application/merge-patch+json' });
        expect(res.status).toBe(200);
      }
      await api.request('DELETE', `${CM}/hist`);
      const events = await watchLines(cp, `${CM}?watch=1&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=1&fieldSelector=metadata.name%3Dhist`);
      expect(events.map((e) => `${e.type}:${e.object.data?.v}`)).toEqual(['MODIFIED:1', 'MODIFIED:2', 'MODIFIED:3', 'DELETED:3']);
      api.close();
    });

    it('a watch or continue token older than compaction gets 410 Gone', async () => {
      const cp = await start();
      cleanups.push(() => cp.stop());
      const api = rawClient(cp.url, cp.dataDir);
      for (let i = 0; i < 4; i++) expect((await api.request('POST', CM, cm(`page-${i}`, 'x'))).status).toBe(201);
      const page = (await api.request('GET', `${CM}?limit=2`)).json();
      expect(page.metadata.continue).toBeTruthy();
      const oldRv = page.metadata.resourceVersion;
      for (let i = 0; i < 30; i++) await api.request('POST', CM, cm(`later-${i}`, 'x'));
      // compaction runs every second keeping 5 revisions: wait until it passed oldRv
      let events: any[] = [];
      for (let t = 0; t < 50; t++) {
        events = await watchLines(cp, `${CM}?watch=1&resourceVersion=${oldRv}&timeoutSeconds=1`);
        if (events[0]?.type === 'ERROR') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(events[0].type).toBe('ERROR');
      expect(events[0].object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
      expect(events[0].object.message).toContain('too old resource version');
      const expired = await api.request('GET', `${CM}?limit=2&continue=${encodeURIComponent(page.metadata.continue)}`);
      expect(expired.status).toBe(410);
      expect(expired.json().reason).toBe('Expired');
      api.close();
    });
  });
}

const compacting = ['--compaction-interval', '1', '--compaction-retain', '5'];
storageSuite('sqlite', () => startControlPlane({ args: compacting }));

let etcd: EtcdServer | undefined;
storageSuite('etcd', async () => {
  if (!etcd) {
    etcd = await startEtcd();
    const e = etcd;
    cleanups.unshift(() => e.stop());
  }
  return startControlPlane({ args: [...compacting, '--storage', 'etcd', '--etcd-servers', etcd.endpoint] });
});
