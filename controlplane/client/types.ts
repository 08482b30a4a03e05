// The client machinery every component uses to talk to the API server, after client-go:
// a REST client per resource, shared informers (list + watch into a local cache with indexes),
// a rate-limited work queue of keys, an event recorder and Lease-based leader election.
// Controllers follow sample-controller: informer handlers only enqueue keys; workers reconcile.
import type { ResourceInfo } from '../api/resources.ts';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
    generateName?: string;
    [k: string]: unknown;
  };
  [k: string]: any;
};

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A non-2xx answer: the Kubernetes Status body with its code and reason. */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: Record<string, any>,
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }
}

export const isNotFound = (e: unknown) => e instanceof ApiStatusError && e.code === 404;
export const isConflict = (e: unknown) => e instanceof ApiStatusError && e.code === 409;
export const isAlreadyExists = (e: unknown) => e instanceof ApiStatusError && e.reason === 'AlreadyExists';
export const isGone = (e: unknown) => e instanceof ApiStatusError && e.code === 410;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

/** One resource in one namespace (or cluster-wide / all namespaces when namespace is undefined). */
export interface ResourceClient<T extends KubeObject = KubeObject> {
  readonly resource: ResourceInfo;
  get(name: string): Promise<T>;
  list(opts?: ListOptions): Promise<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  patch(name: string, type: PatchType, patch: unknown, opts?: WriteOptions & { subresource?: string; force?: boolean }): Promise<T>;
  delete(name: string, opts?: DeleteOptions): Promise<void>;
  /** POST to a subresource (pods/binding, pods/eviction). */
  createSubresource(name: string, subresource: string, body: unknown): Promise<unknown>;
  /** Streams events until the signal aborts or the server ends the watch; resolves then. */
  watch(opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

export interface Client {
  /** e.g. client.resource(findResource('apps','v1','deployments')!, 'default') */
  resource<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace?: string): ResourceClient<T>;
  /** Shorthand: client.r('apps/v1', 'deployments', 'default') */
  r<T extends KubeObject = KubeObject>(apiVersion: string, plural: string, namespace?: string): ResourceClient<T>;
}

export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** For a delete seen only through a relist, obj is the last known state. */
  onDelete?(obj: T): void;
}

/** A read-only view of an informer's cache. Never mutate what it returns: copy first. */
export interface Lister<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  /** Objects whose index `indexName` has value `value` (indexes: 'namespace', 'nodeName', 'ownerUID'). */
  byIndex(indexName: string, value: string): T[];
}

export interface Informer<T extends KubeObject> {
  readonly lister: Lister<T>;
  addEventHandler(h: EventHandlers<T>): void;
  /** Custom index: indexFn returns the index values of an object. */
  addIndex(name: string, indexFn: (obj: T) => string[]): void;
  hasSynced(): boolean;
  /** Starts list + watch (idempotent); runs until the signal aborts. */
  run(signal: AbortSignal): void;
}

export interface InformerFactory {
  /** One shared informer per resource (and optional namespace) — every caller gets the same one. */
  informerFor<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace?: string): Informer<T>;
  start(signal: AbortSignal): void;
  /** Resolves when every informer created so far has synced (or rejects when the signal aborts). */
  waitForSync(signal: AbortSignal): Promise<void>;
}

export interface WorkQueue<K = string> {
  add(key: K): void;
  addAfter(key: K, delayMs: number): void;
  /** Adds after the per-key exponential backoff (5 ms doubling, capped at 1000 s, as client-go's default). */
  addRateLimited(key: K): void;
  /** Clears the key's backoff after a successful reconcile. */
  forget(key: K): void;
  numRequeues(key: K): number;
  /** Next key; undefined once the queue is shut down and drained. */
  get(): Promise<K | undefined>;
  /** Marks a key processed; if it was re-added meanwhile it becomes available again. */
  done(key: K): void;
  len(): number;
  shutDown(): void;
}

export interface EventRecorder {
  /** type: 'Normal' | 'Warning'; repeated events for the same object/reason/message bump count. */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
