// The pod garbage collector (upstream: pkg/controller/podgc/gc_controller.go). Unlike the keyed
// controllers it is a periodic sweep over the caches, as upstream's: every gcPeriodMs it force-
// deletes pods bound to nodes that are gone, unscheduled pods stuck in deletion, and the oldest
// terminated pods above the threshold.
import { findResource } from '../../api/resources.ts';
import type { Informer, KubeObject } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { waitForCacheSync } from '../controllerUtils/runController.ts';
import { DEFAULT_TERMINATED_POD_THRESHOLD, podsOnMissingNodes, terminatedPodsToDelete, unscheduledTerminatingPods } from './podGcDecisions.ts';

/** gcCheckPeriod in gc_controller.go. */
export const DEFAULT_GC_PERIOD_MS = 20_000;
/** quarantineTime in gc_controller.go: a node must be missing this long before its pods go. */
export const DEFAULT_QUARANTINE_MS = 40_000;

export type PodGcControllerDeps = ControllerDeps & {
  terminatedPodThreshold?: number;
  gcPeriodMs?: number;
  quarantineMs?: number;
  now?: () => number;
};

export interface PodGcController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** One sweep (exported for tests). */
  gc(): Promise<void>;
}

export function newPodGcController(deps: PodGcControllerDeps): PodGcController {
  const { client, informers } = deps;
  const log = deps.log.child({ controller: 'podgc' });
  const now = deps.now ?? Date.now;
  const threshold = deps.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_THRESHOLD;
  const quarantineMs = deps.quarantineMs ?? DEFAULT_QUARANTINE_MS;
  const podsResource = findResource('', 'v1', 'pods')!;
  const nodesResource = findResource('', 'v1', 'nodes')!;
  const pods: Informer<KubeObject> = informers.informerFor(podsResource);
  const nodes: Informer<KubeObject> = informers.informerFor(nodesResource);
  /** Node name → when a sweep first found it missing (upstream's nodeQueue with quarantineTime). */
  const missingSince = new Map<string, number>();

  async function forceDelete(pod: KubeObject, why: string): Promise<void> {
    try {
      await client.resource(podsResource, pod.metadata.namespace).delete(pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, why }, 'forced deletion of pod');
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  async function nodeReallyGone(name: string): Promise<boolean> {
    try {
      await client.resource(nodesResource).get(name);
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }

  async function gc(): Promise<void> {
    const allPods = pods.lister.list();
    const errors: unknown[] = [];
    const attempt = async (p: KubeObject, why: string) => forceDelete(p, why).catch((e) => errors.push(e));

    for (const p of terminatedPodsToDelete(allPods, threshold)) await attempt(p, 'terminated pods over the threshold');

    const orphans = podsOnMissingNodes(allPods, (n) => nodes.lister.get(undefined, n) !== undefined);
    for (const name of missingSince.keys()) if (!orphans.has(name)) missingSince.delete(name);
    for (const [nodeName, podsOnNode] of orphans) {
      const since = missingSince.get(nodeName);
      if (since === undefined) {
        missingSince.set(nodeName, now());
        if (quarantineMs > 0) continue;
      } else if (now() - since < quarantineMs) continue;
      // The cache may lag: ask the API server before deleting anything.
      if (!(await nodeReallyGone(nodeName).catch((e) => (errors.push(e), false)))) continue;
      for (const p of podsOnNode) await attempt(p, `node ${nodeName} does not exist`);
    }

    for (const p of unscheduledTerminatingPods(allPods)) await attempt(p, 'unscheduled and terminating');
    if (errors.length) log.warn({ errors: errors.length, err: (errors[0] as Error).message }, 'pod GC sweep had errors; the next sweep retries');
  }

  return {
    gc,
    async run(_workers, signal) {
      if (!(await waitForCacheSync([pods, nodes], signal))) return;
      log.info('starting podgc controller');
      const period = deps.gcPeriodMs ?? DEFAULT_GC_PERIOD_MS;
      while (!signal.aborted) {
        await gc().catch((e) => log.warn({ err: (e as Error).message }, 'pod GC sweep failed'));
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, period);
          function done() {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}
