// API server benchmark: prints figures, asserts nothing.
//   node --import tsx bench/apiserver.ts [sqlite|etcd|all]      (default: all)
//
// For each store, `k8ts server` runs as its own process and is driven over HTTPS with keep-alive:
// ConfigMap creates and gets (16 in flight), lists of 1000 objects (whole and in pages of 500),
// and the fan-out of writes to 1000 watch streams. Then the same workload runs in-process on a
// fresh backend of the same kind, and the ratio of the two is the API server's overhead.
// etcd runs as a throwaway local member (test/support/etcd.ts), a fresh one for each side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../controlplane/storage/index.ts';
import { startControlPlane } from '../test/support/controlPlane.ts';
import { startEtcd, type EtcdServer } from '../test/support/etcd.ts';
import { runApiServerLoad, type ApiFigures } from './support/apiLoad.ts';
import { describeLatency, type FanoutResult } from './support/fanout.ts';
import { quantile } from './support/httpsLoad.ts';
import { runRawStore, type Figures, type Workload } from './support/rawStore.ts';

const WORKLOAD: Omit<Workload, 'sample'> = {
  creates: 3000,
  concurrency: 16,
  listSize: 1000,
  listRounds: 20,
  pageLimit: 500,
  fanout: { watchers: 1000, writes: 50, concurrency: 16, timeoutMs: 60_000 },
};

type Store = 'sqlite' | 'etcd';

async function benchStore(store: Store): Promise<void> {
  console.log(`\n== ${store}: k8ts server over HTTPS vs. the raw ${store} store in-process ==`);
  let etcd: EtcdServer | undefined;
  let api: ApiFigures;
  let serverPid = 0;
  try {
    if (store === 'etcd') etcd = await startEtcd();
    const cp = await startControlPlane({ args: etcd ? ['--storage', 'etcd', '--etcd-servers', etcd.endpoint] : [] });
    serverPid = cp.proc.pid!;
    try {
      console.log(`server pid ${serverPid} at ${cp.url}; running the HTTPS workload…`);
      api = await runApiServerLoad(cp.url, cp.dataDir, serverPid, WORKLOAD);
    } finally {
      await cp.stop();
    }
  } finally {
    await etcd?.stop();
  }

  console.log('running the same workload on a fresh raw store…');
  let raw: Figures;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-raw-'));
  etcd = undefined;
  try {
    if (store === 'etcd') etcd = await startEtcd();
    const backend = createBackend(etcd ? { storage: 'etcd', etcdServers: [etcd.endpoint], compactIntervalMs: 0 } : { storage: 'sqlite', dataDir: dir, compactIntervalMs: 0 });
    await backend.start();
    try {
      raw = await runRawStore(backend, { ...WORKLOAD, sample: api.sample });
    } finally {
      await backend.close();
    }
  } finally {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(store, api, raw, serverPid);
}

const col = (s: string, n: number) => s.padStart(n);
const rate = (x: number) => `${x.toFixed(0)} /s`;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function printTable(store: Store, api: ApiFigures, raw: Figures, pid: number): void {
  const w = WORKLOAD;
  const rows: [string, string, string, string][] = [];
  const row = (what: string, a: string, r: string, overhead = '') => rows.push([what, a, r, overhead]);
  const slower = (apiValue: number, rawValue: number) => `${(apiValue / rawValue).toFixed(1)}×`;

  row(`create ConfigMap (${w.concurrency} in flight)`, rate(api.createsPerS), rate(raw.createsPerS), slower(raw.createsPerS, api.createsPerS));
  row(`get ConfigMap (${w.concurrency} in flight)`, rate(api.getsPerS), rate(raw.getsPerS), slower(raw.getsPerS, api.getsPerS));
  row(`list ${w.listSize} objects (per list)`, ms(api.listMs), ms(raw.listMs), slower(api.listMs, raw.listMs));
  row(`list ${w.listSize}, limit=${w.pageLimit} (all pages)`, ms(api.pagedListMs), ms(raw.pagedListMs), slower(api.pagedListMs, raw.pagedListMs));
  row(`open ${w.fanout.watchers} watches`, ms(api.watchOpenMs), ms(raw.watchOpenMs), slower(api.watchOpenMs, raw.watchOpenMs));
  row('first event to all watchers (warm-up)', ms(api.fanout.warmMs), ms(raw.fanout.warmMs), slower(api.fanout.warmMs, raw.fanout.warmMs));
  const fan = (label: string, a: FanoutResult, r: FanoutResult) => {
    row(`${label}: delivered`, `${a.delivered}/${a.expected}`, `${r.delivered}/${r.expected}`);
    row('  latency from write start', describeLatency(a.fromStart), describeLatency(r.fromStart), slower(quantile(a.fromStart, 0.5), quantile(r.fromStart, 0.5)) + ' p50');
    row('  latency from write ack', describeLatency(a.fromAck), describeLatency(r.fromAck));
    row('  max latency from write start', ms(a.fromStart.at(-1) ?? NaN), ms(r.fromStart.at(-1) ?? NaN));
    const perS = (x: FanoutResult) => x.delivered / (x.wallMs / 1000);
    row('  deliveries per second', rate(perS(a)), rate(perS(r)), slower(perS(r), perS(a)));
  };
  fan(`paced: ${w.fanout.writes} creates, 1 at a time`, api.fanout.paced, raw.fanout.paced);
  fan(`burst: ${w.fanout.writes} updates, ${w.fanout.concurrency} in flight`, api.fanout.burst, raw.fanout.burst);

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['', 'apiserver (HTTPS)', `raw ${store}`, 'overhead'][i]!.length));
  const line = (r: string[]) => `${r[0]!.padEnd(widths[0]!)}  ${col(r[1]!, widths[1]!)}  ${col(r[2]!, widths[2]!)}  ${col(r[3]!, widths[3]!)}`;
  console.log();
  console.log(line(['', 'apiserver (HTTPS)', `raw ${store}`, 'overhead']));
  console.log('-'.repeat(widths.reduce((a, b) => a + b + 2, -2)));
  for (const r of rows) console.log(line(r));
  const m = api.memory;
  console.log(`\nserver process ${pid} memory: RSS ${m.idleMiB.toFixed(0)} MiB idle, ${m.watchingMiB.toFixed(0)} MiB with ${w.fanout.watchers} watches open, ${m.endMiB.toFixed(0)} MiB at the end; peak (VmHWM) ${m.peakMiB.toFixed(0)} MiB`);
  console.log('latency "from write ack" is clamped at 0: a watcher can read its event before the writer reads the acknowledgement.');
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'all';
  const stores: Store[] = which === 'all' ? ['sqlite', 'etcd'] : which === 'sqlite' || which === 'etcd' ? [which] : [];
  if (stores.length === 0) throw new Error(`unknown store "${which}": use sqlite, etcd or all`);
  console.log(`apiserver benchmark on ${process.arch}, node ${process.version}; client and server share this machine's CPUs`);
  for (const s of stores) await benchStore(s);
}

await main();
