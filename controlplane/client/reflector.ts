// The reflector (client-go tools/cache/reflector.go, ListAndWatch): list everything at a
// resourceVersion, hand the list to the store as one replace, then watch from that
// resourceVersion and apply each event. When the watch ends cleanly (the server's timeout) it is
// re-opened from the last resourceVersion seen; 410 Gone (that version was compacted away) means
// relist at once; any other failure waits a jittered exponential backoff first.
import { Backoff, sleep } from './backoff.ts';
import { defaultLogger, type Logger } from './log.ts';
import { isGone, type KubeObject, type ResourceClient, type WatchEvent } from './types.ts';

// reflector.go: wait.NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0, clock).
export const REFLECTOR_BACKOFF_INITIAL_MS = 800;
export const REFLECTOR_BACKOFF_MAX_MS = 30_000;
export const REFLECTOR_BACKOFF_RESET_MS = 120_000;
const REFLECTOR_BACKOFF_FACTOR = 2;
const REFLECTOR_BACKOFF_JITTER = 1;
// reflector.go minWatchTimeout = 5 min; each watch asks for a random 5–10 min so that many
// clients' watches do not all end together.
const MIN_WATCH_TIMEOUT_S = 300;

/** What the reflector needs of a resource: a ResourceClient is one. */
export type ListerWatcher<T extends KubeObject> = Pick<ResourceClient<T>, 'list' | 'watch'>;

/** Where the reflector puts what it sees (the informer's cache plus its handlers). */
export interface ReflectorStore<T extends KubeObject> {
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface ReflectorOptions {
  /** For logs: "pods", "default/deployments.apps". */
  name: string;
  logger?: Logger;
  /** Seams for tests: the wait between retries. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

export class Reflector<T extends KubeObject> {
  /** The resourceVersion of the last list or event applied (upstream's LastSyncResourceVersion). */
  lastSyncResourceVersion = '';
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly store: ReflectorStore<T>,
    private readonly o: ReflectorOptions,
  ) {
    this.log = (o.logger ?? defaultLogger).child({ reflector: o.name });
    this.random = o.random ?? Math.random;
    this.sleep = o.sleep ?? sleep;
    this.backoff = new Backoff({
      initialMs: REFLECTOR_BACKOFF_INITIAL_MS,
      maxMs: REFLECTOR_BACKOFF_MAX_MS,
      factor: REFLECTOR_BACKOFF_FACTOR,
      jitter: REFLECTOR_BACKOFF_JITTER,
      resetAfterMs: REFLECTOR_BACKOFF_RESET_MS,
      random: this.random,
    });
  }

  /** Lists and watches until the signal aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
        }
        await this.watch(signal);
        // A clean end is the server's watch timeout: re-watch at once from where we were.
        this.backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          // Our resourceVersion was compacted: only a fresh list can tell us the present.
          this.log.info({ resourceVersion: this.lastSyncResourceVersion, err: (err as Error).message }, 'watch expired (410 Gone), relisting');
          needList = true;
          continue;
        }
        // Upstream retries the watch when the server refused the connection (it is restarting and
        // our resourceVersion is still good); after any other failure it lists again.
        if (!isConnectionRefused(err)) needList = true;
        const waitMs = this.backoff.next();
        this.log.warn({ err: (err as Error).message ?? String(err), retryInMs: Math.round(waitMs), relist: needList }, needList ? 'list/watch failed' : 'watch failed');
        await this.sleep(waitMs, signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    // No resourceVersion: a consistent read from storage. (Upstream asks for "0", served from the
    // apiserver's watch cache; this API server has none, so both mean the same here.)
    const page = await this.lw.list({});
    if (signal.aborted) return;
    const rv = page.metadata?.resourceVersion;
    if (!rv) throw new Error(`${this.o.name}: list returned no resourceVersion`);
    this.store.replace(page.items, rv);
    this.lastSyncResourceVersion = rv;
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = Math.floor(MIN_WATCH_TIMEOUT_S * (1 + this.random()));
    await this.lw.watch({ resourceVersion: this.lastSyncResourceVersion, allowWatchBookmarks: true, timeoutSeconds }, (ev) => this.apply(ev), signal);
  }

  private apply(ev: WatchEvent<T>): void {
    switch (ev.type) {
      case 'ADDED':
        this.store.add(ev.object);
        break;
      case 'MODIFIED':
        this.store.update(ev.object);
        break;
      case 'DELETED':
        this.store.delete(ev.object);
        break;
      case 'BOOKMARK':
        break; // only moves the resourceVersion forward, below
      case 'ERROR':
        // The resource client turns ERROR events into a rejected watch; one here is a bug.
        throw new Error(`${this.o.name}: unexpected ERROR event ${JSON.stringify(ev.object)}`);
    }
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.lastSyncResourceVersion = rv;
  }
}

function isConnectionRefused(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
}
