// Watch fan-out measurement shared by the API server and the raw store: many watchers record when
// each event reaches them, a driver writes objects and turns the records into latencies.
//   paced: N creates, one at a time, each waiting until every watcher has its event;
//   burst: N updates of the same objects, `concurrency` in flight, no waiting between them.
import { request, type Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pool, quantile } from './httpsLoad.ts';

export type WriteKind = 'create' | 'update';

/** Arrival times of events at watchers, keyed `create:<name>` / `update:<name>`. */
export class DeliveryLog {
  private readonly arrivals = new Map<string, number[]>();
  count = 0;
  private waiter?: { target: number; resolve: () => void };

  record(key: string, at: number): void {
    let times = this.arrivals.get(key);
    if (!times) this.arrivals.set(key, (times = []));
    times.push(at);
    this.count++;
    if (this.waiter && this.count >= this.waiter.target) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }

  times(key: string): number[] {
    return this.arrivals.get(key) ?? [];
  }

  /** Resolves true once `target` events have arrived in total, false after timeoutMs. */
  waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.count >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(false);
      }, timeoutMs);
      this.waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
  }
}

export interface FanoutResult {
  writes: number;
  delivered: number;
  expected: number;
  /** Wall time from the first write to the last delivery (or the timeout). */
  wallMs: number;
  /** Sorted latencies in ms: from just before the write was sent, and from its acknowledgement. */
  fromStart: number[];
  fromAck: number[];
}

export interface FanoutPlan {
  watchers: number;
  writes: number;
  concurrency: number;
  timeoutMs: number;
}

/** write(kind, name) performs the write and resolves on its acknowledgement. */
export type FanoutWrite = (kind: WriteKind, name: string) => Promise<void>;

const objectName = (i: number) => `w-${i}`;

export async function runFanout(log: DeliveryLog, plan: FanoutPlan, write: FanoutWrite): Promise<{ warmMs: number; paced: FanoutResult; burst: FanoutResult }> {
  // Warm-up: one event every watcher must see, so watch set-up is not counted as latency.
  const t0 = performance.now();
  const target = log.count + plan.watchers;
  await write('create', 'warm');
  if (!(await log.waitFor(target, plan.timeoutMs))) throw new Error(`warm-up event reached ${log.count - target + plan.watchers} of ${plan.watchers} watchers`);
  const warmMs = performance.now() - t0;

  const measure = async (kind: WriteKind, drive: (timedWrite: (i: number) => Promise<void>) => Promise<boolean>): Promise<FanoutResult> => {
    const start = new Map<string, number>();
    const ack = new Map<string, number>();
    const base = log.count;
    const timedWrite = async (i: number) => {
      const key = `${kind}:${objectName(i)}`;
      start.set(key, performance.now());
      await write(kind, objectName(i));
      ack.set(key, performance.now());
    };
    const began = performance.now();
    await drive(timedWrite);
    await log.waitFor(base + plan.watchers * plan.writes, plan.timeoutMs);
    let last = began;
    const fromStart: number[] = [];
    const fromAck: number[] = [];
    for (const [key, s] of start) {
      const a = ack.get(key)!;
      for (const t of log.times(key)) {
        fromStart.push(t - s);
        fromAck.push(Math.max(0, t - a));
        if (t > last) last = t;
      }
    }
    fromStart.sort((x, y) => x - y);
    fromAck.sort((x, y) => x - y);
    return { writes: plan.writes, delivered: fromStart.length, expected: plan.watchers * plan.writes, wallMs: last - began, fromStart, fromAck };
  };

  const paced = await measure('create', async (timedWrite) => {
    for (let i = 0; i < plan.writes; i++) {
      const target = log.count + plan.watchers;
      await timedWrite(i);
      if (!(await log.waitFor(target, plan.timeoutMs))) return false;
    }
    return true;
  });
  const burst = await measure('update', async (timedWrite) => {
    await pool(plan.writes, plan.concurrency, timedWrite);
    return true;
  });
  return { warmMs, paced, burst };
}

export function describeLatency(sorted: number[]): string {
  if (sorted.length === 0) return 'n/a';
  return `p50 ${quantile(sorted, 0.5).toFixed(1)} / p99 ${quantile(sorted, 0.99).toFixed(1)} ms`;
}

export interface HttpWatches {
  opened: number;
  close(): void;
}

/**
 * Opens `count` watch streams on `path` (which carries watch=1&resourceVersion=…), spread over the
 * agents, at most `openConcurrency` handshakes at a time. Every ADDED/MODIFIED line is recorded.
 */
export async function openHttpWatches(baseUrl: string, path: string, agents: Agent[], count: number, openConcurrency: number, log: DeliveryLog): Promise<HttpWatches> {
  const responses: IncomingMessage[] = [];
  const kindOf: Record<string, WriteKind | undefined> = { ADDED: 'create', MODIFIED: 'update' };
  let failure: Error | undefined;
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request(new URL(path, baseUrl), { agent: agents[i % agents.length], headers: { Accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${i}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        responses.push(res);
        res.setEncoding('utf8');
        let buffered = '';
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
            const kind = kindOf[ev.type];
            if (kind) log.record(`${kind}:${ev.object.metadata?.name}`, at);
            else if (ev.type === 'ERROR') failure ??= new Error(`watch ${i} ended: ${line}`);
          }
        });
        res.on('error', () => undefined);
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
  await pool(count, openConcurrency, open);
  if (failure) throw failure;
  return {
    opened: responses.length,
    close() {
      for (const res of responses) res.destroy();
    },
  };
}
