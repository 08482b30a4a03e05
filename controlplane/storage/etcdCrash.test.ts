// Durability and watch resumption against a real etcd that is killed with SIGKILL mid-writes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdServer, startEtcd } from '../../test/support/etcd.ts';
import { recordWatch } from './backendSuite.ts';
import { EtcdBackend } from './etcd.ts';

const ROUNDS = 3;
const MIN_WRITES = 20;
const MAX_EXTRA_WRITES = 200;

let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
}, 120_000);
afterAll(async () => {
  await etcd?.stop();
});

async function connect(): Promise<EtcdBackend> {
  const b = new EtcdBackend({ endpoints: [etcd.endpoint] });
  await b.start();
  return b;
}

describe('EtcdBackend when etcd is killed with SIGKILL', () => {
  it('keeps every acknowledged write across kill and restart, round after round', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = MIN_WRITES + Math.floor(Math.random() * MAX_EXTRA_WRITES);
      const writer = await connect();
      const acked: { key: string; revision: number }[] = [];
      let killed: Promise<void> | undefined;
      // Write until a write fails; the kill lands while writes are in flight.
      for (let i = 0; ; i++) {
        const key = `/registry/crash/r${round}/k${i}`;
        try {
          acked.push({ key, revision: (await writer.create(key, `v${i}`)).revision });
        } catch {
          break;
        }
        if (acked.length === killAfter) killed = etcd.kill();
      }
      await killed;
      await writer.close();
      await etcd.restart();

      const reader = await connect();
      for (const [i, w] of acked.entries()) {
        expect(await reader.get(w.key), `round ${round} (kill after ${killAfter})`).toMatchObject({ value: `v${i}`, modRevision: w.revision });
      }
      const last = acked.at(-1)!.revision;
      expect((await reader.create(`/registry/crash/r${round}/after`, 'ok')).revision).toBeGreaterThan(last);
      await reader.close();
    }
  }, 120_000);

  it('a watch resumes after etcd restarts, without losing or repeating an event', async () => {
    const prefix = `/registry/resume-${Date.now()}/`;
    const store = await connect();
    const rec = await recordWatch(store, prefix, await store.currentRevision());
    const written: number[] = [];
    for (let i = 0; i < 5; i++) written.push((await store.create(`${prefix}a${i}`, 'x')).revision);
    await rec.waitFor(5);

    await etcd.kill();
    await etcd.restart();
    // A second client writes, so the test does not depend on how fast the first one reconnects.
    const writer = await connect();
    for (let i = 0; i < 5; i++) written.push((await writer.create(`${prefix}b${i}`, 'x')).revision);

    const events = await rec.waitFor(10);
    expect(events.map((e) => e.revision)).toEqual(written);
    rec.watcher.close();
    await writer.close();
    await store.close();
  }, 60_000);
});
