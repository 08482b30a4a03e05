// Scheduler benchmark: prints figures, asserts nothing.
//   node --import tsx bench/scheduler.ts [nodes=1000,5000] [pods=10000] [budget=120]
// (positional values work too: bench/scheduler.ts 1000,5000 10000 120)
//
// For each node count, a fresh API server runs alone as its own process (`k8ts server` with the
// scheduler and controller-manager disabled). Over HTTPS the benchmark creates the Nodes as
// objects (upstream scheduler_perf's node-default: 4 CPU, 32Gi, 110 pods, Ready), then measures
// the API server's raw binding write rate: it creates a batch of pods in their own namespace and
// binds them itself with POST pods/<name>/binding, 16 in flight. Those bound pods stay, as
// upstream's SchedulingBasic places its "initPods" before measuring. Then it creates the pods to
// schedule (pod-default: 100m CPU, 500Mi) and starts the real scheduler in this process, on a
// worker thread (support/schedulerWorker.ts: runScheduler with a client connected as
// default-scheduler, no leader election), timing until a watch has seen spec.nodeName on every pod
// — or until the budget (seconds per node count) runs out, in which case the figures are for the
// pods actually bound. The worker thread keeps the watch's clock honest: a scheduling loop that
// holds its thread for a long stretch cannot delay the benchmark's own timers and reads.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createClient, loadKubeconfig } from '../controlplane/client/index.ts';
import { startControlPlane } from '../test/support/controlPlane.ts';
import { bindPod, createNamespace, createNodes, createPods, nodeName } from './support/cluster.ts';
import { adminAgent, adminCredentials, ApiClient, memoryOf, note, pool } from './support/httpsLoad.ts';
import { PodWatch } from './support/podWatch.ts';
import type { FromSchedulerWorker, SchedulerWorkerData, ToSchedulerWorker } from './support/schedulerWorker.ts';

/** Requests in flight when the benchmark itself writes (nodes, pods, bindings), as bench/apiserver.ts. */
const CONCURRENCY = 16;
/**
 * Bindings the benchmark keeps in flight when it writes them itself: as many as the scheduler's
 * client has sockets (controlplane/client/restClient.ts MAX_SOCKETS), since the scheduler binds in
 * the background without waiting for one binding before the next.
 */
const BINDING_CONCURRENCY = 64;
/** Pods the benchmark binds itself to time the API server's binding writes (upstream initPods at 5000 nodes: 1000). */
const RAW_BINDINGS = 2000;
/** Throughput is also reported per window of this many bound pods. */
const WINDOW = 1000;
/** Upstream's CI floor for SchedulingBasic at 5000 nodes, as the issue quotes it (scheduler_perf threshold, pods/s). */
const UPSTREAM_FLOOR_5000_NODES = 270;
const MEMORY_SAMPLE_MS = 500;
/** How long to wait, after the last binding, for the Scheduled events still queued in the recorder. */
const EVENT_FLUSH_LIMIT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const PROGRESS_MS = 15_000;

interface Knobs {
  nodeCounts: number[];
  pods: number;
  budgetS: number;
}

interface RunFigures {
  nodes: number;
  podsWanted: number;
  podsBound: number;
  nodeCreatesPerS: number;
  podCreatesPerS: number;
  rawBindings: number;
  rawBindingsPerS: number;
  cacheSyncMs: number;
  /** From runScheduler's start to the last bound pod seen. */
  wallMs: number;
  /** From the first to the last bound pod seen: the steady rate, without start-up. */
  steadyMs: number;
  windows: { from: number; to: number; perS: number }[];
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  serverRssMiB: number;
  serverPeakMiB: number;
  timedOut: boolean;
  /** os.loadavg()[0] when the scheduler started and when the last pod was bound: other work on the machine shows here. */
  loadBefore: number;
  loadAfter: number;
  /** From the last binding until every Scheduled event was written (NaN: not within the limit). */
  eventsFlushMs: number;
}

const MiB = 1024 * 1024;

function parseKnobs(argv: string[]): Knobs {
  const knobs: Knobs = { nodeCounts: [1000, 5000], pods: 10_000, budgetS: 120 };
  const order = ['nodes', 'pods', 'budget'];
  argv.forEach((arg, i) => {
    const [key, value] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [order[i] ?? '', arg];
    const num = (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${key}: "${v}" is not a positive number`);
      return n;
    };
    if (key === 'nodes') knobs.nodeCounts = value.split(',').map(num);
    else if (key === 'pods') knobs.pods = num(value);
    else if (key === 'budget') knobs.budgetS = num(value);
    else throw new Error(`unknown argument "${arg}": use nodes=1000,5000 pods=10000 budget=120`);
  });
  return knobs;
}

async function benchNodes(nodes: number, k: Knobs): Promise<RunFigures> {
  console.log(`\n== ${nodes} nodes, ${k.pods} pods to schedule ==`);
  const cp = await startControlPlane();
  const serverPid = cp.proc.pid!;
  const agent = adminAgent(adminCredentials(cp.dataDir), BINDING_CONCURRENCY);
  const api = new ApiClient(cp.url, agent);
  const watchClient = createClient(loadKubeconfig(cp.kubeconfig), { userAgent: 'bench-scheduler-watch' });
  try {
    console.log(`server pid ${serverPid} at ${cp.url}`);
    for (const ns of ['bench-bind', 'bench-sched']) await createNamespace(api, ns);

    const nodeMs = await createNodes(api, nodes, CONCURRENCY);
    note(`${nodes} nodes created in ${nodeMs.toFixed(0)} ms`);

    // The API server's binding write rate, before any scheduler runs.
    const rawBindings = Math.min(RAW_BINDINGS, nodes * 100);
    await createPods(api, 'bench-bind', 'bound', rawBindings, CONCURRENCY);
    const bindMs = await pool(rawBindings, BINDING_CONCURRENCY, (i) => bindPod(api, 'bench-bind', `bound-${i}`, nodeName(i % nodes)));
    note(`${rawBindings} bindings written by the benchmark in ${bindMs.toFixed(0)} ms`);

    const podMs = await createPods(api, 'bench-sched', 'pod', k.pods, CONCURRENCY);
    note(`${k.pods} pending pods created in ${podMs.toFixed(0)} ms`);

    const watch = new PodWatch(watchClient, 'bench-sched');
    await watch.start();
    const scheduled = await runSchedulerUntilBound(cp.dataDir, cp.kubeconfig, watch, k);
    await watch.close();

    // Confirm with one list what the watch counted.
    const listed = (await api.expect(200, 'GET', '/api/v1/namespaces/bench-sched/pods')).items as { spec?: { nodeName?: string } }[];
    const boundListed = listed.filter((p) => p.spec?.nodeName).length;
    if (boundListed !== watch.count('bound')) note(`a list finds ${boundListed} bound pods, the watch saw ${watch.count('bound')}`);
    const server = memoryOf(serverPid);
    return {
      nodes,
      podsWanted: k.pods,
      podsBound: boundListed,
      nodeCreatesPerS: nodes / (nodeMs / 1000),
      podCreatesPerS: k.pods / (podMs / 1000),
      rawBindings,
      rawBindingsPerS: rawBindings / (bindMs / 1000),
      ...scheduled,
      windows: windowsOf(watch.times('bound')),
      serverRssMiB: server.rssMiB,
      serverPeakMiB: server.peakMiB,
    };
  } finally {
    watchClient.close();
    agent.destroy();
    await cp.stop();
  }
}

type SchedulerRun = Pick<RunFigures, 'cacheSyncMs' | 'wallMs' | 'steadyMs' | 'rssBeforeMiB' | 'rssPeakMiB' | 'rssEndMiB' | 'timedOut' | 'eventsFlushMs' | 'loadBefore' | 'loadAfter'>;

async function runSchedulerUntilBound(dataDir: string, adminKubeconfig: string, watch: PodWatch, k: Knobs): Promise<SchedulerRun> {
  // The scheduler's own identity when the server wrote one, as `k8ts server` connects it.
  const own = join(dataDir, 'scheduler.kubeconfig');
  const rssBeforeMiB = process.memoryUsage().rss / MiB;
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => (rssPeakMiB = Math.max(rssPeakMiB, process.memoryUsage().rss / MiB)), MEMORY_SAMPLE_MS);
  // PodWatch times are this thread's performance.now(); the worker reports the shared clock.
  const local = (sharedAt: number) => sharedAt - performance.timeOrigin;

  const loadBefore = loadavg()[0]!;
  const t0 = performance.now();
  const workerData: SchedulerWorkerData = { entry: new URL('./support/schedulerWorker.ts', import.meta.url).href, kubeconfig: existsSync(own) ? own : adminKubeconfig };
  const worker = new Worker(new URL('./support/tsWorker.mjs', import.meta.url), { workerData });
  const messages = new WorkerMessages(worker);
  let progress: NodeJS.Timeout | undefined;
  try {
    const synced = await messages.next('synced', t0 + k.budgetS * 1000);
    const cacheSyncMs = synced ? local(synced.at) - t0 : NaN;
    note(`scheduler caches synced in ${cacheSyncMs.toFixed(0)} ms; scheduling…`);
    progress = setInterval(() => note(`${watch.count('bound')} of ${k.pods} bound after ${((performance.now() - t0) / 1000).toFixed(0)} s`), PROGRESS_MS);
    const done = await Promise.race([watch.waitFor('bound', k.pods, t0 + k.budgetS * 1000), messages.failure]);
    const bound = watch.times('bound');
    const last = bound.at(-1) ?? performance.now();
    if (!done) note(`budget of ${k.budgetS} s reached with ${bound.length} of ${k.pods} pods bound`);
    rssPeakMiB = Math.max(rssPeakMiB, process.memoryUsage().rss / MiB);
    const rssEndMiB = process.memoryUsage().rss / MiB;
    const loadAfter = loadavg()[0]!;
    // Stop, after the Scheduled events still queued in the recorder were written (bounded).
    worker.postMessage({ type: 'stop', flushLimitMs: done ? EVENT_FLUSH_LIMIT_MS : 0 } satisfies ToSchedulerWorker);
    const stopped = await messages.next('stopped', performance.now() + EVENT_FLUSH_LIMIT_MS + STOP_GRACE_MS);
    return {
      eventsFlushMs: stopped?.eventsFlushedAt !== undefined ? Math.max(0, local(stopped.eventsFlushedAt) - last) : NaN,
      cacheSyncMs,
      wallMs: last - t0,
      steadyMs: bound.length > 1 ? last - bound[0]! : NaN,
      rssBeforeMiB,
      rssPeakMiB,
      rssEndMiB,
      timedOut: !done,
      loadBefore,
      loadAfter,
    };
  } finally {
    clearInterval(progress);
    clearInterval(sampler);
    // A scheduling loop that never yields cannot read a stop message: end the thread.
    await worker.terminate();
  }
}

/** The worker's messages, awaited by type with a deadline; a failure message rejects `failure`. */
class WorkerMessages {
  private readonly seen: FromSchedulerWorker[] = [];
  private wake: () => void = () => undefined;
  readonly failure: Promise<never>;

  constructor(worker: Worker) {
    let fail: (e: Error) => void = () => undefined;
    this.failure = new Promise<never>((_, reject) => (fail = reject));
    this.failure.catch(() => undefined);
    worker.on('message', (m: FromSchedulerWorker) => {
      if (m.type === 'failed') fail(new Error(`scheduler failed: ${m.message}`));
      this.seen.push(m);
      this.wake();
    });
    worker.on('error', (e) => fail(e));
  }

  async next<T extends FromSchedulerWorker['type']>(type: T, deadline: number): Promise<Extract<FromSchedulerWorker, { type: T }> | undefined> {
    for (;;) {
      const m = this.seen.find((x) => x.type === type);
      if (m) return m as Extract<FromSchedulerWorker, { type: T }>;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((r) => (this.wake = r)), new Promise<void>((r) => (timer = setTimeout(r, left))), this.failure]);
      clearTimeout(timer);
    }
  }
}

/** pods/s over each window of WINDOW bound pods (the last window may be shorter). */
function windowsOf(sorted: number[]): RunFigures['windows'] {
  const out: RunFigures['windows'] = [];
  for (let from = 0; from + 1 < sorted.length; from += WINDOW) {
    const to = Math.min(from + WINDOW, sorted.length - 1);
    out.push({ from, to, perS: (to - from) / ((sorted[to]! - sorted[from]!) / 1000) });
  }
  return out;
}

const rate = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} /s` : 'n/a');

function printFigures(runs: RunFigures[]): void {
  console.log('\n== results ==');
  for (const r of runs) {
    const overall = r.podsBound / (r.wallMs / 1000);
    const steady = (r.podsBound - 1) / (r.steadyMs / 1000);
    console.log(`\n${r.nodes} nodes: ${r.podsBound} of ${r.podsWanted} pods bound${r.timedOut ? ' (stopped at the time budget)' : ''}`);
    console.log(`  scheduler throughput, from start (incl. ${(r.cacheSyncMs / 1000).toFixed(1)} s cache sync)  ${rate(overall)}  (${(r.wallMs / 1000).toFixed(1)} s)`);
    console.log(`  scheduler throughput, first to last binding          ${rate(steady)}`);
    console.log(`  per ${WINDOW}-pod window                                   ${r.windows.map((w) => rate(w.perS).replace(' /s', '')).join(' ')} pods/s`);
    console.log(`  API server raw binding writes (${BINDING_CONCURRENCY} in flight, ${r.rawBindings})     ${rate(r.rawBindingsPerS)}`);
    console.log(`  scheduler / raw binding rate                         ${((steady / r.rawBindingsPerS) * 100).toFixed(0)} %`);
    const flush = Number.isFinite(r.eventsFlushMs) ? `${(r.eventsFlushMs / 1000).toFixed(1)} s after the last binding` : `not within ${EVENT_FLUSH_LIMIT_MS / 1000} s of the last binding`;
    console.log(`  Scheduled events (written one at a time) all stored   ${flush}`);
    console.log(`  setup: node creates ${rate(r.nodeCreatesPerS)}, pod creates ${rate(r.podCreatesPerS)}`);
    console.log(`  load average (1 min) on this machine: ${r.loadBefore.toFixed(1)} before the scheduler started, ${r.loadAfter.toFixed(1)} after`);
    console.log(`  this process (scheduler on a worker thread, plus the benchmark's watch): RSS ${r.rssBeforeMiB.toFixed(0)} MiB before, peak ${r.rssPeakMiB.toFixed(0)} MiB, ${r.rssEndMiB.toFixed(0)} MiB when the last pod was bound`);
    console.log(`  API server process: RSS ${r.serverRssMiB.toFixed(0)} MiB at the end, peak ${r.serverPeakMiB.toFixed(0)} MiB`);
    if (r.nodes === 5000) {
      console.log(`  upstream CI floor, SchedulingBasic at 5000 nodes: ${UPSTREAM_FLOOR_5000_NODES} pods/s — ours ${rate(steady)} (${(steady / UPSTREAM_FLOOR_5000_NODES).toFixed(2)}×)`);
    }
  }
  if (!runs.some((r) => r.nodes === 5000)) console.log(`\nupstream CI floor, SchedulingBasic at 5000 nodes: ${UPSTREAM_FLOOR_5000_NODES} pods/s (no 5000-node run here to compare)`);
  console.log('"first to last binding" leaves out informer sync and the first scheduling cycle, as upstream samples throughput once pods flow.');
}

async function main(): Promise<void> {
  const k = parseKnobs(process.argv.slice(2));
  console.log(`scheduler benchmark on ${process.arch}, node ${process.version}; nodes ${k.nodeCounts.join(', ')}, ${k.pods} pods, budget ${k.budgetS} s per node count`);
  console.log('the scheduler, the benchmark and the API server share this machine\'s CPUs');
  const start = performance.now();
  const runs: RunFigures[] = [];
  for (const n of k.nodeCounts) runs.push(await benchNodes(n, k));
  printFigures(runs);
  console.log(`whole run: ${((performance.now() - start) / 60_000).toFixed(1)} min`);
}

await main();
