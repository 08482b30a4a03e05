// The bounded-frequency runner (upstream pkg/util/async/bounded_frequency_runner.go): run()
// asks for a sync; syncs happen at most once per minInterval however many changes arrive, at
// least once per maxInterval even when none do, and never two at once. A failed sync is retried
// after retryInterval.
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};

export interface SyncRunnerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  retryIntervalMs: number;
  timers?: Timers;
}

export class BoundedFrequencyRunner {
  private lastRun = -Infinity;
  private timer: unknown;
  private timerAt = Infinity;
  private running = false;
  private pending = false;
  private stopped = false;
  private readonly t: Timers;

  constructor(
    private readonly fn: () => Promise<boolean>,
    private readonly o: SyncRunnerOptions,
  ) {
    this.t = o.timers ?? realTimers;
  }

  /** Starts the loop: one sync now, then as requested and periodically. */
  start(): void {
    this.schedule(0);
  }

  /** Requests a sync as soon as minInterval allows. */
  run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.schedule(Math.max(0, this.lastRun + this.o.minIntervalMs - this.t.now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.t.clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const at = this.t.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return; // an earlier run is already due
    if (this.timer !== undefined) this.t.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.t.setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    this.running = true;
    this.pending = false;
    this.lastRun = this.t.now();
    let ok = false;
    try {
      ok = await this.fn();
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    this.schedule(ok ? this.o.maxIntervalMs : this.o.retryIntervalMs);
    if (this.pending) this.run();
  }
}
