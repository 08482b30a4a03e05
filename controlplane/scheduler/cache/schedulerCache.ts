// The scheduler's view of nodes and of the pods on them (pkg/scheduler/backend/cache/cache.go).
// Assigned pods come from the informer; a pod the scheduler has just placed is "assumed" on its
// node at once, before binding finishes and long before the informer reports it, so that the
// next pods of a burst see the node's resources as taken. When the informer reports the bound
// pod, the assumed copy is replaced by it; when binding fails, the assumption is forgotten.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo, podKey, Snapshot } from '../framework/nodeInfo.ts';

interface PodState {
  pod: Pod;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Pods whose node is not (yet) known: they are placed when the node appears. */
  private readonly podsWithoutNode = new Map<string, Pod[]>();
  private readonly podStates = new Map<string, PodState>();

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const existing = this.nodes.get(name);
    if (existing) {
      this.nodes.set(name, existing.withNode(node));
      return;
    }
    const ni = new NodeInfo(node);
    for (const p of this.podsWithoutNode.get(name) ?? []) ni.addPod(p);
    this.podsWithoutNode.delete(name);
    this.nodes.set(name, ni);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.nodes.delete(name);
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

  /** A frozen copy for one scheduling cycle, nodes in name order. */
  snapshot(): Snapshot {
    const infos = [...this.nodes.values()].map((n) => n.clone()).sort((a, b) => a.name.localeCompare(b.name));
    return new Snapshot(infos);
  }

  private place(pod: Pod): void {
    const node = pod.spec?.nodeName ?? '';
    const ni = this.nodes.get(node);
    if (ni) ni.addPod(pod);
    else this.podsWithoutNode.set(node, [...(this.podsWithoutNode.get(node) ?? []), pod]);
  }

  private unplace(pod: Pod): void {
    const node = pod.spec?.nodeName ?? '';
    const ni = this.nodes.get(node);
    if (ni) ni.removePod(pod);
    else {
      const rest = (this.podsWithoutNode.get(node) ?? []).filter((p) => podKey(p) !== podKey(pod));
      if (rest.length > 0) this.podsWithoutNode.set(node, rest);
      else this.podsWithoutNode.delete(node);
    }
  }
}
