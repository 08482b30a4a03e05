// Informer events → scheduler cache and queue (pkg/scheduler/eventhandlers.go). Assigned pods
// (spec.nodeName set) and nodes feed the cache; pending pods of this scheduler feed the queue.
// Any change that could let a waiting pod fit — a node added or changed, an assigned pod gone, a
// volume appearing — moves the unschedulable pods back to be tried again.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { EventHandlers, KubeObject } from '../client/types.ts';
import type { SchedulerCache } from './cache/schedulerCache.ts';
import type { SchedulingQueue } from './queue/schedulingQueue.ts';

export const isAssigned = (pod: Pod): boolean => !!pod.spec?.nodeName;
export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const responsibleFor = (pod: Pod, schedulerName: string): boolean => (pod.spec?.schedulerName || 'default-scheduler') === schedulerName;

/** A pending pod this scheduler should place: unassigned, ours, not being deleted. */
export const wantsScheduling = (pod: Pod, schedulerName: string): boolean =>
  !isAssigned(pod) && responsibleFor(pod, schedulerName) && !pod.metadata?.deletionTimestamp;

const labelsChanged = (a: Pod, b: Pod) => JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {});

export function podEventHandlers(cache: SchedulerCache, queue: SchedulingQueue, schedulerName: string): EventHandlers<KubeObject> {
  return {
    onAdd(obj) {
      const pod = obj as Pod;
      if (isAssigned(pod)) {
        if (isTerminal(pod)) return;
        cache.addPod(pod);
        queue.moveAllToActiveOrBackoff();
      } else if (wantsScheduling(pod, schedulerName)) queue.add(pod);
    },
    onUpdate(oldObj, newObj) {
      const oldPod = oldObj as Pod;
      const pod = newObj as Pod;
      if (isAssigned(pod)) {
        if (!isAssigned(oldPod)) queue.delete(pod); // bound (by us or anyone): no longer pending
        if (isTerminal(pod)) {
          // A finished pod frees its node's resources.
          cache.removePod(pod);
          queue.moveAllToActiveOrBackoff();
          return;
        }
        cache.updatePod(pod);
        if (!isAssigned(oldPod) || labelsChanged(oldPod, pod)) queue.moveAllToActiveOrBackoff();
      } else if (wantsScheduling(pod, schedulerName)) queue.update(oldPod, pod);
      else queue.delete(pod);
    },
    onDelete(obj) {
      const pod = obj as Pod;
      if (isAssigned(pod)) {
        cache.removePod(pod);
        queue.moveAllToActiveOrBackoff();
      } else queue.delete(pod);
    },
  };
}

/** What the filters read of a Node; heartbeats (conditions, times) do not count. */
function schedulingFacts(node: Node): string {
  return JSON.stringify({
    labels: node.metadata?.labels,
    spec: node.spec,
    allocatable: node.status?.allocatable,
    images: node.status?.images?.length,
  });
}

export function nodeEventHandlers(cache: SchedulerCache, queue: SchedulingQueue): EventHandlers<KubeObject> {
  return {
    onAdd(obj) {
      cache.addNode(obj as Node);
      queue.moveAllToActiveOrBackoff();
    },
    onUpdate(oldObj, newObj) {
      cache.updateNode(newObj as Node);
      if (schedulingFacts(oldObj as Node) !== schedulingFacts(newObj as Node)) queue.moveAllToActiveOrBackoff();
    },
    onDelete(obj) {
      cache.removeNode(obj as Node);
    },
  };
}

/** PersistentVolumes and claims: a new or newly bound volume can unblock a pod waiting for storage. */
export function volumeEventHandlers(queue: SchedulingQueue): EventHandlers<KubeObject> {
  const changed = (a: PersistentVolume | PersistentVolumeClaim, b: PersistentVolume | PersistentVolumeClaim) =>
    JSON.stringify([a.spec, a.status?.phase]) !== JSON.stringify([b.spec, b.status?.phase]);
  return {
    onAdd: () => queue.moveAllToActiveOrBackoff(),
    onUpdate: (a, b) => {
      if (changed(a as PersistentVolume, b as PersistentVolume)) queue.moveAllToActiveOrBackoff();
    },
  };
}
