// The behaviour every storage backend must share, run against each of them (sqlite.test.ts,
// etcd.test.ts). The API server relies on exactly these promises: one revision counter, CAS on
// modRevision, lists at a revision, and watches that never skip or repeat an event.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, CompactedError, KeyExistsError, StorageError, type WatchEvent, type Watcher } from './types.ts';

/** Events seen by one watch, and a way to wait for the next ones. */
export interface WatchRecorder {
  events: WatchEvent[];
  errors: Error[];
  /** Resolves once at least n events arrived (rejects if the watch fails first). */
  waitFor(n: number): Promise<WatchEvent[]>;
  watcher: Watcher;
}

export async function recordWatch(b: Backend, prefix: string, fromRevision: number): Promise<WatchRecorder> {
  const events: WatchEvent[] = [];
  const errors: Error[] = [];
  let wake = () => {};
  const watcher = await b.watch(prefix, fromRevision, {
    onEvent: (batch) => { events.push(...batch); wake(); },
    onError: (err) => { errors.push(err); wake(); },
  });
  const waitFor = (n: number) =>
    new Promise<WatchEvent[]>((resolve, reject) => {
      const check = () => {
        if (errors.length > 0) reject(errors[0]);
        else if (events.length >= n) resolve(events.slice());
        else return false;
        return true;
      };
      if (!check()) wake = () => { if (check()) wake = () => {}; };
    });
  return { events, errors, waitFor, watcher };
}

/** Watching from a compacted revision fails either at once or through onError. */
async function watchError(b: Backend, prefix: string, fromRevision: number): Promise<unknown> {
  try {
    const rec = await recordWatch(b, prefix, fromRevision);
    try {
      await rec.waitFor(Number.MAX_SAFE_INTEGER);
    } finally {
      rec.watcher.close();
    }
  } catch (err) {
    return err;
  }
  return undefined;
}

let suiteCounter = 0;

/** make() returns a backend that is not started yet; each test starts and closes its own. */
export function backendSuite(name: string, make: () => Promise<Backend>): void {
  describe(`storage backend: ${name}`, () => {
    let b: Backend;
    let p: string; // a key prefix no other test uses
    const watchers: Watcher[] = [];

    beforeEach(async () => {
      b = await make();
      await b.start();
      p = `/registry/t${process.pid}-${Date.now()}-${suiteCounter++}/`;
    });
    afterEach(async () => {
      for (const w of watchers.splice(0)) w.close();
      await b.close();
    });
    const watch = async (prefix: string, from: number) => {
      const rec = await recordWatch(b, prefix, from);
      watchers.push(rec.watcher);
      return rec;
    };

    it('create returns the new revision and get returns the value with it', async () => {
      const { revision } = await b.create(p + 'a', '{"v":1}');
      expect(await b.get(p + 'a')).toEqual({ key: p + 'a', value: '{"v":1}', createRevision: revision, modRevision: revision });
      expect(await b.currentRevision()).toBe(revision);
    });

    it('get of a missing key is undefined', async () => {
      expect(await b.get(p + 'missing')).toBeUndefined();
    });

    it('every write takes the next revision of one counter shared by all keys', async () => {
      const r1 = (await b.create(p + 'a', '1')).revision;
      const r2 = (await b.create(p + 'b', '1')).revision;
      const r3 = await b.update(p + 'a', '2', r1);
      expect(r2).toBeGreaterThan(r1);
      expect(r3.ok && r3.revision).toBeGreaterThan(r2);
    });

    it('create of an existing key fails with KeyExistsError', async () => {
      await b.create(p + 'a', '1');
      await expect(b.create(p + 'a', '2')).rejects.toBeInstanceOf(KeyExistsError);
      expect((await b.get(p + 'a'))?.value).toBe('1');
    });

    it('a deleted key can be created again, with a new create revision', async () => {
      const r1 = (await b.create(p + 'a', '1')).revision;
      await b.delete(p + 'a', r1);
      const r2 = (await b.create(p + 'a', '2')).revision;
      expect(await b.get(p + 'a')).toMatchObject({ value: '2', createRevision: r2, modRevision: r2 });
    });

    it('update with the current modRevision writes and keeps the create revision', async () => {
      const r1 = (await b.create(p + 'a', '1')).revision;
      const res = await b.update(p + 'a', '2', r1);
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      expect(await b.get(p + 'a')).toEqual({ key: p + 'a', value: '2', createRevision: r1, modRevision: res.revision });
    });

    it('update with a stale modRevision changes nothing and returns the current value', async () => {
      const r1 = (await b.create(p + 'a', '1')).revision;
      const r2 = await b.update(p + 'a', '2', r1);
      const stale = await b.update(p + 'a', '3', r1);
      expect(stale).toEqual({ ok: false, current: { key: p + 'a', value: '2', createRevision: r1, modRevision: r2.ok && r2.revision } });
      expect((await b.get(p + 'a'))?.value).toBe('2');
    });

    it('update of a missing key fails with no current value', async () => {
      expect(await b.update(p + 'missing', '1', 5)).toEqual({ ok: false, current: undefined });
    });

    it('delete is compare-and-swap on modRevision', async () => {
      const r1 = (await b.create(p + 'a', '1')).revision;
      const r2 = await b.update(p + 'a', '2', r1);
      const stale = await b.delete(p + 'a', r1);
      expect(stale.ok).toBe(false);
      expect(!stale.ok && stale.current?.value).toBe('2');
      const res = await b.delete(p + 'a', r2.ok ? r2.revision : -1);
      expect(res.ok).toBe(true);
      expect(await b.get(p + 'a')).toBeUndefined();
    });

    it('delete with expected revision 0 is unconditional; deleting a missing key fails', async () => {
      await b.create(p + 'a', '1');
      const res = await b.delete(p + 'a', 0);
      expect(res.ok && res.revision).toBe(await b.currentRevision());
      expect(await b.delete(p + 'a', 0)).toEqual({ ok: false, current: undefined });
    });

    it('list returns only keys under the prefix, in key order', async () => {
      const pods = p + 'pods/';
      await b.create(pods + 'ns/b', 'b');
      await b.create(p + 'podsx/ns/a', 'x');
      await b.create(pods + 'ns/a', 'a');
      await b.create(p + 'pod', 'y');
      const res = await b.list(pods);
      expect(res.kvs.map((kv) => kv.key)).toEqual([pods + 'ns/a', pods + 'ns/b']);
      expect(res.more).toBe(false);
      expect(res.revision).toBe(await b.currentRevision());
    });

    it('list skips deleted keys', async () => {
      const r = (await b.create(p + 'a', '1')).revision;
      await b.create(p + 'b', '1');
      await b.delete(p + 'a', r);
      expect((await b.list(p)).kvs.map((kv) => kv.key)).toEqual([p + 'b']);
    });

    it('list pages with limit and startKey yield every key exactly once', async () => {
      const keys = Array.from({ length: 23 }, (_, i) => `${p}k${String(i).padStart(3, '0')}`);
      for (const k of keys) await b.create(k, k);
      const first = await b.list(p, { limit: 5 });
      const seen: string[] = first.kvs.map((kv) => kv.key);
      let more = first.more;
      while (more) {
        // Continue after the last key at the same revision, as the apiserver's continue token does.
        const page = await b.list(p, { limit: 5, revision: first.revision, startKey: seen[seen.length - 1] + '\x00' });
        expect(page.revision).toBe(first.revision);
        seen.push(...page.kvs.map((kv) => kv.key));
        more = page.more;
      }
      expect(seen).toEqual(keys);
    });

    it('list with a limit equal to the number of keys reports no more', async () => {
      await b.create(p + 'a', '1');
      await b.create(p + 'b', '1');
      expect((await b.list(p, { limit: 2 })).more).toBe(false);
      expect((await b.list(p, { limit: 1 })).more).toBe(true);
    });

    it('list at an older revision shows the state as it was then', async () => {
      const ra = (await b.create(p + 'a', 'a1')).revision;
      const rb = (await b.create(p + 'b', 'b1')).revision;
      await b.update(p + 'a', 'a2', ra);
      await b.delete(p + 'b', rb);
      await b.create(p + 'c', 'c1');
      const then = await b.list(p, { revision: rb });
      expect(then.revision).toBe(rb);
      expect(then.kvs.map((kv) => [kv.key, kv.value])).toEqual([[p + 'a', 'a1'], [p + 'b', 'b1']]);
      const now = await b.list(p);
      expect(now.kvs.map((kv) => [kv.key, kv.value])).toEqual([[p + 'a', 'a2'], [p + 'c', 'c1']]);
    });

    it('count counts live keys under the prefix', async () => {
      const r = (await b.create(p + 'a', '1')).revision;
      await b.create(p + 'b', '1');
      await b.create(p + 'c', '1');
      await b.create(p.slice(0, -1) + 'x/d', '1');
      await b.delete(p + 'a', r);
      expect(await b.count(p)).toBe(2);
    });

    it('watch from the current revision sees creates, updates and deletes in order', async () => {
      const rec = await watch(p, await b.currentRevision());
      const r1 = (await b.create(p + 'a', '1')).revision;
      const r2 = await b.update(p + 'a', '2', r1);
      const r3 = await b.delete(p + 'a', r2.ok ? r2.revision : 0);
      const [c, u, d] = await rec.waitFor(3);
      const rev2 = r2.ok ? r2.revision : -1;
      const rev3 = r3.ok ? r3.revision : -1;
      expect(c).toEqual({ type: 'create', kv: { key: p + 'a', value: '1', createRevision: r1, modRevision: r1 }, revision: r1 });
      expect(u).toMatchObject({ type: 'update', revision: rev2, kv: { value: '2', createRevision: r1, modRevision: rev2 }, prevKv: { value: '1', modRevision: r1 } });
      // A delete event carries the last value, stamped with the delete's revision.
      expect(d).toMatchObject({ type: 'delete', revision: rev3, kv: { key: p + 'a', value: '2', createRevision: r1, modRevision: rev3 }, prevKv: { value: '2', modRevision: rev2 } });
      expect(rec.events).toHaveLength(3);
    });

    it('watch from an older revision replays history, then continues live without gap or duplicate', async () => {
      const written: number[] = [];
      const r0 = (await b.create(p + 'a', '0')).revision;
      let last = r0;
      for (let i = 1; i <= 5; i++) {
        const res = await b.update(p + 'a', String(i), last);
        last = res.ok ? res.revision : -1;
        written.push(last);
      }
      const rec = await watch(p, written[1]!); // after the 2nd update: replays updates 3..5
      for (let i = 6; i <= 8; i++) {
        const res = await b.update(p + 'a', String(i), last);
        last = res.ok ? res.revision : -1;
        written.push(last);
      }
      const expected = written.slice(2);
      const events = await rec.waitFor(expected.length);
      expect(events.map((e) => e.revision)).toEqual(expected);
      expect(events.map((e) => e.kv.value)).toEqual(['3', '4', '5', '6', '7', '8']);
      expect(events.every((e) => e.type === 'update')).toBe(true);
    });

    it('watch delivers only keys under its prefix', async () => {
      const rec = await watch(p + 'pods/', await b.currentRevision());
      await b.create(p + 'podsx/a', 'x');
      await b.create(p + 'other', 'x');
      const r = (await b.create(p + 'pods/a', 'mine')).revision;
      const events = await rec.waitFor(1);
      expect(events.map((e) => [e.kv.key, e.revision])).toEqual([[p + 'pods/a', r]]);
      // Another write under the prefix, to be sure nothing else was queued before it.
      await b.create(p + 'pods/b', 'mine');
      expect((await rec.waitFor(2)).map((e) => e.kv.key)).toEqual([p + 'pods/a', p + 'pods/b']);
    });

    it('after compaction, reads and watches before the compacted revision fail with CompactedError', async () => {
      const ra = (await b.create(p + 'a', 'a1')).revision;
      const rb = (await b.create(p + 'b', 'b1')).revision;
      const ra2 = await b.update(p + 'a', 'a2', ra);
      await b.delete(p + 'b', rb);
      const rc = (await b.create(p + 'c', 'c1')).revision;
      await b.compact(rc);
      await expect(b.list(p, { revision: rb })).rejects.toBeInstanceOf(CompactedError);
      await expect(b.list(p, { revision: rb })).rejects.toMatchObject({ requested: rb, compacted: rc });
      const watchErr = await watchError(b, p, rb);
      expect(watchErr).toBeInstanceOf(CompactedError);
      expect(watchErr).toMatchObject({ requested: rb, compacted: rc });
      // The latest value of every live key survives; deleted keys stay deleted.
      const now = await b.list(p, { revision: rc });
      expect(now.kvs.map((kv) => [kv.key, kv.value, kv.modRevision])).toEqual([
        [p + 'a', 'a2', ra2.ok ? ra2.revision : -1],
        [p + 'c', 'c1', rc],
      ]);
      // Watching from the compacted revision itself still works.
      const rec = await watch(p, rc);
      const rd = (await b.create(p + 'd', 'd1')).revision;
      expect((await rec.waitFor(1)).map((e) => e.revision)).toEqual([rd]);
      // A key deleted before compaction can be created again.
      await b.create(p + 'b', 'b2');
      expect((await b.get(p + 'b'))?.value).toBe('b2');
    });

    it('list at a future revision fails with a StorageError', async () => {
      const now = await b.currentRevision();
      await expect(b.list(p, { revision: now + 1000 })).rejects.toBeInstanceOf(StorageError);
    });

    it('watch from a future revision delivers only changes after it', async () => {
      const now = await b.currentRevision();
      const rec = await watch(p, now + 1);
      await b.create(p + 'a', '1'); // revision now + 1: not after fromRevision
      const r2 = (await b.create(p + 'b', '1')).revision;
      expect((await rec.waitFor(1)).map((e) => e.revision)).toEqual([r2]);
    });

    it('closing the store ends its watches with a Closed error', async () => {
      const rec = await watch(p, await b.currentRevision());
      await b.close();
      await expect(rec.waitFor(1)).rejects.toMatchObject({ code: 'Closed' });
      expect(rec.errors[0]).toBeInstanceOf(StorageError);
      expect(rec.errors).toHaveLength(1);
    });

    it('of N racing updates with the same expected revision exactly one wins', async () => {
      const r = (await b.create(p + 'a', 'start')).revision;
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => b.update(p + 'a', `w${i}`, r)));
      const winners = results.flatMap((res, i) => (res.ok ? [i] : []));
      expect(winners).toHaveLength(1);
      expect((await b.get(p + 'a'))?.value).toBe(`w${winners[0]}`);
      for (const res of results) if (!res.ok) expect(res.current?.value).toBe(`w${winners[0]}`);
    });
  });
}
