// The back-off on deleting failed daemon pods (daemon_controller.go failedPodsBackoff, a
// client-go flowcontrol.Backoff): a kubelet that keeps rejecting a pod would otherwise make the
// controller delete and recreate it in a hot loop. Per DaemonSet and node, the delay doubles from
// 1 s up to 15 min, and resets once the node has been quiet for twice the maximum.

/** Upstream: flowcontrol.NewBackOff(1*time.Second, 15*time.Minute). */
export const FAILED_POD_BACKOFF_INITIAL_MS = 1000;
export const FAILED_POD_BACKOFF_MAX_MS = 15 * 60 * 1000;

export class FailedPodBackoff {
  private readonly entries = new Map<string, { delay: number; lastUpdate: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** IsInBackOffSinceUpdate: the last deletion was less than the current delay ago. */
  inBackoff(key: string): boolean {
    const e = this.entries.get(key);
    return !!e && this.now() - e.lastUpdate < e.delay;
  }

  /** The current delay (for requeueing). */
  delay(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }

  /** Next: a deletion happens now; the following one waits twice as long. */
  next(key: string): void {
    const now = this.now();
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * FAILED_POD_BACKOFF_MAX_MS) this.entries.set(key, { delay: FAILED_POD_BACKOFF_INITIAL_MS, lastUpdate: now });
    else this.entries.set(key, { delay: Math.min(e.delay * 2, FAILED_POD_BACKOFF_MAX_MS), lastUpdate: now });
  }

  /** Drops entries idle for twice the maximum (upstream's GC, run periodically). */
  gc(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * FAILED_POD_BACKOFF_MAX_MS) this.entries.delete(k);
  }
}
