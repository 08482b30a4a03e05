// The etcd v3 store: every Backend call is one etcd request, shaped the way the Kubernetes
// apiserver's etcd3 store shapes it (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go):
// create and conditional writes are transactions comparing create_revision / mod_revision, and
// the losing side of a compare reads the current value in the same transaction.

import {
  CompareResult,
  CompareTarget,
  Etcd3,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
  type ICompare,
  type IEvent,
  type IKeyValue,
  type KVClient,
  type Watcher as EtcdWatcher,
} from 'etcd3';
import { prefixEndBytes } from './keyRange.ts';
import {
  type Backend,
  type CasResult,
  CompactedError,
  type KeyValue,
  KeyExistsError,
  type ListOptions,
  type ListResult,
  StorageError,
  type WatchCallbacks,
  type WatchEvent,
  type Watcher,
  type WriteResult,
} from './types.ts';

export interface EtcdBackendOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
}

// etcd's mvcc error texts (server/mvcc/kvstore.go ErrCompacted, ErrFutureRev).
const COMPACTED_MESSAGE = 'required revision has been compacted';
const FUTURE_REVISION_MESSAGE = 'required revision is a future revision';
// The smallest key there is: ranges over it are the cheapest way to read the header revision.
const PROBE_KEY = Buffer.from([0]);

export class EtcdBackend implements Backend {
  readonly name = 'etcd';
  private client: Etcd3 | undefined;
  private closed = false;
  /** Open watches, so close() can end them with a Closed error as the SQLite store does. */
  private readonly watches = new Set<{ cancel(): void; cb: WatchCallbacks }>();

  constructor(private readonly opts: EtcdBackendOptions) {}

  async start(): Promise<void> {
    this.client = new Etcd3({ hosts: this.opts.endpoints });
    await this.currentRevision(); // fail start() when etcd is unreachable
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedErr = new StorageError('storage closed', 'Closed');
    for (const w of [...this.watches]) {
      w.cancel();
      w.cb.onError(closedErr);
    }
    this.client?.close();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call((kv) => kv.range({ key: Buffer.from(key) }));
    return res.kvs[0] && toKv(res.kvs[0]);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const res = await this.read(opts.revision ?? 0, (kv) =>
      kv.range({ key: Buffer.from(start), range_end: prefixEndBytes(Buffer.from(prefix)), revision: opts.revision ?? 0, limit: opts.limit ?? 0 }),
    );
    // The header carries the store's current revision; a read at an older one was served there.
    return { kvs: res.kvs.map(toKv), revision: opts.revision || Number(res.header.revision), more: res.more };
  }

  async count(prefix: string): Promise<number> {
    const key = Buffer.from(prefix);
    const res = await this.call((kv) => kv.range({ key, range_end: prefixEndBytes(key), count_only: true }));
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<WriteResult> {
    const k = Buffer.from(key);
    const res = await this.call((kv) =>
      kv.txn({
        compare: [compare(k, CompareTarget.Create, CompareResult.Equal, { create_revision: 0 })],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    return { revision: Number(res.header.revision) };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<CasResult> {
    const k = Buffer.from(key);
    const res = await this.call((kv) =>
      kv.txn({
        compare: [
          compare(k, CompareTarget.Mod, CompareResult.Equal, { mod_revision: expectedRevision }),
          // etcd compares a missing key as all zeroes: without this an update could create it.
          compare(k, CompareTarget.Version, CompareResult.Greater, { version: 0 }),
        ],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const current = res.responses[0]?.response_range.kvs[0];
    return { ok: false, current: current && toKv(current) };
  }

  async delete(key: string, expectedRevision: number): Promise<CasResult> {
    const k = Buffer.from(key);
    const condition = expectedRevision === 0
      ? compare(k, CompareTarget.Version, CompareResult.Greater, { version: 0 })
      : compare(k, CompareTarget.Mod, CompareResult.Equal, { mod_revision: expectedRevision });
    const res = await this.call((kv) =>
      kv.txn({
        compare: [condition],
        success: [{ request_delete_range: { key: k } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const current = res.responses[0]?.response_range.kvs[0];
    return { ok: false, current: current && toKv(current) };
  }

  /**
   * Watches from fromRevision + 1 with previous values. If the connection drops, the etcd3 client
   * re-creates the watch by itself; we point it at the revision after the last event delivered
   * (the client would use the last response header's revision, which can skip replayed history),
   * so a reconnect neither loses nor repeats an event.
   */
  async watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Promise<Watcher> {
    const client = this.connected();
    let last = fromRevision;
    const w: EtcdWatcher = client.watch().prefix(prefix).withPreviousKV().startRevision(String(fromRevision + 1)).watcher();
    const resumePoint = () => { w.request.start_revision = String(last + 1); };
    const entry = {
      cb,
      cancel: () => {
        this.watches.delete(entry);
        // Cancelling a watch whose client already closed has nothing left to undo.
        w.cancel().catch(() => {});
      },
    };
    let created = false;
    await new Promise<void>((resolve, reject) => {
      w.on('connected', () => {
        resumePoint();
        if (!created) { created = true; resolve(); }
      });
      w.on('data', (res) => {
        const events = res.events.map(toEvent).filter((e) => e.revision > last);
        if (events.length > 0) {
          last = events[events.length - 1]!.revision;
          cb.onEvent(events);
        }
        resumePoint();
      });
      // etcd cancels a watch whose start revision is compacted (also after a reconnect).
      w.on('error', (err) => {
        if (this.closed) return; // close() already told the consumer
        void this.watchFailure(err, last).then((mapped) => {
          this.watches.delete(entry);
          if (!created) { created = true; reject(mapped); } else cb.onError(mapped);
        });
      });
    });
    this.watches.add(entry);
    return { close: entry.cancel };
  }

  async currentRevision(): Promise<number> {
    const res = await this.call((kv) => kv.range({ key: PROBE_KEY, count_only: true }));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    const client = this.connected();
    try {
      // physical: return once the old revisions are really gone, as kube-apiserver's compactor does.
      await client.kv.compact({ revision, physical: true });
    } catch (err) {
      if (err instanceof Error && err.message.includes(COMPACTED_MESSAGE)) return; // already compacted past it
      throw await this.mapError(err, revision);
    }
  }

  private connected(): Etcd3 {
    if (this.closed) throw new StorageError('storage closed', 'Closed');
    if (!this.client) throw new StorageError('storage not started', 'Closed');
    return this.client;
  }

  /** One request, with etcd's errors turned into StorageErrors the apiserver understands. */
  private async call<T>(fn: (kv: KVClient) => Promise<T>): Promise<T> {
    const client = this.connected();
    try {
      return await fn(client.kv);
    } catch (err) {
      throw await this.mapError(err, 0);
    }
  }

  /** A read at a revision; a compacted one becomes CompactedError naming both revisions. */
  private async read<T>(revision: number, fn: (kv: KVClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.connected().kv);
    } catch (err) {
      throw await this.mapError(err, revision);
    }
  }

  private async mapError(err: unknown, requested: number): Promise<Error> {
    if (!(err instanceof Error)) return new Error(String(err));
    if (err.message.includes(COMPACTED_MESSAGE)) return new CompactedError(requested, await this.findCompactedRevision(requested));
    if (err.message.includes(FUTURE_REVISION_MESSAGE)) return new StorageError(`revision ${requested} is in the future`, 'Unavailable');
    // The client's circuit breaker (cockatiel BrokenCircuitError) opens after repeated failures.
    if (err instanceof GRPCUnavailableError || err instanceof GRPCDeadlineExceededError || err.constructor.name === 'BrokenCircuitError') {
      return new StorageError(`etcd unavailable: ${err.message}`, 'Unavailable');
    }
    return err;
  }

  /** Why a watch was cancelled: compaction under it, or something else. */
  private async watchFailure(err: Error, last: number): Promise<Error> {
    // The client drops the compact_revision of a cancelled watch, so ask etcd directly: a watch
    // from last + 1 is refused exactly when a read at last + 1 is.
    if (await this.readable(last + 1).catch(() => true)) return new StorageError(`watch ended: ${err.message}`, 'Unavailable');
    return new CompactedError(last, await this.findCompactedRevision(last));
  }

  private async readable(revision: number): Promise<boolean> {
    try {
      await this.connected().kv.range({ key: PROBE_KEY, count_only: true, revision });
      return true;
    } catch (err) {
      if (err instanceof Error && err.message.includes(COMPACTED_MESSAGE)) return false;
      throw err;
    }
  }

  /**
   * etcd reports that a revision is compacted but not up to where (except on watch responses,
   * which the client hides). The compacted revision is the oldest one still readable: binary
   * search for it between the refused revision and now — a handful of count-only reads, and
   * only on this error path.
   */
  private async findCompactedRevision(refused: number): Promise<number> {
    let lo = refused + 1;
    let hi = await this.currentRevision();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readable(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function compare(key: Buffer, target: CompareTarget, result: CompareResult, operand: Partial<ICompare>): ICompare {
  return { key, target, result, ...operand };
}

function toKv(kv: IKeyValue): KeyValue {
  return { key: kv.key.toString(), value: kv.value.toString(), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
}

/** etcd's put/delete events in the Backend's terms (a put at version 1 is a create). */
export function toEvent(ev: IEvent): WatchEvent {
  const revision = Number(ev.kv.mod_revision);
  const prevKv = ev.prev_kv ? toKv(ev.prev_kv) : undefined;
  if (ev.type === 'Delete') {
    // etcd's delete event has an empty value; the Backend's carries the last one.
    const kv: KeyValue = { key: ev.kv.key.toString(), value: prevKv?.value ?? '', createRevision: prevKv?.createRevision ?? 0, modRevision: revision };
    return prevKv ? { type: 'delete', kv, prevKv, revision } : { type: 'delete', kv, revision };
  }
  const kv = toKv(ev.kv);
  if (ev.kv.version === '1') return { type: 'create', kv, revision };
  return prevKv ? { type: 'update', kv, prevKv, revision } : { type: 'update', kv, revision };
}
