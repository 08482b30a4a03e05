// What one DaemonSet sync decides, without the API server (pkg/controller/daemon/daemon_controller.go
// manage / podsShouldBeOnNode / updateDaemonSetStatus, and update.go rollingUpdate):
//   manage  — which nodes need a daemon pod, which pods must go (node no longer eligible, a
//             duplicate on one node, a failed pod, a pod waiting for a node that is gone);
//   rolling — which old pods to delete now, at most maxUnavailable nodes without an available pod;
//             the manage step then creates their replacements at the new revision;
//   status  — desired / current / misscheduled / ready / updated / available counts.
import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { isPodAvailable, isPodReady } from '../controllerUtils/podUtils.ts';
import { scaledValueFromIntOrPercent } from '../controllerUtils/intOrPercent.ts';
import { DAEMONSET_HASH_LABEL, nodeShouldRunDaemonPod, targetNodeName, type DS, type NodeObj, type PodObj } from './daemonSetUtils.ts';

/** getNodesToDaemonPods: the set's pods by the node they run on (or are pinned to). */
export function podsByNode(pods: PodObj[]): Map<string, PodObj[]> {
  const m = new Map<string, PodObj[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (!node) continue;
    // A terminal pod already being deleted is as good as gone.
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (terminal && pod.metadata.deletionTimestamp) continue;
    m.set(node, [...(m.get(node) ?? []), pod]);
  }
  return m;
}

const created = (p: PodObj) => (p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : 0);

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name. */
export function byCreationAndScheduled(a: PodObj, b: PodObj): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  return created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}

export interface ManagePlan {
  /** Nodes that get a new daemon pod. */
  create: string[];
  /** Pods to delete. */
  delete: PodObj[];
  /** Failed pods to delete (subject to the per-node backoff), with their node. */
  failed: { pod: PodObj; node: string }[];
  /** Per node, why no daemon pod runs there (for logs and tests). */
  skipped: Map<string, string>;
}

/** manage: podsShouldBeOnNode for every node, then the pods waiting for nodes that are gone. */
export function planManage(ds: DS, nodes: NodeObj[], byNode: Map<string, PodObj[]>): ManagePlan {
  const plan: ManagePlan = { create: [], delete: [], failed: [], skipped: new Map() };
  for (const node of nodes) {
    const name = node.metadata.name;
    const decision = nodeShouldRunDaemonPod(node, ds);
    if (decision.reason) plan.skipped.set(name, decision.reason);
    const pods = byNode.get(name) ?? [];
    if (decision.shouldRun && pods.length === 0) {
      plan.create.push(name);
    } else if (decision.shouldContinueRunning) {
      const running: PodObj[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed') plan.failed.push({ pod, node: name });
        else if (pod.status?.phase === 'Succeeded') plan.delete.push(pod);
        else running.push(pod);
      }
      // Without surge, one pod per node: keep the oldest scheduled one.
      if (running.length > 1) plan.delete.push(...[...running].sort(byCreationAndScheduled).slice(1));
    } else {
      for (const pod of pods) if (!pod.metadata.deletionTimestamp) plan.delete.push(pod);
    }
  }
  // getUnscheduledPodsWithoutNode: pinned to a node that no longer exists and never scheduled.
  const existing = new Set(nodes.map((n) => n.metadata.name));
  for (const [node, pods] of byNode) {
    if (existing.has(node)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName && !pod.metadata.deletionTimestamp) plan.delete.push(pod);
  }
  return plan;
}

export const isPodUpdated = (pod: PodObj, hash: string): boolean => pod.metadata.labels?.[DAEMONSET_HASH_LABEL] === hash;

/** updatedDesiredNodeCounts: maxUnavailable against the number of nodes that should run a pod (at least 1). */
export function maxUnavailableFor(ds: DS, nodes: NodeObj[]): { desired: number; maxUnavailable: number } {
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValueFromIntOrPercent(ru?.maxUnavailable ?? 1, desired, true);
  const maxSurge = scaledValueFromIntOrPercent(ru?.maxSurge ?? 0, desired, true);
  if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { desired, maxUnavailable };
}

/**
 * rollingUpdate (maxSurge 0): count nodes without an available up-to-date pod; old pods that are
 * not available anyway may always go; available old pods go while fewer than maxUnavailable nodes
 * are down. Returns the pods to delete.
 */
export function planRollingUpdate(ds: DS, nodes: NodeObj[], byNode: Map<string, PodObj[]>, hash: string, now: number): PodObj[] {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const { maxUnavailable } = maxUnavailableFor(ds, nodes);
  let unavailable = 0;
  const replace: PodObj[] = [];
  const candidates: PodObj[] = [];
  // Nodes in name order so the choice is stable from one sync to the next.
  for (const node of [...byNode.keys()].sort()) {
    const pods = byNode.get(node)!.filter((p) => !p.metadata.deletionTimestamp);
    const updated = pods.filter((p) => isPodUpdated(p, hash));
    const old = pods.filter((p) => !isPodUpdated(p, hash));
    // findUpdatedPodsOnNode: more than one of a kind, or none at all, or both: manage handles it.
    if (updated.length > 1 || old.length > 1 || updated.length === old.length) {
      unavailable++;
      continue;
    }
    if (updated.length === 1) {
      if (!isPodAvailable(updated[0]!, minReady, now)) unavailable++;
      continue;
    }
    const pod = old[0]!;
    if (!isPodAvailable(pod, minReady, now)) replace.push(pod);
    else if (unavailable < maxUnavailable) candidates.push(pod);
  }
  const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
  return [...replace, ...candidates.slice(0, room)];
}

/** updateDaemonSetStatus's counts (observedGeneration and collisionCount are added by the caller). */
export function daemonSetStatusCounts(ds: DS, nodes: NodeObj[], byNode: Map<string, PodObj[]>, hash: string, now: number): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const s = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(node.metadata.name) ?? [];
    if (!shouldRun) {
      if (pods.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(byCreationAndScheduled)[0]!;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, minReady, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  return s;
}
