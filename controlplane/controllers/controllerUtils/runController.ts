// The worker loop every controller shares (sample-controller's Run / runWorker /
// processNextWorkItem): wait for the informer caches, then `workers` loops each taking a key,
// calling sync(key), forgetting the key's backoff on success and re-adding it rate-limited on
// failure — up to maxRetries times, then dropping it (the next informer event or resync brings it
// back). Resolves once the signal aborts and every worker has finished its current key.
import type { Logger } from 'pino';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';

/** pkg/controller/deployment and replicaset: maxRetries = 15 (5 ms doubling ≈ 82 s in total). */
export const DEFAULT_MAX_RETRIES = 15;
/** cache.WaitForCacheSync's poll period. */
const SYNC_POLL_MS = 100;

export interface ControllerLoop {
  name: string;
  queue: WorkQueue<string>;
  log: Logger;
  /** The informers whose caches must be synced before the first sync. */
  informers: Informer<KubeObject>[] | Informer<any>[];
  sync(key: string): Promise<void>;
  maxRetries?: number;
}

/** Resolves when every informer has synced; false if the signal aborted first. */
export function waitForCacheSync(informers: { hasSynced(): boolean }[], signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      if (signal.aborted) return resolve(false);
      if (informers.every((i) => i.hasSynced())) return resolve(true);
      setTimeout(check, SYNC_POLL_MS);
    };
    check();
  });
}

/** Takes one key and syncs it; false once the queue is shut down and drained. */
export async function processNextWorkItem(loop: ControllerLoop): Promise<boolean> {
  const key = await loop.queue.get();
  if (key === undefined) return false;
  try {
    await loop.sync(key);
    loop.queue.forget(key);
  } catch (err) {
    const retries = loop.queue.numRequeues(key);
    if (retries < (loop.maxRetries ?? DEFAULT_MAX_RETRIES)) {
      loop.log.info({ key, err: errorText(err), retries }, `error syncing ${key}, retrying`);
      loop.queue.addRateLimited(key);
    } else {
      loop.log.warn({ key, err: errorText(err) }, `dropping ${key} out of the queue after ${retries} retries`);
      loop.queue.forget(key);
    }
  } finally {
    loop.queue.done(key);
  }
  return true;
}

export async function runController(loop: ControllerLoop, workers: number, signal: AbortSignal): Promise<void> {
  const onAbort = () => loop.queue.shutDown();
  if (signal.aborted) return onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  loop.log.info(`starting ${loop.name} controller`);
  if (!(await waitForCacheSync(loop.informers, signal))) return;
  loop.log.info(`${loop.name} controller caches synced; starting ${workers} workers`);
  const worker = async () => {
    while (await processNextWorkItem(loop)) {
      // keep going until shut down
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  loop.log.info(`${loop.name} controller stopped`);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
