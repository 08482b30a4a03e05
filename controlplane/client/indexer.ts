// The informer's local cache (client-go tools/cache: thread_safe_store.go + index.go): objects by
// key "<namespace>/<name>" (or "<name>" when cluster-scoped) plus secondary indexes, each a map
// index value → set of keys, kept current on every add, update and delete.
import type { KubeObject, Lister } from './types.ts';

export type IndexFn<T> = (obj: T) => string[];

/** MetaNamespaceKeyFunc: the key controllers put on their work queues. */
export function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

/** SplitMetaNamespaceKey: "ns/name" → {namespace, name}; "name" → cluster-scoped. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

// The indexes every informer has; upstream's MetaNamespaceIndexFunc plus the two that the
// scheduler/kubelet (pods by node) and the garbage collector/controllers (children by owner) need.
export const NAMESPACE_INDEX = 'namespace';
export const NODE_NAME_INDEX = 'nodeName';
export const OWNER_UID_INDEX = 'ownerUID';

export const DEFAULT_INDEXES: Record<string, IndexFn<KubeObject>> = {
  [NAMESPACE_INDEX]: (o) => (o.metadata.namespace ? [o.metadata.namespace] : []),
  [NODE_NAME_INDEX]: (o) => (typeof o.spec?.nodeName === 'string' && o.spec.nodeName !== '' ? [o.spec.nodeName] : []),
  [OWNER_UID_INDEX]: (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid).filter((u) => !!u),
};

/** What a replace (relist) changed, so the informer can tell its handlers. */
export interface ReplaceDiff<T> {
  added: T[];
  updated: { oldObj: T; newObj: T }[];
  deleted: T[];
}

export class Indexer<T extends KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexFns = new Map<string, IndexFn<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexes: Record<string, IndexFn<T>> = DEFAULT_INDEXES as Record<string, IndexFn<T>>) {
    for (const [name, fn] of Object.entries(indexes)) this.addIndex(name, fn);
  }

  /** Adds an index and indexes what is already cached (upstream refuses after start; here it is safe). */
  addIndex(name: string, fn: IndexFn<T>): void {
    if (this.indexFns.has(name)) throw new Error(`index ${name} already exists`);
    this.indexFns.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.indexOne(name, fn, key, obj);
  }

  /** Inserts or replaces; returns the previous object under the same key. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexFns) this.indexOne(name, fn, key, obj);
    return old;
  }

  /** Removes by the object's key; returns what was cached. */
  remove(obj: KubeObject): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replaces the whole content with a fresh list and reports the difference (a relist). */
  replace(list: T[]): ReplaceDiff<T> {
    const diff: ReplaceDiff<T> = { added: [], updated: [], deleted: [] };
    const fresh = new Set<string>();
    for (const obj of list) {
      fresh.add(objectKey(obj));
      const old = this.upsert(obj);
      if (old) diff.updated.push({ oldObj: old, newObj: obj });
      else diff.added.push(obj);
    }
    for (const [key, obj] of [...this.items]) {
      if (fresh.has(key)) continue;
      this.remove(obj);
      diff.deleted.push(obj);
    }
    return diff;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index ${indexName} does not exist`);
    const keys = index.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.items.get(k)!);
  }

  private indexOne(name: string, fn: IndexFn<T>, key: string, obj: T): void {
    const index = this.indices.get(name)!;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFns) {
      const index = this.indices.get(name)!;
      for (const value of new Set(fn(obj))) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value); // no empty sets left behind: the index stays small
      }
    }
  }
}
