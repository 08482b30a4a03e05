// The namespace controller (upstream: pkg/controller/namespace/namespace_controller.go and
// deletion/namespaced_resources_deleter.go). A namespace being deleted keeps "kubernetes" in
// spec.finalizers; this controller deletes everything inside it, kind by kind, waits until nothing
// is left (pods go through their grace period, objects with finalizers wait for them), then
// removes the finalizer through the finalize subresource so the API server can delete it.
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import { createWorkQueue } from '../../client/workqueue.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { errorText, runController } from '../controllerUtils/runController.ts';
import {
  deletableNamespacedResources,
  deletionConditions,
  finalizersWithoutKubernetes,
  hasKubernetesFinalizer,
  mergeConditions,
  recheckDelayMs,
  sameConditions,
  summarizeRemaining,
  type NamespaceCondition,
} from './namespaceContent.ts';

export type NamespaceControllerDeps = ControllerDeps & {
  queue?: WorkQueue<string>;
  now?: () => number;
};

export interface NamespaceController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  sync(name: string): Promise<void>;
}

export function newNamespaceController(deps: NamespaceControllerDeps): NamespaceController {
  const { client, informers } = deps;
  const log = deps.log.child({ controller: 'namespace' });
  const now = deps.now ?? Date.now;
  const queue = deps.queue ?? createWorkQueue();
  const nsResource = findResource('', 'v1', 'namespaces')!;
  const namespaces: Informer<KubeObject> = informers.informerFor(nsResource);
  const nsClient = client.resource(nsResource);
  const contentKinds = deletableNamespacedResources();

  const enqueue = (ns: KubeObject) => {
    if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name);
  };
  namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_o, ns) => enqueue(ns) });

  /** Deletes what is in one kind; returns what is still there afterwards. */
  async function deleteKind(r: ResourceInfo, namespace: string, failures: string[]): Promise<KubeObject[]> {
    const rc = client.resource(r, namespace);
    const { items } = await rc.list();
    if (items.length === 0) return [];
    let deleted = 0;
    for (const item of items) {
      if (item.metadata.deletionTimestamp) continue; // already going; deleting again changes nothing
      try {
        // Background, as upstream: the garbage collector removes what these objects own.
        await rc.delete(item.metadata.name, { propagationPolicy: 'Background', preconditions: { uid: item.metadata.uid } });
        deleted++;
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) {
          failures.push(`${r.plural}.${r.group}: ${errorText(e)}`);
          return items;
        }
      }
    }
    return deleted === 0 ? items : (await rc.list()).items;
  }

  async function updateConditions(ns: KubeObject, conditions: NamespaceCondition[]): Promise<void> {
    const old: NamespaceCondition[] = ns.status?.conditions ?? [];
    if (sameConditions(old, conditions)) return;
    const copy = structuredClone(ns);
    copy.status = { ...(copy.status ?? {}), conditions: mergeConditions(old, conditions, new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z')) };
    try {
      await nsClient.updateStatus(copy);
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e; // a conflict: the next pass writes them
    }
  }

  async function sync(name: string): Promise<void> {
    const ns = namespaces.lister.get(undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp || !hasKubernetesFinalizer(ns)) return;

    // Step 1: delete every kind of content; collect what remains.
    const failures: string[] = [];
    const remaining: { resource: ResourceInfo; items: KubeObject[] }[] = [];
    for (const r of contentKinds) {
      try {
        remaining.push({ resource: r, items: await deleteKind(r, name, failures) });
      } catch (e) {
        failures.push(`${r.plural}.${r.group}: ${errorText(e)}`);
      }
    }
    const left = remaining.flatMap((x) => x.items);

    // Step 2: say why the namespace is still Terminating.
    await updateConditions(ns, deletionConditions(failures, summarizeRemaining(remaining)));
    if (failures.length) throw new Error(`deleting the content of namespace ${name}: ${failures.join('; ')}`);
    if (left.length) {
      const delay = recheckDelayMs(left, now());
      log.debug({ namespace: name, remaining: left.length, recheckMs: delay }, 'namespace content remaining');
      queue.addAfter(name, delay);
      return;
    }

    // Step 3: empty — hand the namespace back to the API server.
    try {
      await nsClient.patch(name, 'merge', { spec: { finalizers: finalizersWithoutKubernetes(ns) } }, { subresource: 'finalize' });
      log.info({ namespace: name }, 'namespace content deleted; finalizer removed');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  return {
    sync,
    run: (workers, signal) => runController({ name: 'namespace', queue, log, informers: [namespaces], sync }, workers, signal),
  };
}
