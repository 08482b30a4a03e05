// Exponential backoff with jitter (k8s.io/apimachinery/pkg/util/wait: Backoff.Step and the
// ExponentialBackoffManager the reflector uses), and an abortable sleep.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Each wait is d + random·jitter·d (wait.Jitter). */
  jitter: number;
  /** After this long without a backoff, start again from initialMs. */
  resetAfterMs: number;
  now?: () => number;
  random?: () => number;
}

export class Backoff {
  private currentMs: number;
  private lastAt = -Infinity;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: BackoffOptions) {
    this.currentMs = o.initialMs;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  /** The next wait: grows by `factor` up to `maxMs`, jittered. */
  next(): number {
    const now = this.now();
    if (now - this.lastAt > this.o.resetAfterMs) this.currentMs = this.o.initialMs;
    this.lastAt = now;
    const base = this.currentMs;
    this.currentMs = Math.min(this.currentMs * this.o.factor, this.o.maxMs);
    return base + this.random() * this.o.jitter * base;
  }

  reset(): void {
    this.currentMs = this.o.initialMs;
    this.lastAt = -Infinity;
  }
}

/** Resolves after ms, or at once when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
