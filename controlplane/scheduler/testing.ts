// Builders for the scheduler's tests: nodes and pods as plain objects, a snapshot, and a
// CycleState run through a plugin's PreFilter. Not used by the scheduler itself.
import type { Container, Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { CycleState } from './framework/cycleState.ts';
import { NodeInfo } from './framework/nodeInfo.ts';
import { Snapshot } from './framework/snapshot.ts';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
}

export function makeNode(name: string, s: NodeSpec = {}): Node {
  const allocatable = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { taints: s.taints, unschedulable: s.unschedulable },
    status: { allocatable, capacity: allocatable, images: s.images },
  };
}

export interface PodSpecLite {
  namespace?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  containers?: Container[];
  spec?: Partial<NonNullable<Pod['spec']>>;
}

let uid = 0;

export function makePod(name: string, s: PodSpecLite = {}): Pod {
  const requests: Record<string, string> = {};
  if (s.cpu) requests['cpu'] = s.cpu;
  if (s.memory) requests['memory'] = s.memory;
  const containers = s.containers ?? [{ name: 'c', image: 'nginx:1.22.1', resources: { requests } }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: s.namespace ?? 'default', uid: `uid-${name}-${++uid}`, labels: s.labels },
    spec: { containers, nodeName: s.nodeName, ...s.spec },
  };
}

/** NodeInfos with the given pods placed on their spec.nodeName. */
export function nodeInfos(nodes: Node[], pods: Pod[] = []): NodeInfo[] {
  const infos = nodes.map((n) => new NodeInfo(n));
  for (const p of pods) infos.find((i) => i.name === p.spec?.nodeName)?.addPod(p);
  return infos;
}

export function snapshotOf(nodes: Node[], pods: Pod[] = []): Snapshot {
  return new Snapshot(nodeInfos(nodes, pods));
}

export const newState = () => new CycleState();

export const MASTER_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
