// Per-key exponential back-off with the semantics of upstream client-go util/flowcontrol.Backoff,
// which the kubelet uses for CrashLoopBackOff (key: pod + container) and ImagePullBackOff
// (key: pod + image). The clock is injected so tests never sleep.

/** kubelet: backOffPeriod = 10 s initial delay (pkg/kubelet/kubelet.go). */
export const INITIAL_BACKOFF_MS = 10_000;
/** kubelet: MaxContainerBackOff = 300 s (pkg/kubelet/kubelet.go). */
export const MAX_BACKOFF_MS = 300_000;

export type Clock = () => number;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
    readonly now: Clock = Date.now,
  ) {}

  /** The current delay for key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /**
   * Records one more failure at eventTime: the delay doubles up to the maximum, or starts over at
   * the initial delay when the key was quiet for 2 × max (upstream: "stable" — so a container
   * that ran 10 minutes before crashing restarts after 10 s again).
   */
  next(key: string, eventTime: number): void {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventTime, entry.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.now() });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
    entry.lastUpdate = this.now();
  }

  /** True while less than the current delay has passed since eventTime (e.g. the container's exit). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventTime, entry.lastUpdate)) return false;
    return this.now() - eventTime < entry.backoffMs;
  }

  /** True while less than the current delay has passed since the last recorded failure. */
  isInBackOffSinceUpdate(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(this.now(), entry.lastUpdate)) return false;
    return this.now() - entry.lastUpdate < entry.backoffMs;
  }

  /** Time left in the back-off that began at eventTime (0 when none). */
  remaining(key: string, eventTime: number): number {
    const entry = this.entries.get(key);
    if (!entry || !this.isInBackOffSince(key, eventTime)) return 0;
    return entry.backoffMs - (this.now() - eventTime);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets keys quiet for 2 × max (upstream Backoff.GC). */
  gc(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (now - entry.lastUpdate > 2 * this.maxMs) this.entries.delete(key);
  }

  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > 2 * this.maxMs;
  }
}
