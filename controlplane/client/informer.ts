// A shared informer (client-go tools/cache/shared_informer.go): one reflector keeps one indexed
// cache current, and every registered handler hears about each change. Handlers should only
// enqueue keys (sample-controller); the cache they read from must never be mutated.
//
// Simplifications from upstream, on purpose: no DeltaFIFO — the reflector applies each change to
// the cache and calls the handlers directly, in order, in the same turn; one resync period for
// the whole informer instead of one per handler.
import { defaultLogger, type Logger } from './log.ts';
import { Indexer, type IndexFn } from './indexer.ts';
import { Reflector, type ListerWatcher, type ReflectorOptions } from './reflector.ts';
import type { EventHandlers, Informer, KubeObject } from './types.ts';

export interface InformerOptions {
  /** Re-deliver onUpdate(obj, obj) for every cached object this often; 0 (default) = never. */
  resyncMs?: number;
  /** For logs. */
  name?: string;
  logger?: Logger;
  /** Test seams passed to the reflector. */
  reflector?: Pick<ReflectorOptions, 'sleep' | 'random'>;
}

export class SharedInformer<T extends KubeObject> implements Informer<T> {
  readonly lister: Indexer<T>;
  readonly reflector: Reflector<T>;
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly log: Logger;
  private synced = false;
  private running = false;

  constructor(
    lw: ListerWatcher<T>,
    private readonly o: InformerOptions = {},
  ) {
    this.log = (o.logger ?? defaultLogger).child({ informer: o.name ?? 'informer' });
    this.lister = new Indexer<T>();
    this.reflector = new Reflector<T>(
      lw,
      {
        replace: (items) => this.onReplace(items),
        add: (obj) => this.onAddOrUpdate(obj),
        update: (obj) => this.onAddOrUpdate(obj),
        delete: (obj) => this.onDelete(obj),
      },
      { name: o.name ?? 'informer', logger: o.logger, ...o.reflector },
    );
  }

  /** A handler added late first hears an add for everything already cached (as upstream). */
  addEventHandler(h: EventHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.lister.list()) this.call(h, 'onAdd', obj);
  }

  addIndex(name: string, indexFn: IndexFn<T>): void {
    this.lister.addIndex(name, indexFn);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  run(signal: AbortSignal): void {
    if (this.running || signal.aborted) return;
    this.running = true;
    void this.reflector.run(signal).finally(() => (this.running = false));
    const resyncMs = this.o.resyncMs ?? 0;
    if (resyncMs > 0) {
      const timer = setInterval(() => this.resync(), resyncMs);
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    }
  }

  /** Every cached object again as onUpdate(old = new): the level-triggered safety net. */
  resync(): void {
    if (!this.synced) return;
    for (const obj of this.lister.list()) this.dispatchUpdate(obj, obj);
  }

  // A relist: the cache is replaced and the difference told as adds, updates (every object that
  // is still there, changed or not, as upstream's Replace does) and deletes for what vanished
  // while we were not watching — given with its last known state (DeletedFinalStateUnknown).
  private onReplace(items: T[]): void {
    const diff = this.lister.replace(items);
    for (const obj of diff.added) this.dispatch('onAdd', obj);
    for (const { oldObj, newObj } of diff.updated) this.dispatchUpdate(oldObj, newObj);
    for (const obj of diff.deleted) this.dispatch('onDelete', obj);
    this.synced = true;
  }

  private onAddOrUpdate(obj: T): void {
    const old = this.lister.upsert(obj);
    if (old) this.dispatchUpdate(old, obj);
    else this.dispatch('onAdd', obj);
  }

  private onDelete(obj: T): void {
    this.lister.remove(obj);
    this.dispatch('onDelete', obj);
  }

  private dispatch(kind: 'onAdd' | 'onDelete', obj: T): void {
    for (const h of this.handlers) this.call(h, kind, obj);
  }

  private dispatchUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) {
      try {
        h.onUpdate?.(oldObj, newObj);
      } catch (err) {
        this.handlerFailed(err, 'onUpdate', newObj);
      }
    }
  }

  // Upstream runs each handler in its own goroutine, where a panic ends the process; here one
  // failing handler is logged loudly and must not stop the cache or the other handlers.
  private call(h: EventHandlers<T>, kind: 'onAdd' | 'onDelete', obj: T): void {
    try {
      h[kind]?.(obj);
    } catch (err) {
      this.handlerFailed(err, kind, obj);
    }
  }

  private handlerFailed(err: unknown, kind: string, obj: T): void {
    this.log.error({ err, handler: kind, object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}` }, 'event handler threw');
  }
}
