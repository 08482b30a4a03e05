// HTTPS with the admin client certificate for the API server benchmark: keep-alive agents sized
// for the load, a bounded-concurrency runner, and the small statistics the tables print.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Credentials {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function adminCredentials(dataDir: string): Credentials {
  const pki = join(dataDir, 'pki');
  return { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) };
}

/** A keep-alive agent; Node's default maxSockets is Infinity but keep-alive pools are per agent. */
export function adminAgent(creds: Credentials, maxSockets: number): Agent {
  return new Agent({ ...creds, keepAlive: true, maxSockets, maxFreeSockets: maxSockets, maxCachedSessions: 1000 });
}

export interface Reply {
  status: number;
  body: string;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly agent: Agent,
  ) {}

  send(method: string, path: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (payload !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(payload);
      }
      const req = request(new URL(path, this.baseUrl), { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends and parses the JSON reply; any status other than `want` ends the run with its body. */
  async expect(want: number | number[], method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.send(method, path, body);
    const ok = Array.isArray(want) ? want.includes(r.status) : r.status === want;
    if (!ok) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
    return JSON.parse(r.body);
  }
}

/** Runs fn(0..count-1) with at most `concurrency` calls in flight; returns the wall time in ms. */
export async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - t0;
}

export async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** q-quantile of an ascending array (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** VmRSS / VmHWM of a process in MiB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** A progress line, so a long phase shows where the run is. */
export function note(msg: string): void {
  console.log(`  · ${msg}`);
}
