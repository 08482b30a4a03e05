// A rate-limited work queue of keys with client-go's semantics (k8s.io/client-go/util/workqueue:
// queue.go, delaying_queue.go, default_rate_limiters.go):
// - a key is in the queue at most once (dirty set), however often it is added;
// - a key being processed (between get and done) is never handed to a second worker; if it is
//   added meanwhile it waits in dirty and is queued again by done;
// - addAfter holds a key until its time (the earliest time wins when added twice);
// - addRateLimited waits the key's own exponential backoff; forget resets it after a success.
import type { WorkQueue } from './types.ts';

// workqueue.DefaultTypedItemBasedRateLimiter: NewItemExponentialFailureRateLimiter(5ms, 1000s).
export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

export interface WorkQueueOptions {
  /** Clock seam for tests: the time addAfter measures against. */
  now?: () => number;
  /** Timer seam for tests, paired with `now`: runs fn after ms; returns a cancel function. */
  setTimer?: (fn: () => void, ms: number) => () => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const realTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export function createWorkQueue<K = string>(opts: WorkQueueOptions = {}): WorkQueue<K> {
  const now = opts.now ?? Date.now;
  const setTimer = opts.setTimer ?? realTimer;
  const baseDelayMs = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;

  const queue: K[] = []; // keys ready for a worker, in order
  const dirty = new Set<K>(); // keys that need processing (queued, or re-added while processing)
  const processing = new Set<K>(); // keys a worker holds right now
  const waiters: ((key: K | undefined) => void)[] = []; // workers blocked in get()
  const waiting = new Map<K, number>(); // addAfter: key → time it becomes ready
  const failures = new Map<K, number>(); // addRateLimited: key → number of requeues
  let cancelTimer: (() => void) | undefined;
  let shuttingDown = false;

  const handOut = () => {
    while (waiters.length > 0 && queue.length > 0) {
      const key = queue.shift()!;
      processing.add(key);
      dirty.delete(key);
      waiters.shift()!(key);
    }
    if (shuttingDown && queue.length === 0) for (const w of waiters.splice(0)) w(undefined);
  };

  const add = (key: K) => {
    if (shuttingDown || dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return; // done() queues it again
    queue.push(key);
    handOut();
  };

  // One timer, for the earliest waiting key; when it fires every key that is due moves on.
  const rearm = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (waiting.size === 0 || shuttingDown) return;
    const next = Math.min(...waiting.values());
    cancelTimer = setTimer(() => {
      cancelTimer = undefined;
      const t = now();
      for (const [key, readyAt] of [...waiting]) {
        if (readyAt <= t) {
          waiting.delete(key);
          add(key);
        }
      }
      rearm();
    }, Math.max(0, next - now()));
  };

  const addAfter = (key: K, delayMs: number) => {
    if (shuttingDown) return;
    if (delayMs <= 0) return add(key);
    const readyAt = now() + delayMs;
    const existing = waiting.get(key);
    if (existing !== undefined && existing <= readyAt) return;
    waiting.set(key, readyAt);
    rearm();
  };

  return {
    add,
    addAfter,
    addRateLimited(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      // base·2^n, computed in floating point and capped (upstream guards overflow the same way).
      addAfter(key, Math.min(baseDelayMs * 2 ** n, maxDelayMs));
    },
    forget(key) {
      failures.delete(key);
    },
    numRequeues: (key) => failures.get(key) ?? 0,
    get() {
      return new Promise<K | undefined>((resolve) => {
        waiters.push(resolve);
        handOut();
      });
    },
    done(key) {
      processing.delete(key);
      if (dirty.has(key)) {
        queue.push(key);
        handOut();
      }
    },
    len: () => queue.length,
    shutDown() {
      shuttingDown = true;
      waiting.clear();
      rearm();
      handOut();
    },
  };
}
