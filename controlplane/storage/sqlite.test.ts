import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendSuite } from './backendSuite.ts';
import { SqliteBackend } from './sqlite.ts';
import { CompactedError } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `state-${n++}.db`);

backendSuite('sqlite', async () => new SqliteBackend({ path: freshPath(), compactIntervalMs: 0 }));

describe('SqliteBackend', () => {
  it('keeps data, the revision counter and the compacted revision across reopen', async () => {
    const path = freshPath();
    const first = new SqliteBackend({ path, compactIntervalMs: 0 });
    await first.start();
    const r1 = (await first.create('/registry/a', '1')).revision;
    const r2 = (await first.create('/registry/b', '1')).revision;
    await first.compact(r2);
    await first.close();

    const second = new SqliteBackend({ path, compactIntervalMs: 0 });
    await second.start();
    expect(await second.currentRevision()).toBe(r2);
    expect((await second.get('/registry/a'))?.modRevision).toBe(r1);
    await expect(second.list('/registry/', { revision: r1 })).rejects.toBeInstanceOf(CompactedError);
    expect((await second.create('/registry/c', '1')).revision).toBe(r2 + 1);
    await second.close();
  });

  it('never reuses a revision, even after compaction removed the newest row (a tombstone)', async () => {
    const b = new SqliteBackend({ path: freshPath(), compactIntervalMs: 0 });
    await b.start();
    const r1 = (await b.create('/registry/a', '1')).revision;
    const r2 = await b.delete('/registry/a', r1);
    await b.compact(r2.ok ? r2.revision : 0);
    expect((await b.create('/registry/a', '2')).revision).toBe(r1 + 2);
    await b.close();
  });

  it('compaction truncates the write-ahead log', async () => {
    const path = freshPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0 });
    await b.start();
    let rev = (await b.create('/registry/a', 'x'.repeat(1000))).revision;
    for (let i = 0; i < 200; i++) {
      const res = await b.update('/registry/a', 'x'.repeat(1000), rev);
      rev = res.ok ? res.revision : -1;
    }
    expect(statSync(path + '-wal').size).toBeGreaterThan(0);
    await b.compact(rev);
    expect(statSync(path + '-wal').size).toBe(0);
    expect((await b.get('/registry/a'))?.modRevision).toBe(rev);
    await b.close();
  });

  it('periodic compaction keeps the last compactRetain revisions', async () => {
    const b = new SqliteBackend({ path: freshPath(), compactIntervalMs: 10, compactRetain: 5 });
    await b.start();
    let rev = (await b.create('/registry/a', '0')).revision;
    for (let i = 1; i <= 20; i++) {
      const res = await b.update('/registry/a', String(i), rev);
      rev = res.ok ? res.revision : -1;
    }
    // Wait (without a deadline of our own) until the timer has compacted.
    while (await b.list('/registry/', { revision: rev - 10 }).then(() => true, () => false)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await expect(b.list('/registry/', { revision: rev - 10 })).rejects.toBeInstanceOf(CompactedError);
    expect((await b.list('/registry/', { revision: rev - 5 })).kvs[0]?.value).toBe('15');
    await b.close();
  });
});
