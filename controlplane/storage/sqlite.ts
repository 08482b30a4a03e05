// The embedded store: a kine-style revision log in one SQLite file (see sqliteLog.ts).
//
// better-sqlite3 is synchronous and this process is the only writer, so every write is one short
// transaction and writes serialize by construction — no "database is locked" under load, which
// is kine's best-known pain with SQLite. For the same reason watches need no polling: after each
// commit the writer hands the new row to the in-process broadcaster.

import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { prefixRange } from './keyRange.ts';
import { COMPACT_REVISION_KEY, type LogRow, SCHEMA, SQL, createRevisionOf, rowToEvent, rowToKv } from './sqliteLog.ts';
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
  type Watcher,
  type WriteResult,
} from './types.ts';
import { WatchBroadcaster } from './watchBroadcaster.ts';

// kine's defaults (pkg/server/compact.go): compact every 5 minutes, keep the last 1000 revisions.
export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60 * 1000;
export const DEFAULT_COMPACT_RETAIN = 1000;

export interface SqliteBackendOptions {
  /** The database file (WAL mode adds <path>-wal and <path>-shm beside it). */
  path: string;
  /** How often to compact; 0 turns periodic compaction off. */
  compactIntervalMs?: number;
  /** How many recent revisions periodic compaction keeps. */
  compactRetain?: number;
  logger?: Logger;
}

type Statements = { [K in keyof typeof SQL]: Database.Statement };

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  private db: Database.Database | undefined;
  private stmts!: Statements;
  private revision = 0;
  private compactedRevision = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly watchers = new WatchBroadcaster();

  constructor(private readonly opts: SqliteBackendOptions) {}

  async start(): Promise<void> {
    const db = new Database(this.opts.path);
    db.pragma('journal_mode = WAL');
    // FULL: fsync the WAL on every commit, so an acknowledged write survives a crash of the
    // machine, not only of the process.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    this.db = db;
    this.stmts = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Statements;
    this.revision = (this.stmts.currentRevision.get() as { seq: number } | undefined)?.seq ?? 0;
    this.compactedRevision = (this.stmts.getMeta.get(COMPACT_REVISION_KEY) as { value: number } | undefined)?.value ?? 0;
    const interval = this.opts.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
    if (interval > 0) {
      this.timer = setInterval(() => this.compactOldRevisions(), interval);
      this.timer.unref();
    }
    this.opts.logger?.info({ path: this.opts.path, revision: this.revision, compacted: this.compactedRevision }, 'sqlite storage opened');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.watchers.failAll(new StorageError('storage closed', 'Closed'));
    this.db?.close();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const row = this.latest(key);
    return row && !row.deleted ? rowToKv(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.open();
    const revision = this.readRevision(opts.revision);
    const { start, end } = prefixRange(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const from = opts.startKey && opts.startKey > start ? opts.startKey : start;
    // One row past the limit tells whether more follow, without a second query.
    const rows = this.stmts.list.all({ start: from, end, revision, limit: limit ? limit + 1 : -1 }) as LogRow[];
    const more = limit > 0 && rows.length > limit;
    return { kvs: (more ? rows.slice(0, limit) : rows).map(rowToKv), revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.open();
    const { start, end } = prefixRange(prefix);
    return (this.stmts.count.get({ start, end, revision: this.revision }) as { n: number }).n;
  }

  async create(key: string, value: string): Promise<WriteResult> {
    const row = this.write(() => {
      const latest = this.latest(key);
      if (latest && !latest.deleted) throw new KeyExistsError(key);
      return { name: key, created: 1, deleted: 0, create_revision: 0, prev_revision: latest?.id ?? 0, value, old_value: null };
    });
    return { revision: row!.id };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<CasResult> {
    let current: KeyValue | undefined;
    const row = this.write(() => {
      const latest = this.latest(key);
      if (!latest || latest.deleted) return undefined;
      if (latest.id !== expectedRevision) {
        current = rowToKv(latest);
        return undefined;
      }
      return {
        name: key, created: 0, deleted: 0, create_revision: createRevisionOf(latest),
        prev_revision: latest.id, value, old_value: latest.value,
      };
    });
    return row ? { ok: true, revision: row.id } : { ok: false, current };
  }

  async delete(key: string, expectedRevision: number): Promise<CasResult> {
    let current: KeyValue | undefined;
    const row = this.write(() => {
      const latest = this.latest(key);
      if (!latest || latest.deleted) return undefined;
      if (expectedRevision !== 0 && latest.id !== expectedRevision) {
        current = rowToKv(latest);
        return undefined;
      }
      // The tombstone keeps the last value so the delete event can carry it.
      return {
        name: key, created: 0, deleted: 1, create_revision: createRevisionOf(latest),
        prev_revision: latest.id, value: latest.value, old_value: latest.value,
      };
    });
    return row ? { ok: true, revision: row.id } : { ok: false, current };
  }

  async watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Promise<Watcher> {
    this.open();
    if (fromRevision < this.compactedRevision) throw new CompactedError(fromRevision, this.compactedRevision);
    // Reading the history and subscribing happen in one synchronous step: no write can commit in
    // between, so the replay ends exactly where live events begin — no gap, no duplicate.
    const { start, end } = prefixRange(prefix);
    const history = fromRevision < this.revision
      ? (this.stmts.history.all({ after: fromRevision, start, end }) as LogRow[]).map(rowToEvent)
      : [];
    return this.watchers.subscribe(prefix, fromRevision, cb, history);
  }

  async currentRevision(): Promise<number> {
    this.open();
    return this.revision;
  }

  async compact(revision: number): Promise<void> {
    const db = this.open();
    if (revision > this.revision) throw new StorageError(`cannot compact to future revision ${revision} (current ${this.revision})`, 'Unavailable');
    if (revision <= this.compactedRevision) return;
    const removed = db.transaction(() => {
      const info = this.stmts.compact.run({ revision });
      this.stmts.setMeta.run(COMPACT_REVISION_KEY, revision);
      return info.changes;
    })();
    this.compactedRevision = revision;
    // Move the WAL's pages into the main file and truncate it, so the WAL does not grow without
    // bound (kine's other well-known SQLite pain).
    db.pragma('wal_checkpoint(TRUNCATE)');
    this.opts.logger?.info({ revision, removed }, 'compacted storage');
  }

  /** Periodic compaction: drop history older than the last `compactRetain` revisions. */
  private compactOldRevisions(): void {
    const target = this.revision - (this.opts.compactRetain ?? DEFAULT_COMPACT_RETAIN);
    if (this.closed || target <= this.compactedRevision) return;
    this.compact(target).catch((err) => this.opts.logger?.error({ err }, 'periodic compaction failed'));
  }

  private open(): Database.Database {
    if (this.closed) throw new StorageError('storage closed', 'Closed');
    if (!this.db) throw new StorageError('storage not started', 'Closed');
    return this.db;
  }

  private latest(key: string): LogRow | undefined {
    this.open();
    return this.stmts.latest.get(key) as LogRow | undefined;
  }

  /** The revision a read is served at: latest, or an older one still in the log. */
  private readRevision(requested: number | undefined): number {
    if (!requested) return this.revision;
    if (requested < this.compactedRevision) throw new CompactedError(requested, this.compactedRevision);
    if (requested > this.revision) throw new StorageError(`revision ${requested} is in the future (current ${this.revision})`, 'Unavailable');
    return requested;
  }

  /**
   * Runs one write transaction: decide() reads the key and returns the row to append, or
   * undefined for "no write". The new row is broadcast to watchers after the commit.
   */
  private write(decide: () => Omit<LogRow, 'id'> | undefined): LogRow | undefined {
    const db = this.open();
    const row = db.transaction((): LogRow | undefined => {
      const next = decide();
      if (!next) return undefined;
      const info = this.stmts.insert.run(next);
      return { ...next, id: Number(info.lastInsertRowid) };
    })();
    if (!row) return undefined;
    this.revision = row.id;
    this.watchers.publish([rowToEvent(row)]);
    return row;
  }
}
