// Durability: a write the SQLite store acknowledged survives kill -9 of the process that made it.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite.ts';

const here = dirname(fileURLToPath(import.meta.url));
const WRITER = join(here, 'testdata', 'crashWriter.ts');
const ROUNDS = 4;
const MIN_WRITES = 20;
const MAX_EXTRA_WRITES = 300;

interface AckedWrite { op: 'create' | 'update'; key: string; revision: number; value: string }

const dir = mkdtempSync(join(tmpdir(), 'k8ts-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it acknowledged `killAfter` writes, kills it with SIGKILL, returns every write it acknowledged. */
async function writeThenKill(path: string, round: number, killAfter: number): Promise<AckedWrite[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(round)], { cwd: join(here, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const acked: AckedWrite[] = [];
  // Lines printed before the kill lands are acknowledged too: read stdout to its end.
  for await (const line of createInterface({ input: child.stdout })) {
    const [op, key, revision, value] = line.split(' ');
    acked.push({ op: op as AckedWrite['op'], key: key!, revision: Number(revision), value: value!.replaceAll('_', ' ') });
    if (acked.length === killAfter) child.kill('SIGKILL');
  }
  const how = await exited;
  if (how !== 'SIGKILL') throw new Error(`writer ended with ${how} before it was killed: ${stderr}`);
  return acked;
}

describe('SqliteBackend after kill -9', () => {
  it('keeps every acknowledged write and accepts new writes, round after round', async () => {
    const path = join(dir, 'state.db');
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = MIN_WRITES + Math.floor(Math.random() * MAX_EXTRA_WRITES);
      const acked = await writeThenKill(path, round, killAfter);
      expect(acked.length).toBeGreaterThanOrEqual(killAfter);

      const store = new SqliteBackend({ path, compactIntervalMs: 0 });
      await store.start();
      for (const w of acked.filter((a) => a.op === 'create')) {
        expect(await store.get(w.key), `round ${round} (kill after ${killAfter}): ${w.key}`).toMatchObject({ value: w.value, modRevision: w.revision });
      }
      // The counter may have moved one step past the last acknowledged update (committed, not yet printed).
      const lastUpdate = acked.filter((a) => a.op === 'update').at(-1)!;
      const counter = await store.get(lastUpdate.key);
      expect(counter!.modRevision).toBeGreaterThanOrEqual(lastUpdate.revision);
      expect(Number(counter!.value)).toBeGreaterThanOrEqual(Number(lastUpdate.value));
      expect(await store.currentRevision()).toBeGreaterThanOrEqual(lastUpdate.revision);
      await store.close();
    }
    const store = new SqliteBackend({ path, compactIntervalMs: 0 });
    await store.start();
    const before = await store.currentRevision();
    expect((await store.create('/registry/crash/after', 'ok')).revision).toBe(before + 1);
    await store.close();
  }, 120_000);
});
