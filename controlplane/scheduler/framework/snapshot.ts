// All nodes of one scheduling cycle (pkg/scheduler/backend/cache/snapshot.go): plugins see the
// same world for every node. The scheduler keeps one Snapshot and brings it up to date at the
// start of each cycle (SchedulerCache.updateSnapshot), copying only the nodes whose generation
// changed; within a cycle it does not change. Besides the list of all nodes it keeps the lists of
// nodes that hold pods with pod (anti-)affinity, so InterPodAffinity need not visit every pod.
import type { NodeInfo } from './nodeInfo.ts';

export class Snapshot {
  /** Every node, in a stable order (by name); the Filter step starts at a rotating index into it. */
  nodeInfos: NodeInfo[] = [];
  /** Nodes with at least one pod with pod affinity or anti-affinity (HavePodsWithAffinityList). */
  havePodsWithAffinity: NodeInfo[] = [];
  /** Nodes with at least one pod with required anti-affinity (HavePodsWithRequiredAntiAffinityList). */
  havePodsWithRequiredAntiAffinity: NodeInfo[] = [];
  /** The newest NodeInfo generation copied in: nodes at or below it are up to date. */
  generation = 0;
  /** The cache's node-set version this list was built from (-1: never built by a cache). */
  nodeSetVersion = -1;
  /** Bumped whenever a Node object or the set of nodes changed (not for pod changes): what depends only on Nodes can be kept until then. */
  nodesVersion = 0;
  private byName = new Map<string, NodeInfo>();

  constructor(nodeInfos: NodeInfo[] = []) {
    this.setNodeInfos(nodeInfos);
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  get numNodes(): number {
    return this.nodeInfos.length;
  }

  /** Replaces the node list (order kept as given) and the lists derived from it. */
  setNodeInfos(nodeInfos: NodeInfo[]): void {
    this.nodeInfos = nodeInfos;
    this.byName = new Map(nodeInfos.map((n) => [n.name, n]));
    this.nodesVersion++;
    this.refreshAffinityLists();
  }

  /** Recomputes the affinity lists after a node gained its first or lost its last such pod. */
  refreshAffinityLists(): void {
    this.havePodsWithAffinity = this.nodeInfos.filter((n) => n.podsWithAffinity.length > 0);
    this.havePodsWithRequiredAntiAffinity = this.nodeInfos.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }
}
