// The garbage collector (upstream: pkg/controller/garbagecollector). Upstream keeps its own graph
// of owners and dependents fed by informers over every resource; here the informers' caches are
// that graph: the ownerUID index gives an object's dependents, and an owner reference is resolved
// by kind + name in the owner's cache (then confirmed by a live read before anything is deleted,
// as upstream's attemptToDeleteItem does). One queue of object keys; sync decides per object:
// - all owners gone → delete it (Background, or what its own finalizers ask for);
// - some owners gone, some there → drop the references to the gone ones;
// - an owner being deleted in the foreground → delete it, and let the owner wait for it;
// - being deleted with `foregroundDeletion` → its dependents go first, then the finalizer;
// - being deleted with `orphan` → its dependents lose their references to it, then the finalizer.
import { apiVersionOf, RESOURCES, type ResourceInfo } from '../../api/resources.ts';
import type { Informer, KubeObject, OwnerReference, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import { createWorkQueue } from '../../client/workqueue.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { runController } from '../controllerUtils/runController.ts';
import {
  blockingDependents,
  classifyReferences,
  decideItemAction,
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  finalizersWithout,
  ownerReferencesWithout,
  ownerStateOf,
  type OwnerState,
} from './gcDecisions.ts';

/**
 * How often every object with owners (or a GC finalizer) is looked at again, whatever the events
 * said: a missed event costs at most this long. Upstream relies on informer resyncs instead.
 */
export const DEFAULT_FULL_RESYNC_MS = 60_000;
/** Upstream's --concurrent-gc-syncs default. */
export const DEFAULT_GC_WORKERS = 20;

export type GarbageCollectorDeps = ControllerDeps & {
  queue?: WorkQueue<string>;
  fullResyncMs?: number;
};

export interface GarbageCollector {
  run(workers: number, signal: AbortSignal): Promise<void>;
  sync(key: string): Promise<void>;
}

/** Upstream ignores events (too many, never owners of anything); bindings cannot be listed. */
export function monitoredResources(resources: ResourceInfo[] = RESOURCES): ResourceInfo[] {
  return resources.filter((r) => r.verbs.includes('list') && r.verbs.includes('watch') && r.kind !== 'Event');
}

const groupKind = (group: string, kind: string) => `${group}/${kind}`;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export function newGarbageCollector(deps: GarbageCollectorDeps): GarbageCollector {
  const { client, informers } = deps;
  const log = deps.log.child({ controller: 'garbagecollector' });
  const queue = deps.queue ?? createWorkQueue();
  const byGroupKind = new Map<string, { resource: ResourceInfo; informer: Informer<KubeObject> }>();
  const byKeyPrefix = new Map<string, { resource: ResourceInfo; informer: Informer<KubeObject> }>();
  const keyPrefix = (r: ResourceInfo) => `${apiVersionOf(r)}|${r.plural}`;

  const keyOf = (r: ResourceInfo, o: KubeObject) => `${keyPrefix(r)}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
  const hasRefs = (o: KubeObject) => (o.metadata.ownerReferences ?? []).length > 0;
  const hasGcFinalizer = (o: KubeObject) => (o.metadata.finalizers ?? []).some((f) => f === FINALIZER_FOREGROUND || f === FINALIZER_ORPHAN);
  const interesting = (o: KubeObject) => hasRefs(o) || (!!o.metadata.deletionTimestamp && hasGcFinalizer(o));

  function dependentsOf(uid: string | undefined): { resource: ResourceInfo; obj: KubeObject }[] {
    if (!uid) return [];
    const out: { resource: ResourceInfo; obj: KubeObject }[] = [];
    for (const { resource, informer } of byKeyPrefix.values()) for (const obj of informer.lister.byIndex('ownerUID', uid)) out.push({ resource, obj });
    return out;
  }

  /** The resource an owner reference names, and the namespace to look in; undefined if unresolvable. */
  function resolveOwner(ref: OwnerReference, dependentNamespace: string | undefined): { resource: ResourceInfo; namespace?: string } | undefined {
    const entry = byGroupKind.get(groupKind(groupOf(ref.apiVersion), ref.kind));
    const resource = entry?.resource ?? RESOURCES.find((r) => r.group === groupOf(ref.apiVersion) && r.kind === ref.kind);
    if (!resource) return undefined;
    if (resource.namespaced && !dependentNamespace) return undefined; // a cluster-scoped object cannot have a namespaced owner
    return { resource, namespace: resource.namespaced ? dependentNamespace : undefined };
  }

  function enqueueOwners(o: KubeObject) {
    for (const ref of o.metadata.ownerReferences ?? []) {
      const res = resolveOwner(ref, o.metadata.namespace);
      const owner = res && byKeyPrefix.get(keyPrefix(res.resource))?.informer.lister.get(res.namespace, ref.name);
      if (res && owner && owner.metadata.uid === ref.uid && owner.metadata.deletionTimestamp) queue.add(keyOf(res.resource, owner));
    }
  }

  for (const r of monitoredResources()) {
    const informer = informers.informerFor<KubeObject>(r);
    const entry = { resource: r, informer };
    byKeyPrefix.set(keyPrefix(r), entry);
    if (!byGroupKind.has(groupKind(r.group, r.kind))) byGroupKind.set(groupKind(r.group, r.kind), entry);
    informer.addEventHandler({
      onAdd: (o) => {
        if (interesting(o)) queue.add(keyOf(r, o));
      },
      onUpdate: (old, o) => {
        const refsChanged = JSON.stringify(old.metadata.ownerReferences ?? []) !== JSON.stringify(o.metadata.ownerReferences ?? []);
        const deletionChanged = old.metadata.deletionTimestamp !== o.metadata.deletionTimestamp || JSON.stringify(old.metadata.finalizers ?? []) !== JSON.stringify(o.metadata.finalizers ?? []);
        if ((refsChanged || deletionChanged) && interesting(o)) queue.add(keyOf(r, o));
        // A dependent that starts going away may be what a foreground owner waits for.
        if (deletionChanged) enqueueOwners(o);
      },
      onDelete: (o) => {
        for (const d of dependentsOf(o.metadata.uid)) queue.add(keyOf(d.resource, d.obj));
        enqueueOwners(o);
      },
    });
  }

  async function ownerState(ref: OwnerReference, dependentNamespace: string | undefined): Promise<OwnerState> {
    const res = resolveOwner(ref, dependentNamespace);
    if (!res) return 'unresolvable';
    const cached = byKeyPrefix.get(keyPrefix(res.resource))?.informer.lister.get(res.namespace, ref.name);
    const fromCache = ownerStateOf(cached, ref);
    if (fromCache !== 'absent') return fromCache;
    // The cache may lag behind a just-created owner: ask the API server before calling it gone.
    try {
      return ownerStateOf(await client.resource(res.resource, res.namespace).get(ref.name), ref);
    } catch (e) {
      if (isNotFound(e)) return 'absent';
      throw e;
    }
  }

  async function decide(item: KubeObject) {
    const refs = item.metadata.ownerReferences ?? [];
    const states: OwnerState[] = [];
    for (const ref of refs) states.push(await ownerState(ref, item.metadata.namespace));
    return decideItemAction(item, classifyReferences(refs, states), dependentsOf(item.metadata.uid).length > 0);
  }

  async function patchMetadata(r: ResourceInfo, o: KubeObject, metadata: Record<string, unknown>): Promise<void> {
    try {
      await client.resource(r, o.metadata.namespace).patch(o.metadata.name, 'merge', { metadata: { ...metadata, resourceVersion: o.metadata.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e; // a conflict is retried from a fresh read
    }
  }

  async function sync(key: string): Promise<void> {
    const [apiVersion, plural, namespace, name] = key.split('|') as [string, string, string, string];
    const entry = byKeyPrefix.get(`${apiVersion}|${plural}`);
    if (!entry) return;
    const { resource: r, informer } = entry;
    const cached = informer.lister.get(namespace || undefined, name);
    if (!cached || !interesting(cached)) return;
    let action = await decide(cached);
    if (action.kind === 'none') return;
    // Before changing anything, act on the object as it is now, not as the cache remembers it.
    let item: KubeObject;
    try {
      item = await client.resource(r, namespace || undefined).get(name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (item.metadata.uid !== cached.metadata.uid) return; // replaced; its own events bring it here
    action = await decide(item);
    const ref = `${r.plural}${r.group ? '.' + r.group : ''} ${namespace ? namespace + '/' : ''}${name}`;

    switch (action.kind) {
      case 'none':
        return;
      case 'delete':
        try {
          await client.resource(r, namespace || undefined).delete(name, { propagationPolicy: action.propagationPolicy, preconditions: { uid: item.metadata.uid } });
          log.info({ object: ref, propagationPolicy: action.propagationPolicy }, 'deleted object whose owners are gone');
        } catch (e) {
          if (!isNotFound(e) && !isConflict(e)) throw e;
        }
        return;
      case 'removeOwnerReferences':
        await patchMetadata(r, item, { ownerReferences: ownerReferencesWithout(item, action.uids) });
        log.info({ object: ref, removed: action.uids }, 'removed dangling owner references');
        return;
      case 'orphanDependents': {
        for (const d of dependentsOf(item.metadata.uid)) {
          await patchMetadata(d.resource, d.obj, { ownerReferences: ownerReferencesWithout(d.obj, [item.metadata.uid!]) });
        }
        await patchMetadata(r, item, { finalizers: finalizersWithout(item, FINALIZER_ORPHAN) });
        log.info({ object: ref }, 'orphaned dependents');
        return;
      }
      case 'processDeletingDependents': {
        const dependents = dependentsOf(item.metadata.uid);
        const blocking = blockingDependents(item.metadata.uid!, dependents.map((d) => d.obj));
        if (blocking.length === 0) {
          await patchMetadata(r, item, { finalizers: finalizersWithout(item, FINALIZER_FOREGROUND) });
          log.info({ object: ref }, 'dependents gone; removed the foregroundDeletion finalizer');
          return;
        }
        // Each dependent sees this owner waiting and deletes itself; their deletion brings us back.
        for (const d of dependents) if (!d.obj.metadata.deletionTimestamp || hasGcFinalizer(d.obj)) queue.add(keyOf(d.resource, d.obj));
        return;
      }
    }
  }

  function enqueueEverything() {
    for (const { resource, informer } of byKeyPrefix.values()) for (const o of informer.lister.list()) if (interesting(o)) queue.add(keyOf(resource, o));
  }

  return {
    sync,
    async run(workers, signal) {
      const resyncMs = deps.fullResyncMs ?? DEFAULT_FULL_RESYNC_MS;
      const timer = setInterval(enqueueEverything, resyncMs);
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
      try {
        await runController({ name: 'garbagecollector', queue, log, informers: [...byKeyPrefix.values()].map((e) => e.informer), sync }, workers, signal);
      } finally {
        clearInterval(timer);
      }
    },
  };
}
