// One small interface per extension point (pkg/scheduler/framework/interface.go). A plugin
// implements the ones it needs and states it with `satisfies`, as Go's `var _ FilterPlugin = ...`.
// Everything returns a Status; per-pod work done once goes into the CycleState.
import type { Namespace, PersistentVolume, PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CycleState } from './cycleState.ts';
import type { NodeInfo } from './nodeInfo.ts';
import type { Snapshot } from './snapshot.ts';
import type { Status } from './status.ts';

// pkg/scheduler/framework/interface.go
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** Runs once per pod before Filter. May narrow the nodes to consider (nodeNames). */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status; nodeNames?: Set<string> };
}

/** Decides whether the pod may run on one node. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status;
}

/** Runs when no node fits (upstream's is preemption). nodeStatuses: the Filter verdict per node. */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, nodeStatuses: Map<string, Status>, numAllNodes: number): Status;
}

/** Runs once per pod before Score, on the nodes that passed Filter. Skip: do not call Score. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot): Status;
}

export interface NodeScore {
  name: string;
  score: number;
}

/** Ranks one feasible node; normalizeScore (optional) rescales all of them into 0..100. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

/** Claims what the chosen node will give the pod before binding; unreserve rolls it back. */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

/** The cluster objects beyond nodes and pods that plugins read (upstream: the informer listers in the framework Handle). */
export interface ClusterView {
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  pvs(): PersistentVolume[];
  namespace(name: string): Namespace | undefined;
  services(namespace: string): Service[];
  replicaSets(namespace: string): ReplicaSet[];
  statefulSets(namespace: string): StatefulSet[];
}

export const emptyClusterView = (): ClusterView => ({
  pvc: () => undefined,
  pv: () => undefined,
  pvs: () => [],
  namespace: () => undefined,
  services: () => [],
  replicaSets: () => [],
  statefulSets: () => [],
});

/** A Score plugin with the weight the profile gives it. */
export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}
