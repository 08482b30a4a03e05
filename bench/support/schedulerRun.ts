// Runs the real scheduler on a worker thread (schedulerWorker.ts) against a prepared cluster and
// records, until every pod is bound or the time budget runs out: when its caches synced, when it
// decided each placement (BindingProbe), when a watch saw each binding stored, this process's
// memory, and the machine's load.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { BindingProbe, createProbeBuffer } from './bindingProbe.ts';
import { note } from './httpsLoad.ts';
import type { PodWatch } from './podWatch.ts';
import type { FromSchedulerWorker, SchedulerWorkerData, ToSchedulerWorker } from './schedulerWorker.ts';

const MEMORY_SAMPLE_MS = 500;
const PROGRESS_MS = 15_000;
/** How long to wait, after the last binding, for the Scheduled events still queued in the recorder. */
export const EVENT_FLUSH_LIMIT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const MiB = 1024 * 1024;

export interface SchedulerRunPlan {
  kubeconfig: string;
  pods: number;
  budgetMs: number;
}

export interface SchedulerRun {
  cacheSyncMs: number;
  /** ms from the scheduler's start, ascending: each binding requested (placement decided). */
  decisions: number[];
  /** ms from the scheduler's start, ascending: each pod seen with spec.nodeName by the watch. */
  bound: number[];
  /** From the last binding until every Scheduled event was written (NaN: not within the limit, or cut short). */
  eventsFlushMs: number;
  timedOut: boolean;
  /** ms from the scheduler's start to the end of the wait: the last binding, or the budget. */
  endedMs: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  /** os.loadavg()[0] when the scheduler started and when the run ended: other work on the machine shows here. */
  loadBefore: number;
  loadAfter: number;
}

export async function runSchedulerUntilBound(watch: PodWatch, plan: SchedulerRunPlan): Promise<SchedulerRun> {
  const probeBuffer = createProbeBuffer(plan.pods * 2);
  const probe = new BindingProbe(probeBuffer);
  const rssBeforeMiB = process.memoryUsage().rss / MiB;
  let rssPeakMiB = rssBeforeMiB;
  const sampleMemory = () => (rssPeakMiB = Math.max(rssPeakMiB, process.memoryUsage().rss / MiB));
  const sampler = setInterval(sampleMemory, MEMORY_SAMPLE_MS);
  const loadBefore = loadavg()[0]!;
  const t0 = performance.now();
  // The worker reports the shared clock; PodWatch times are this thread's performance.now().
  const sinceStart = (sharedAt: number) => sharedAt - performance.timeOrigin - t0;

  const workerData: SchedulerWorkerData = { entry: new URL('./schedulerWorker.ts', import.meta.url).href, kubeconfig: plan.kubeconfig, probe: probeBuffer };
  const worker = new Worker(new URL('./tsWorker.mjs', import.meta.url), { workerData });
  const messages = new WorkerMessages(worker);
  const deadline = t0 + plan.budgetMs;
  const progress = setInterval(() => note(`${probe.count()} placed, ${watch.count('bound')} of ${plan.pods} bound after ${((performance.now() - t0) / 1000).toFixed(0)} s`), PROGRESS_MS);
  try {
    const synced = await messages.next('synced', deadline);
    const cacheSyncMs = synced ? sinceStart(synced.at) : NaN;
    note(`scheduler caches synced in ${cacheSyncMs.toFixed(0)} ms; scheduling…`);
    const done = await Promise.race([watch.waitFor('bound', plan.pods, deadline), messages.failure]);
    const endedMs = performance.now() - t0;
    clearInterval(progress);
    sampleMemory();
    const rssEndMiB = process.memoryUsage().rss / MiB;
    const loadAfter = loadavg()[0]!;
    const decisions = probe.times().map(sinceStart);
    const bound = watch.times('bound').map((t) => t - t0);
    if (!done) note(`budget of ${plan.budgetMs / 1000} s reached: ${decisions.length} placed, ${bound.length} of ${plan.pods} bound`);

    // Stop, after the Scheduled events still queued in the recorder were written (bounded).
    const flushLimitMs = done ? EVENT_FLUSH_LIMIT_MS : 0;
    worker.postMessage({ type: 'stop', flushLimitMs } satisfies ToSchedulerWorker);
    const stopped = await messages.next('stopped', performance.now() + flushLimitMs + STOP_GRACE_MS);
    const lastBound = bound.at(-1) ?? 0;
    return {
      cacheSyncMs,
      decisions,
      bound,
      eventsFlushMs: stopped?.eventsFlushedAt !== undefined ? Math.max(0, sinceStart(stopped.eventsFlushedAt) - lastBound) : NaN,
      timedOut: !done,
      endedMs: done ? (bound.at(-1) ?? endedMs) : endedMs,
      rssBeforeMiB,
      rssPeakMiB,
      rssEndMiB,
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
