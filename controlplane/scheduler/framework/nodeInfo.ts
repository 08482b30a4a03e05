// What the scheduler knows about one node: the Node, the pods on it (bound or assumed), and the
// sums the filters need (pkg/scheduler/framework/types.go NodeInfo). Plugins read it; only the
// scheduler cache changes it, and a cycle works on copies (the Snapshot, snapshot.ts).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { addResources, cloneResources, emptyResources, podNonZeroRequests, podRequests, resourcesFromList, type Resources } from './podResources.ts';

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

// upstream: framework/types.go generation / nextGeneration. One counter for every NodeInfo, bumped
// on each change, so a snapshot copies only the nodes changed since it was last brought up to date.
let lastGeneration = 0;
export const nextGeneration = (): number => ++lastGeneration;

/** The pod has pod affinity or anti-affinity of any kind (types.go podWithAffinity). */
export const podHasAffinity = (pod: Pod): boolean => !!(pod.spec?.affinity?.podAffinity || pod.spec?.affinity?.podAntiAffinity);

/** The pod has required anti-affinity terms (types.go podWithRequiredAntiAffinity). */
export const podHasRequiredAntiAffinity = (pod: Pod): boolean =>
  (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;

export class NodeInfo {
  pods: Pod[] = [];
  /** The pods with pod (anti-)affinity: InterPodAffinity reads only these of other pods' terms. */
  podsWithAffinity: Pod[] = [];
  podsWithRequiredAntiAffinity: Pod[] = [];
  requested: Resources = emptyResources();
  nonZeroRequested: Resources = emptyResources();
  usedPorts: HostPort[] = [];
  /** Changes with every update of this NodeInfo (nextGeneration). */
  generation = 0;
  private current!: Node;
  private nodeName = '';
  private alloc!: Resources;
  private podLimit = 0;

  constructor(node: Node) {
    this.setNode(node);
  }

  get node(): Node {
    return this.current;
  }

  get name(): string {
    return this.nodeName;
  }

  get labels(): Record<string, string> {
    return this.current.metadata?.labels ?? {};
  }

  /** status.allocatable, parsed once per Node object (filters and scores read it for every pod). */
  get allocatable(): Resources {
    return this.alloc;
  }

  get allowedPodNumber(): number {
    return this.podLimit;
  }

  /** A newer version of the Node object; the pods stay. */
  setNode(node: Node): void {
    this.current = node;
    this.nodeName = node.metadata?.name ?? '';
    this.alloc = resourcesFromList(node.status?.allocatable);
    this.podLimit = parseQuantity(node.status?.allocatable?.['pods']) ?? 0;
    this.generation = nextGeneration();
  }

  addPod(pod: Pod): void {
    this.pods.push(pod);
    if (podHasAffinity(pod)) this.podsWithAffinity.push(pod);
    if (podHasRequiredAntiAffinity(pod)) this.podsWithRequiredAntiAffinity.push(pod);
    this.account(pod, 1);
    this.generation = nextGeneration();
  }

  /** Removes the pod with the same uid (or namespace/name); true when one was removed. */
  removePod(pod: Pod): boolean {
    const i = this.pods.findIndex((p) => samePod(p, pod));
    if (i < 0) return false;
    const [removed] = this.pods.splice(i, 1);
    for (const list of [this.podsWithAffinity, this.podsWithRequiredAntiAffinity]) {
      const j = list.findIndex((p) => samePod(p, pod));
      if (j >= 0) list.splice(j, 1);
    }
    this.account(removed!, -1);
    this.generation = nextGeneration();
    return true;
  }

  /** An independent copy with the same generation (types.go NodeInfo.Snapshot). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.current);
    c.copyFrom(this);
    return c;
  }

  /** Makes this NodeInfo an independent copy of `other`, keeping its own identity (the snapshot updates its NodeInfos so). */
  copyFrom(other: NodeInfo): void {
    this.current = other.current;
    this.nodeName = other.nodeName;
    this.alloc = other.alloc;
    this.podLimit = other.podLimit;
    this.pods = [...other.pods];
    this.podsWithAffinity = [...other.podsWithAffinity];
    this.podsWithRequiredAntiAffinity = [...other.podsWithRequiredAntiAffinity];
    this.requested = cloneResources(other.requested);
    this.nonZeroRequested = cloneResources(other.nonZeroRequested);
    this.usedPorts = [...other.usedPorts];
    this.generation = other.generation;
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
