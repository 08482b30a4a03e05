// What the scheduler knows about one node: the Node, the pods on it (bound or assumed), and the
// sums the filters need (pkg/scheduler/framework/types.go NodeInfo). Plugins read it; only the
// scheduler cache changes it, and a cycle works on clones (the snapshot).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { addResources, cloneResources, emptyResources, podNonZeroRequests, podRequests, resourcesFromList, type Resources } from './podResources.ts';

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

export class NodeInfo {
  readonly pods: Pod[] = [];
  requested: Resources = emptyResources();
  nonZeroRequested: Resources = emptyResources();
  usedPorts: HostPort[] = [];

  constructor(readonly node: Node) {}

  get name(): string {
    return this.node.metadata?.name ?? '';
  }

  get labels(): Record<string, string> {
    return this.node.metadata?.labels ?? {};
  }

  get allocatable(): Resources {
    return resourcesFromList(this.node.status?.allocatable);
  }

  get allowedPodNumber(): number {
    return parseQuantity(this.node.status?.allocatable?.['pods']) ?? 0;
  }

  addPod(pod: Pod): void {
    this.pods.push(pod);
    this.account(pod, 1);
  }

  /** Removes the pod with the same uid (or namespace/name); true when one was removed. */
  removePod(pod: Pod): boolean {
    const i = this.pods.findIndex((p) => samePod(p, pod));
    if (i < 0) return false;
    const [removed] = this.pods.splice(i, 1);
    this.account(removed!, -1);
    return true;
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    c.pods.push(...this.pods);
    c.requested = cloneResources(this.requested);
    c.nonZeroRequested = cloneResources(this.nonZeroRequested);
    c.usedPorts = [...this.usedPorts];
    return c;
  }

  withNode(node: Node): NodeInfo {
    const c = this.clone();
    (c as { node: Node }).node = node;
    return c;
  }

  private account(pod: Pod, sign: 1 | -1): void {
    addResources(this.requested, podRequests(pod), sign);
    addResources(this.nonZeroRequested, podNonZeroRequests(pod), sign);
    const ports = podHostPorts(pod);
    if (sign === 1) this.usedPorts.push(...ports);
    else
      for (const p of ports) {
        const i = this.usedPorts.findIndex((u) => u.hostIP === p.hostIP && u.protocol === p.protocol && u.port === p.port);
        if (i >= 0) this.usedPorts.splice(i, 1);
      }
  }
}

/** Host ports the pod's containers claim; hostIP defaults to 0.0.0.0, protocol to TCP. */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers)
    for (const p of c.ports ?? [])
      if (p.hostPort && p.hostPort > 0) out.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
  return out;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function samePod(a: Pod, b: Pod): boolean {
  if (a.metadata?.uid && b.metadata?.uid) return a.metadata.uid === b.metadata.uid;
  return podKey(a) === podKey(b);
}

/** All nodes of one scheduling cycle, frozen: plugins see the same world for every node. */
export class Snapshot {
  private readonly byName = new Map<string, NodeInfo>();

  constructor(readonly nodeInfos: NodeInfo[]) {
    for (const n of nodeInfos) this.byName.set(n.name, n);
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  get numNodes(): number {
    return this.nodeInfos.length;
  }
}
