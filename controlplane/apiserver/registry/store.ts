// The generic registry store: objects of any resource over the storage Backend, with
// Kubernetes' metadata rules (uid, creationTimestamp, resourceVersion = the storage revision),
// optimistic concurrency and continue tokens. Upstream: k8s.io/apiserver/pkg/registry/generic/registry/store.go
// over pkg/storage/etcd3/store.go. Resource-specific rules live in strategies, not here.
import { randomUUID } from 'node:crypto';
import type { Backend, KeyValue } from '../../storage/types.ts';
import { CompactedError } from '../../storage/types.ts';
import { errors } from '../../api/errors.ts';
import { storageKey, storagePrefix, type ResourceInfo } from '../../api/resources.ts';
import { coreEventToV1, eventsV1ToCore } from '../../api/eventsV1.ts';

export type Obj = Record<string, any>;

/** Resources stored in another version's shape convert on the way in and out. */
function isEventsV1(r: ResourceInfo | undefined): boolean {
  return r?.group === 'events.k8s.io';
}

export function decode(kv: KeyValue, r?: ResourceInfo): Obj {
  let obj = JSON.parse(kv.value) as Obj;
  if (isEventsV1(r)) obj = coreEventToV1(obj);
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** Objects are stored without resourceVersion: it is the storage revision, set on every read. */
export function encode(obj: Obj, r?: ResourceInfo): string {
  const stored = isEventsV1(r) ? eventsV1ToCore(obj) : obj;
  const { resourceVersion: _rv, ...metadata } = stored.metadata ?? {};
  return JSON.stringify({ ...stored, metadata });
}

export function nowTimestamp(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z'); // RFC 3339, seconds, as metav1.Time
}

// upstream: k8s.io/apiserver/pkg/storage/names/generate.go and util/rand (no vowels, no 0/1/3).
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return s;
}

interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    /* fall through */
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export interface ListParams {
  namespace?: string;
  limit?: number;
  continueToken?: string;
  /** Exact revision to read at (resourceVersionMatch=Exact); otherwise latest. */
  revision?: number;
  filter?: (obj: Obj) => boolean;
}

export interface ListPage {
  items: Obj[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

export class ObjectStore {
  constructor(readonly backend: Backend) {}

  private prefixFor(r: ResourceInfo, namespace?: string): string {
    return r.namespaced && namespace ? `${storagePrefix(r)}${namespace}/` : storagePrefix(r);
  }

  async get(r: ResourceInfo, namespace: string | undefined, name: string): Promise<Obj> {
    const kv = await this.backend.get(storageKey(r, namespace, name));
    if (!kv) throw errors.notFound(r.group, r.plural, name);
    return decode(kv, r);
  }

  async tryGet(r: ResourceInfo, namespace: string | undefined, name: string): Promise<Obj | undefined> {
    const kv = await this.backend.get(storageKey(r, namespace, name));
    return kv ? decode(kv, r) : undefined;
  }

  /** Lists a page: reads storage in chunks at one revision until `limit` objects pass the filter. */
  async list(r: ResourceInfo, p: ListParams): Promise<ListPage> {
    const prefix = this.prefixFor(r, p.namespace);
    let revision = p.revision ?? 0;
    let startKey: string | undefined;
    if (p.continueToken) {
      const t = decodeContinue(p.continueToken);
      revision = t.rv;
      startKey = t.start;
    }
    const limit = p.limit && p.limit > 0 ? p.limit : 0;
    const items: Obj[] = [];
    let lastKey: string | undefined;
    let more = false;
    try {
      for (;;) {
        const chunk = limit ? Math.max(limit - items.length, 50) : 0;
        const res = await this.backend.list(prefix, { revision, limit: chunk, startKey });
        revision = res.revision;
        more = res.more;
        for (const kv of res.kvs) {
          const obj = decode(kv, r);
          if (limit && items.length >= limit) {
            more = true;
            break;
          }
          lastKey = kv.key;
          if (!p.filter || p.filter(obj)) items.push(obj);
        }
        if (!res.more || (limit && items.length >= limit) || res.kvs.length === 0) break;
        startKey = res.kvs[res.kvs.length - 1]!.key + '\x00';
      }
    } catch (e) {
      if (e instanceof CompactedError) throw errors.gone(p.continueToken ? EXPIRED_CONTINUE : `too old resource version: ${revision} (${e.compacted})`);
      throw e;
    }
    const page: ListPage = { items, resourceVersion: String(revision) };
    if (limit && more && lastKey !== undefined) page.continueToken = encodeContinue({ rv: revision, start: lastKey + '\x00' });
    return page;
  }

  /** Fills server-owned metadata and stores a new object. The caller has defaulted and validated it. */
  async create(r: ResourceInfo, obj: Obj, opts: { dryRun?: boolean } = {}): Promise<Obj> {
    const md = obj.metadata;
    md.uid ??= randomUUID();
    md.creationTimestamp = nowTimestamp();
    delete md.resourceVersion;
    delete md.deletionTimestamp;
    delete md.deletionGracePeriodSeconds;
    const key = storageKey(r, md.namespace, md.name);
    if (opts.dryRun) {
      if (await this.backend.get(key)) throw errors.alreadyExists(r.group, r.plural, md.name);
      return obj;
    }
    try {
      const { revision } = await this.backend.create(key, encode(obj, r));
      md.resourceVersion = String(revision);
      return obj;
    } catch (e) {
      if ((e as { code?: string }).code === 'KeyExists') throw errors.alreadyExists(r.group, r.plural, md.name);
      throw e;
    }
  }

  /**
   * Read-modify-write with optimistic concurrency (upstream GuaranteedUpdate): tryUpdate gets the
   * current object and returns the new one. When the caller pinned a resourceVersion (an update
   * body or a precondition), a mismatch is a 409; otherwise a lost race is retried from a fresh read.
   */
  async guaranteedUpdate(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    tryUpdate: (current: Obj) => Obj | Promise<Obj>,
    opts: { dryRun?: boolean } = {},
  ): Promise<{ object: Obj; changed: boolean }> {
    const key = storageKey(r, namespace, name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw errors.notFound(r.group, r.plural, name);
      const current = decode(kv, r);
      const next = await tryUpdate(structuredClone(current));
      const pinned = next.metadata?.resourceVersion;
      if (pinned && pinned !== current.metadata.resourceVersion) {
        throw errors.conflict(r.group, r.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const value = encode(next, r);
      if (value === encode(current, r)) return { object: current, changed: false };
      if (opts.dryRun) return { object: next, changed: true };
      const res = await this.backend.update(key, value, kv.modRevision);
      if (res.ok) {
        next.metadata.resourceVersion = String(res.revision);
        return { object: next, changed: true };
      }
      if (pinned) throw errors.conflict(r.group, r.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    throw errors.conflict(r.group, r.plural, name, 'too many concurrent updates; please try again');
  }

  /** Removes the object if it is still at `expectedRevision` (0: whatever it is). */
  async remove(r: ResourceInfo, obj: Obj, opts: { dryRun?: boolean } = {}): Promise<Obj> {
    const md = obj.metadata;
    if (opts.dryRun) return obj;
    const res = await this.backend.delete(storageKey(r, md.namespace, md.name), Number(md.resourceVersion ?? 0));
    if (!res.ok) {
      if (!res.current) throw errors.notFound(r.group, r.plural, md.name);
      throw errors.conflict(r.group, r.plural, md.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return obj;
  }

  async currentRevision(): Promise<number> {
    return this.backend.currentRevision();
  }

  watchPrefix(r: ResourceInfo, namespace?: string): string {
    return this.prefixFor(r, namespace);
  }
}
