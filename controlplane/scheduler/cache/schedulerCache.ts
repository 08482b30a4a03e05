// The scheduler's view of nodes and of the pods on them (pkg/scheduler/backend/cache/cache.go).
// Assigned pods come from the informer; a pod the scheduler has just placed is "assumed" on its
// node at once, before binding finishes and long before the informer reports it, so that the
// next pods of a burst see the node's resources as taken. When the informer reports the bound
// pod, the assumed copy is replaced by it; when binding fails, the assumption is forgotten.
//
// Every change to a NodeInfo bumps its generation and moves it to the front of a recency list, so
// updateSnapshot visits and copies only the nodes that changed since the scheduler's snapshot was
// last brought up to date (cache.go UpdateSnapshot), and rebuilds the node list only when a node
// was added or removed.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo, podKey } from '../framework/nodeInfo.ts';
import { Snapshot } from '../framework/snapshot.ts';
import { RecencyList } from './recencyList.ts';

interface PodState {
  pod: Pod;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** The same NodeInfos, the most recently changed first. */
  private readonly recent = new RecencyList<NodeInfo>();
  /** Pods whose node is not (yet) known: they are placed when the node appears. */
  private readonly podsWithoutNode = new Map<string, Pod[]>();
  private readonly podStates = new Map<string, PodState>();
  /** Bumped when a node is added or removed: a snapshot's node list must then be rebuilt. */
  private nodeSetVersion = 0;

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const existing = this.nodes.get(name);
    if (existing) {
      existing.setNode(node);
      this.recent.touch(existing);
      return;
    }
    const ni = new NodeInfo(node);
    for (const p of this.podsWithoutNode.get(name) ?? []) ni.addPod(p);
    this.podsWithoutNode.delete(name);
    this.nodes.set(name, ni);
    this.recent.touch(ni);
    this.nodeSetVersion++;
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.nodes.delete(name);
    this.recent.remove(ni);
    this.nodeSetVersion++;
    // Its pods stay accounted under the name: a node that comes back still has them.
    if (ni.pods.length > 0) this.podsWithoutNode.set(name, [...ni.pods]);
  }

  /** Accounts a pod the scheduler chose a node for (pod.spec.nodeName set) before it is bound. */
  assumePod(pod: Pod): void {
    const key = podKey(pod);
    if (this.podStates.has(key)) throw new Error(`pod ${key} is already in the scheduler cache`);
    this.place(pod);
    this.podStates.set(key, { pod, assumed: true });
  }

  /** Binding failed: the assumed pod no longer holds its node. */
  forgetPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st?.assumed) return;
    this.unplace(st.pod);
    this.podStates.delete(key);
  }

  isAssumed(pod: Pod): boolean {
    return this.podStates.get(podKey(pod))?.assumed ?? false;
  }

  /** An assigned pod from the informer: confirms an assumed pod, or adds one bound elsewhere. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (st) this.unplace(st.pod);
    this.place(pod);
    this.podStates.set(key, { pod, assumed: false });
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    this.unplace(st.pod);
    this.podStates.delete(key);
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /** A new, independent snapshot of every node, in name order. */
  snapshot(): Snapshot {
    const s = new Snapshot();
    this.updateSnapshot(s);
    return s;
  }

  /**
   * Brings `snap` up to date in place: copies the nodes whose generation is newer than the
   * snapshot's, and rebuilds the node list (by name) only when nodes were added or removed.
   */
  updateSnapshot(snap: Snapshot): void {
    let newest = snap.generation;
    let affinityListsChanged = false;
    let nodeObjectsChanged = false;
    const fresh: NodeInfo[] = [];
    for (const ni of this.recent.fromNewest()) {
      if (ni.generation <= snap.generation) break;
      if (ni.generation > newest) newest = ni.generation;
      const copy = snap.get(ni.name);
      if (!copy) {
        fresh.push(ni);
        continue;
      }
      const hadAffinity = copy.podsWithAffinity.length > 0;
      const hadAntiAffinity = copy.podsWithRequiredAntiAffinity.length > 0;
      if (copy.node !== ni.node) nodeObjectsChanged = true;
      copy.copyFrom(ni);
      if (hadAffinity !== copy.podsWithAffinity.length > 0 || hadAntiAffinity !== copy.podsWithRequiredAntiAffinity.length > 0) affinityListsChanged = true;
    }
    if (snap.nodeSetVersion !== this.nodeSetVersion || fresh.length > 0) {
      const names = [...this.nodes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      snap.setNodeInfos(names.map((name) => snap.get(name) ?? this.nodes.get(name)!.clone()));
      snap.nodeSetVersion = this.nodeSetVersion;
    } else {
      if (affinityListsChanged) snap.refreshAffinityLists();
      if (nodeObjectsChanged) snap.nodesVersion++;
    }
    snap.generation = newest;
  }

  private place(pod: Pod): void {
    const node = pod.spec?.nodeName ?? '';
    const ni = this.nodes.get(node);
    if (ni) {
      ni.addPod(pod);
      this.recent.touch(ni);
    } else this.podsWithoutNode.set(node, [...(this.podsWithoutNode.get(node) ?? []), pod]);
  }

  private unplace(pod: Pod): void {
    const node = pod.spec?.nodeName ?? '';
    const ni = this.nodes.get(node);
    // Only a NodeInfo that changed (a newer generation) may move to the front.
    if (ni) {
      if (ni.removePod(pod)) this.recent.touch(ni);
    } else {
      const rest = (this.podsWithoutNode.get(node) ?? []).filter((p) => podKey(p) !== podKey(pod));
      if (rest.length > 0) this.podsWithoutNode.set(node, rest);
      else this.podsWithoutNode.delete(node);
    }
  }
}
