// The scheduler: watches pods without a node, picks one with the plugin framework, binds.
//   framework/  — the extension points, Status, CycleState, NodeInfo, the placement algorithm
//   plugins/    — one file (or folder) per plugin, and registry.ts: the default profile
//   queue/      — active / backoff / unschedulable queues
//   cache/      — nodes and the pods on them, with assumed pods
//   eventHandlers.ts — informers → cache and queue;  scheduleOne.ts — one scheduling pass
import { setMaxListeners } from 'node:events';
import type { PersistentVolume, PersistentVolumeClaim, Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type pino from 'pino';
import { findResource } from '../api/resources.ts';
import { isNotFound, type Client, type EventRecorder, type InformerFactory, type KubeObject, type Lister } from '../client/types.ts';
import { SchedulerCache } from './cache/schedulerCache.ts';
import { nodeEventHandlers, podEventHandlers, volumeEventHandlers } from './eventHandlers.ts';
import type { ClusterView } from './framework/interface.ts';
import { Framework } from './framework/runtime.ts';
import { defaultBinder } from './plugins/defaultBinder.ts';
import { DEFAULT_SCHEDULER_NAME, defaultProfile } from './plugins/registry.ts';
import { SchedulingQueue } from './queue/schedulingQueue.ts';
import { runSchedulingLoop, Scheduler, type PodConditionWriter } from './scheduleOne.ts';

export { DEFAULT_SCHEDULER_NAME } from './plugins/registry.ts';

export interface SchedulerOptions {
  client: Client;
  informers: InformerFactory;
  recorder: EventRecorder;
  signal: AbortSignal;
  log: pino.Logger;
}

const resource = (group: string, version: string, plural: string) => {
  const r = findResource(group, version, plural);
  if (!r) throw new Error(`resource ${plural} is not registered`);
  return r;
};

export async function runScheduler(o: SchedulerOptions): Promise<void> {
  const log = o.log.child({ component: DEFAULT_SCHEDULER_NAME });
  // Eight informers and the queue each listen for the stop signal: more than Node's default warning threshold.
  setMaxListeners(32, o.signal);
  const podsResource = resource('', 'v1', 'pods');
  const informer = (g: string, v: string, p: string) => o.informers.informerFor<KubeObject>(resource(g, v, p));
  const pods = informer('', 'v1', 'pods');
  const nodes = informer('', 'v1', 'nodes');
  const pvcs = informer('', 'v1', 'persistentvolumeclaims');
  const pvs = informer('', 'v1', 'persistentvolumes');
  const namespaces = informer('', 'v1', 'namespaces');
  const services = informer('', 'v1', 'services');
  const replicaSets = informer('apps', 'v1', 'replicasets');
  const statefulSets = informer('apps', 'v1', 'statefulsets');

  const typed = <T>(l: Lister<KubeObject>) => l as unknown as { get(ns: string | undefined, n: string): T | undefined; list(ns?: string): T[] };
  const view: ClusterView = {
    pvc: (ns, name) => typed<PersistentVolumeClaim>(pvcs.lister).get(ns, name),
    pv: (name) => typed<PersistentVolume>(pvs.lister).get(undefined, name),
    pvs: () => typed<PersistentVolume>(pvs.lister).list(),
    namespace: (name) => typed<Namespace>(namespaces.lister).get(undefined, name),
    services: (ns) => typed<Service>(services.lister).list(ns),
    replicaSets: (ns) => typed<ReplicaSet>(replicaSets.lister).list(ns),
    statefulSets: (ns) => typed<StatefulSet>(statefulSets.lister).list(ns),
  };

  const cache = new SchedulerCache();
  const queue = new SchedulingQueue();
  const framework = new Framework(defaultProfile(view, defaultBinder(o.client)));
  pods.addEventHandler(podEventHandlers(cache, queue, DEFAULT_SCHEDULER_NAME));
  nodes.addEventHandler(nodeEventHandlers(cache, queue));
  pvcs.addEventHandler(volumeEventHandlers(queue));
  pvs.addEventHandler(volumeEventHandlers(queue));

  const writeCondition: PodConditionWriter = async (pod, condition) => {
    try {
      await o.client
        .resource(podsResource, pod.metadata?.namespace ?? 'default')
        .patch(pod.metadata?.name ?? '', 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  o.informers.start(o.signal);
  try {
    await o.informers.waitForSync(o.signal);
  } catch (e) {
    if (o.signal.aborted) return;
    throw e;
  }
  log.info('caches synced; scheduling');
  queue.run(o.signal);
  const scheduler = new Scheduler({ framework, cache, queue, recorder: o.recorder, writeCondition, log });
  await runSchedulingLoop(scheduler, o.signal);
  log.info('scheduler stopped');
}
