// Follows the pods of one namespace through a watch and records when each was first seen, first
// seen with spec.nodeName, and first seen Ready — what the scheduling and controller benchmarks
// time. A watch the server ends is reopened from the last resourceVersion seen.
import { performance } from 'node:perf_hooks';
import type { ClosableClient, KubeObject, WatchEvent } from '../../controlplane/client/index.ts';

export type PodMilestone = 'created' | 'bound' | 'ready';

const isReady = (p: KubeObject) => (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

export class PodWatch {
  /** performance.now() at which each pod reached each milestone, by pod name. */
  readonly at: Record<PodMilestone, Map<string, number>> = { created: new Map(), bound: new Map(), ready: new Map() };
  private readonly stop = new AbortController();
  private readonly waiters = new Set<() => void>();
  private ended?: Promise<void>;
  private failure?: Error;

  constructor(
    private readonly client: ClosableClient,
    private readonly namespace: string,
    private readonly labelSelector?: string,
  ) {}

  /** Opens the watch from the namespace's current state; pods that already exist count from now. */
  async start(): Promise<void> {
    const pods = this.client.r('v1', 'pods', this.namespace);
    const list = await pods.list({ labelSelector: this.labelSelector });
    const t = performance.now();
    for (const p of list.items) this.observe(p, t);
    let rv = list.metadata.resourceVersion;
    this.ended = (async () => {
      while (!this.stop.signal.aborted) {
        try {
          await pods.watch({ resourceVersion: rv, labelSelector: this.labelSelector, allowWatchBookmarks: true }, (ev: WatchEvent) => {
            rv = ev.object.metadata.resourceVersion ?? rv;
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.observe(ev.object, performance.now());
          }, this.stop.signal);
        } catch (e) {
          if (!this.stop.signal.aborted) this.failure = e as Error;
          break;
        }
      }
      this.wake();
    })();
  }

  count(m: PodMilestone): number {
    return this.at[m].size;
  }

  /** Ascending times at which milestone m was reached. */
  times(m: PodMilestone): number[] {
    return [...this.at[m].values()].sort((a, b) => a - b);
  }

  /** Resolves true once `count` pods reached m, false at the deadline (performance.now() based). */
  async waitFor(m: PodMilestone, count: number, deadline: number): Promise<boolean> {
    while (this.count(m) < count) {
      if (this.failure) throw this.failure;
      const left = deadline - performance.now();
      if (left <= 0 || this.stop.signal.aborted) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 1000));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.ended;
  }

  private observe(p: KubeObject, t: number): void {
    const name = p.metadata.name;
    const first = (m: PodMilestone) => {
      if (!this.at[m].has(name)) this.at[m].set(name, t);
    };
    first('created');
    if (p.spec?.nodeName) first('bound');
    if (isReady(p)) first('ready');
    this.wake();
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}
