// The real scheduler on a worker thread of the benchmark's process: connected as
// default-scheduler with the kubeconfig it is given, as `k8ts server` connects it (no leader
// election), its binding requests counted by a BindingProbe. Its own thread keeps the benchmark's
// watch and clock running even while a scheduling loop holds the thread it runs on; its memory is
// still this process's RSS.
//   → parent: { type: 'synced', at } when its caches synced; { type: 'stopped', eventsFlushedAt } at the end
//   ← parent: { type: 'stop', flushLimitMs }: wait (bounded) for queued Events, then stop
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { connectComponent } from '../../controlplane/client/component.ts';
import type { FlushableEventRecorder, InformerFactory } from '../../controlplane/client/index.ts';
import { runScheduler } from '../../controlplane/scheduler/index.ts';
import { BindingProbe, probedClient, sharedNow } from './bindingProbe.ts';

/** Started through tsWorker.mjs, which reads `entry`. */
export interface SchedulerWorkerData {
  entry: string;
  kubeconfig: string;
  /** createProbeBuffer(): where the binding requests are counted. */
  probe: SharedArrayBuffer;
}
export type FromSchedulerWorker = { type: 'synced'; at: number } | { type: 'stopped'; eventsFlushedAt?: number } | { type: 'failed'; message: string };
export type ToSchedulerWorker = { type: 'stop'; flushLimitMs: number };

const port = parentPort!;
const post = (m: FromSchedulerWorker) => port.postMessage(m);
const { kubeconfig, probe } = workerData as SchedulerWorkerData;

// Warnings go to stderr until the run ends; what fails after the server stops is not news.
let muted = false;
const log = pino({ level: 'warn' }, { write: (line: string) => void (muted || process.stderr.write(line)) }).child({ name: 'scheduler' });
const conn = connectComponent(kubeconfig, 'default-scheduler', log);
const stop = new AbortController();

// The scheduler's own informers, reporting the moment they have synced.
const informers: InformerFactory = {
  informerFor: (r, namespace) => conn.informers.informerFor(r, namespace),
  start: (signal) => conn.informers.start(signal),
  async waitForSync(signal) {
    await conn.informers.waitForSync(signal);
    post({ type: 'synced', at: sharedNow() });
  },
};

const running = runScheduler({ client: probedClient(conn.client, new BindingProbe(probe)), informers, recorder: conn.recorder, signal: stop.signal, log }).catch((e) => {
  if (!stop.signal.aborted) post({ type: 'failed', message: (e as Error).message });
});

port.on('message', async (m: ToSchedulerWorker) => {
  if (m.type !== 'stop') return;
  // The Scheduled events go out one at a time behind the bindings (the recorder's queue).
  const recorder = conn.recorder as Partial<FlushableEventRecorder>;
  let timer: NodeJS.Timeout | undefined;
  const flushed = recorder.flush ? await Promise.race([recorder.flush().then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), m.flushLimitMs)))]) : false;
  clearTimeout(timer);
  const eventsFlushedAt = flushed ? sharedNow() : undefined;
  muted = true;
  stop.abort();
  await running;
  conn.client.close();
  post({ type: 'stopped', eventsFlushedAt });
  port.close();
});
