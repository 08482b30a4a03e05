// Fans committed writes out to in-process watchers (kine's broadcaster, without the polling:
// in one process the writer itself knows when a row is committed).
//
// Each subscriber has its own queue, filled synchronously in commit order and drained on a
// microtask. Delivery never runs inside the writer, so a watcher that writes from its callback
// cannot reorder events for the others, and a slow callback never holds a transaction open.

import type { WatchCallbacks, WatchEvent, Watcher } from './types.ts';

class Subscription implements Watcher {
  private readonly queue: WatchEvent[][] = [];
  private scheduled = false;
  closed = false;

  constructor(
    readonly prefix: string,
    /** Events at or below this revision were asked not to be sent. */
    private readonly afterRevision: number,
    private readonly cb: WatchCallbacks,
    private readonly onClose: (s: Subscription) => void,
  ) {}

  push(events: WatchEvent[]): void {
    const mine = events.filter((e) => e.revision > this.afterRevision && e.kv.key.startsWith(this.prefix));
    if (mine.length === 0 || this.closed) return;
    this.queue.push(mine);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.drain());
    }
  }

  /** Ends the watch from the store's side: the consumer hears why through onError. */
  fail(err: Error): void {
    if (this.closed) return;
    this.close();
    queueMicrotask(() => this.cb.onError(err));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose(this);
  }

  private drain(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && !this.closed) {
      // A callback that throws is the consumer's bug; it surfaces as an uncaught exception
      // (as in the etcd3 client) rather than being swallowed here.
      this.cb.onEvent(this.queue.shift()!);
    }
  }
}

export class WatchBroadcaster {
  private readonly subs = new Set<Subscription>();

  /**
   * Registers a watcher for changes after afterRevision; backlog (history the caller read) is
   * delivered before any live event.
   */
  subscribe(prefix: string, afterRevision: number, cb: WatchCallbacks, backlog: WatchEvent[] = []): Watcher {
    const sub = new Subscription(prefix, afterRevision, cb, (s) => this.subs.delete(s));
    this.subs.add(sub);
    if (backlog.length > 0) sub.push(backlog);
    return sub;
  }

  publish(events: WatchEvent[]): void {
    for (const sub of this.subs) sub.push(events);
  }

  /** Ends every watch, e.g. when the store closes. */
  failAll(err: Error): void {
    for (const sub of [...this.subs]) sub.fail(err);
  }

  get size(): number {
    return this.subs.size;
  }
}
