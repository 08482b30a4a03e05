// The narrow storage backend every store implements (after k3s-io/kine pkg/server/types.go).
// Keys are strings like /registry/pods/default/nginx; values are the object's JSON bytes.
// Revisions are one cluster-wide counter: every write gets the next one, and an object's
// resourceVersion is the revision of its last write (etcd's mod_revision).

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export type WatchEventType = 'create' | 'update' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** For delete: the last value before deletion, with modRevision = the delete's revision. */
  kv: KeyValue;
  prevKv?: KeyValue;
  /** Revision at which this event happened. */
  revision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or undefined: latest). Older than the compacted revision → CompactedError. */
  revision?: number;
  /** At most this many items (0 or undefined: all). */
  limit?: number;
  /** Start at this key (inclusive), for continue tokens. */
  startKey?: string;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys under the prefix follow the last one returned. */
  more: boolean;
}

export interface WriteResult {
  revision: number;
}

/** Result of a conditional write: ok, or the current value (undefined when the key is gone). */
export type CasResult = { ok: true; revision: number } | { ok: false; current?: KeyValue };

export interface Watcher {
  close(): void;
}

export interface WatchCallbacks {
  onEvent(events: WatchEvent[]): void;
  /** The watch ended on its own (compaction under it, backend closed, connection lost). */
  onError(err: Error): void;
}

export interface Backend {
  readonly name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Creates key; KeyExistsError when present. */
  create(key: string, value: string): Promise<WriteResult>;
  /** Writes key only while its modRevision equals expectedRevision. */
  update(key: string, value: string, expectedRevision: number): Promise<CasResult>;
  /** Deletes key only while its modRevision equals expectedRevision (0: unconditionally). */
  delete(key: string, expectedRevision: number): Promise<CasResult>;
  /**
   * Watches keys under prefix, delivering every change with revision > fromRevision in order.
   * fromRevision older than the compacted revision → CompactedError thrown synchronously or via onError.
   */
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Promise<Watcher>;
  currentRevision(): Promise<number>;
  /** Drops history before revision (the latest value of every live key is kept). */
  compact(revision: number): Promise<void>;
}

export class StorageError extends Error {
  constructor(message: string, readonly code: 'KeyExists' | 'Compacted' | 'Closed' | 'Unavailable') {
    super(message);
    this.name = 'StorageError';
  }
}

export class KeyExistsError extends StorageError {
  constructor(readonly key: string) {
    super(`key exists: ${key}`, 'KeyExists');
  }
}

export class CompactedError extends StorageError {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`, 'Compacted');
  }
}
