// Storage microbenchmark: prints figures for one backend, asserts nothing.
//   node --import tsx bench/storage.ts [sqlite|etcd]
// etcd runs against a throwaway local etcd started for the run (test/support/etcd.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EtcdBackend } from '../controlplane/storage/etcd.ts';
import { SqliteBackend } from '../controlplane/storage/sqlite.ts';
import type { Backend, WatchEvent } from '../controlplane/storage/types.ts';
import { startEtcd } from '../test/support/etcd.ts';

const WRITES = 2000;
const PARALLEL = 32;
const LIST_KEYS = 1000;
const LIST_ROUNDS = 20;
const WATCH_SAMPLES = 500;
const VALUE = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1.22.1' }] } });

function report(what: string, count: number, ms: number): void {
  console.log(`${what.padEnd(34)} ${(count / (ms / 1000)).toFixed(0).padStart(8)} /s   (${count} in ${ms.toFixed(0)} ms)`);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function run(b: Backend): Promise<void> {
  const p = `/registry/bench-${Date.now()}/`;

  report('create, one at a time', WRITES, await timed(async () => {
    for (let i = 0; i < WRITES; i++) await b.create(`${p}seq/${i}`, VALUE);
  }));

  report(`create, ${PARALLEL} in flight`, WRITES, await timed(async () => {
    let next = 0;
    const worker = async () => { while (next < WRITES) await b.create(`${p}par/${next++}`, VALUE); };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }));

  report('update (CAS), one at a time', WRITES, await timed(async () => {
    for (let i = 0; i < WRITES; i++) {
      const kv = (await b.get(`${p}seq/${i}`))!;
      await b.update(kv.key, VALUE, kv.modRevision);
    }
  }));

  report('get', WRITES, await timed(async () => {
    for (let i = 0; i < WRITES; i++) await b.get(`${p}seq/${i}`);
  }));

  for (let i = 0; i < LIST_KEYS; i++) await b.create(`${p}list/${String(i).padStart(5, '0')}`, VALUE);
  const listMs = await timed(async () => {
    for (let r = 0; r < LIST_ROUNDS; r++) {
      const res = await b.list(`${p}list/`);
      if (res.kvs.length !== LIST_KEYS) throw new Error(`listed ${res.kvs.length} keys, wrote ${LIST_KEYS}`);
    }
  });
  console.log(`${`list of ${LIST_KEYS} keys`.padEnd(34)} ${(listMs / LIST_ROUNDS).toFixed(2).padStart(8)} ms each`);
  console.log(`${`count of ${LIST_KEYS} keys`.padEnd(34)} ${(await timed(async () => { await b.count(`${p}list/`); })).toFixed(2).padStart(8)} ms`);

  // Watch latency: from just before a create is sent until its event reaches the watcher.
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let arrived: (e: WatchEvent) => void = () => {};
  const w = await b.watch(`${p}watch/`, await b.currentRevision(), {
    onEvent: (events) => events.forEach((e) => arrived(e)),
    onError: (err) => { throw err; },
  });
  for (let i = 0; i < WATCH_SAMPLES; i++) {
    const key = `${p}watch/${i}`;
    const seen = new Promise<void>((resolve) => {
      arrived = (e) => { if (e.kv.key === key) { latencies.push(performance.now() - sentAt.get(i)!); resolve(); } };
    });
    sentAt.set(i, performance.now());
    await b.create(key, VALUE);
    await seen;
  }
  w.close();
  latencies.sort((x, y) => x - y);
  const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(3);
  console.log(`${'watch latency (write → event)'.padEnd(34)} p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
}

async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'sqlite';
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
    const b = new SqliteBackend({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
    try {
      await b.start();
      console.log(`storage benchmark: sqlite (${dir}/state.db, WAL, synchronous=FULL)`);
      await run(b);
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } else if (kind === 'etcd') {
    const etcd = await startEtcd();
    const b = new EtcdBackend({ endpoints: [etcd.endpoint] });
    try {
      await b.start();
      console.log(`storage benchmark: etcd (${etcd.endpoint}, one local member)`);
      await run(b);
    } finally {
      await b.close();
      await etcd.stop();
    }
  } else {
    throw new Error(`unknown backend "${kind}": use sqlite or etcd`);
  }
}

await main();
