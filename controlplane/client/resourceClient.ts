// Typed access to one resource (client-go's dynamic/typed clients): builds the paths the API
// server routes — core `/api/v1/...`, groups `/apis/<group>/<version>/...`; namespaced
// `/namespaces/<ns>/<plural>`; cluster-scoped `/<plural>`; and for a namespaced resource with no
// namespace, the all-namespaces collection `/<plural>` (list and watch only).
//
// Watch: events are delivered to onEvent in order. An ERROR event (the server sends a Status,
// e.g. 410 Gone when the requested resourceVersion was compacted) is NOT delivered to onEvent:
// it ends the watch and rejects the promise with an ApiStatusError, so callers test isGone(err)
// in one place — the same place a 410 on the watch request itself lands.
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { ClusterCredentials } from './kubeconfig.ts';
import { createRestClient, fromStatus, type RestClient } from './restClient.ts';
import { WatchDecoder } from './watchDecoder.ts';
import type { Client, DeleteOptions, KubeObject, ListOptions, PatchType, ResourceClient, WatchEvent, WatchOptions, WriteOptions } from './types.ts';

/** The Content-Type of each patch flavour, as the API server (and client-go's types.PatchType) names them. */
export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** A Client that also owns its connections: close() ends the keep-alive sockets. */
export interface ClosableClient extends Client {
  close(): void;
}

export function createClient(creds: ClusterCredentials, opts: { userAgent?: string } = {}): ClosableClient {
  const rest = createRestClient(creds, opts);
  const resource = <T extends KubeObject>(r: ResourceInfo, namespace?: string) => createResourceClient<T>(rest, r, namespace);
  return {
    resource,
    r<T extends KubeObject>(apiVersion: string, plural: string, namespace?: string) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
      const info = findResource(group!, version!, plural);
      if (!info) throw new Error(`unknown resource ${plural} in ${apiVersion}`);
      return resource<T>(info, namespace);
    },
    close: () => rest.close(),
  };
}

/** The URL path of a resource's collection; `namespace` undefined means all namespaces (or cluster-scoped). */
export function collectionPath(r: ResourceInfo, namespace?: string): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced && namespace !== undefined) return `${root}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  return `${root}/${r.plural}`;
}

export function createResourceClient<T extends KubeObject>(rest: RestClient, r: ResourceInfo, namespace?: string): ResourceClient<T> {
  // Object paths need a namespace for namespaced resources: the client's, else the object's own.
  const itemPath = (name: string, objNamespace?: string, subresource?: string) => {
    const ns = namespace ?? objNamespace;
    if (r.namespaced && ns === undefined) throw new Error(`${r.plural} "${name}": a namespaced resource needs a namespace`);
    if (!name) throw new Error(`${r.plural}: a name is required`);
    const path = `${collectionPath(r, r.namespaced ? ns : undefined)}/${encodeURIComponent(name)}`;
    return subresource ? `${path}/${subresource}` : path;
  };
  const writeQuery = (o?: WriteOptions) => ({ fieldManager: o?.fieldManager, dryRun: o?.dryRun ? 'All' : undefined });

  return {
    resource: r,
    get: async (name) => rest.request({ method: 'GET', path: itemPath(name) }),
    list: async (opts) => {
      const list = await rest.request({ method: 'GET', path: collectionPath(r, namespace), query: listQuery(opts) });
      // List items carry no apiVersion/kind on the wire; set them, as client-go's dynamic client
      // does, so an object from a list (or an informer's cache) names its own type.
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      for (const item of list.items ?? []) {
        item.apiVersion ??= apiVersion;
        item.kind ??= r.kind;
      }
      list.items ??= [];
      return list;
    },
    create: async (obj, opts) => {
      const ns = namespace ?? obj.metadata?.namespace;
      if (r.namespaced && ns === undefined) throw new Error(`${r.plural}: a namespaced resource needs a namespace`);
      return rest.request({ method: 'POST', path: collectionPath(r, ns), query: writeQuery(opts), body: obj });
    },
    update: async (obj, opts) => rest.request({ method: 'PUT', path: itemPath(obj.metadata.name, obj.metadata.namespace), query: writeQuery(opts), body: obj }),
    updateStatus: async (obj, opts) =>
      rest.request({ method: 'PUT', path: itemPath(obj.metadata.name, obj.metadata.namespace, 'status'), query: writeQuery(opts), body: obj }),
    patch: async (name, type, patch, opts = {}) => {
      // Server-side apply records ownership per manager: upstream rejects an apply without one.
      if (type === 'apply' && !opts.fieldManager) throw new Error(`${r.plural} "${name}": an apply patch needs a fieldManager`);
      const contentType = PATCH_CONTENT_TYPES[type];
      if (!contentType) throw new Error(`unknown patch type ${String(type)}`);
      const query = { ...writeQuery(opts), force: type === 'apply' && opts.force !== undefined ? opts.force : undefined };
      return rest.request({ method: 'PATCH', path: itemPath(name, undefined, opts.subresource), query, body: patch, contentType });
    },
    delete: async (name, opts?: DeleteOptions) => {
      const body = opts ? { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } : undefined;
      await rest.request({ method: 'DELETE', path: itemPath(name), body });
    },
    createSubresource: async (name, subresource, body) => rest.request({ method: 'POST', path: itemPath(name, undefined, subresource), body }),
    watch: (opts, onEvent, signal) => watchCollection(rest, collectionPath(r, namespace), opts, onEvent as (ev: WatchEvent) => void, signal),
  };
}

function listQuery(o: ListOptions = {}) {
  return { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion };
}

async function watchCollection(rest: RestClient, path: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  const query = { ...listQuery(opts), watch: 'true', allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined, timeoutSeconds: opts.timeoutSeconds };
  let res;
  try {
    res = await rest.stream({ path, query, signal });
  } catch (e) {
    if (signal.aborted) return; // the caller stopped the watch: not an error
    throw e;
  }
  const stream = res;
  return new Promise<void>((resolve, reject) => {
    const decoder = new WatchDecoder();
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (!stream.complete) stream.destroy();
      if (err !== undefined) reject(err);
      else resolve();
    };
    const onAbort = () => finish();
    const deliver = (events: WatchEvent[]) => {
      for (const ev of events) {
        if (settled) return;
        if (ev.type === 'ERROR') return finish(fromStatus(ev.object as Record<string, any>));
        onEvent(ev);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      try {
        deliver(decoder.push(chunk));
      } catch (e) {
        finish(e);
      }
    });
    stream.on('end', () => {
      try {
        deliver(decoder.end());
      } catch (e) {
        return finish(e);
      }
      finish();
    });
    stream.on('error', (e) => finish(signal.aborted ? undefined : e));
    // A socket that dies mid-stream (the server crashed or restarted) is an error, not a clean end.
    stream.on('close', () => finish(signal.aborted || stream.complete ? undefined : new Error(`watch ${path}: connection closed mid-stream`)));
  });
}
