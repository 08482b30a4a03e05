// NodeResourcesFit (plugins/noderesources/fit.go): Filter checks the pod's requests against the
// node's allocatable minus what the pods already on it request, and the pod count; Score is the
// default LeastAllocated strategy (least_allocated.go) over cpu and memory, weight 1 each.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../framework/cycleState.ts';
import { MAX_NODE_SCORE, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { podNonZeroRequests, podRequests, type Resources } from '../framework/podResources.ts';
import { SUCCESS, type Status } from '../framework/status.ts';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The node could not hold the pod even empty: preemption cannot help (fit.go, Unresolvable). */
  unresolvable: boolean;
}

const podRequestKey = new StateKey<Resources>('NodeResourcesFit/preFilter');

const NOTHING_INSUFFICIENT: InsufficientResource[] = [];

function checkResource(out: InsufficientResource[], name: string, want: number, capacity: number, inUse: number): InsufficientResource[] {
  if (want <= 0 || want <= capacity - inUse) return out;
  const missing = { resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity, unresolvable: want > capacity };
  return out === NOTHING_INSUFFICIENT ? [missing] : [...out, missing];
}

/** Every resource the node lacks for the pod, in upstream's order: pods, cpu, memory, ephemeral-storage, extended. */
export function fitsRequest(req: Resources, node: NodeInfo): InsufficientResource[] {
  // Runs for every node and pod: nothing is allocated while the pod fits.
  let out = NOTHING_INSUFFICIENT;
  const allowedPods = node.allowedPodNumber;
  if (node.pods.length + 1 > allowedPods) {
    out = [{ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.length, capacity: allowedPods, unresolvable: false }];
  }
  const alloc = node.allocatable;
  const used = node.requested;
  out = checkResource(out, 'cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  out = checkResource(out, 'memory', req.memory, alloc.memory, used.memory);
  out = checkResource(out, 'ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const name in req.scalar) out = checkResource(out, name, req.scalar[name]!, alloc.scalar[name] ?? 0, used.scalar[name] ?? 0);
  return out;
}

function leastAllocated(req: number, cap: number): number {
  return cap === 0 || req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap);
}

/** least_allocated.go: (capacity - requested) * 100 / capacity, averaged over the weighted resources. */
export function leastAllocatedScore(requested: { cpu: number; memory: number }, allocatable: { cpu: number; memory: number }): number {
  return Math.trunc((leastAllocated(requested.cpu, allocatable.cpu) + leastAllocated(requested.memory, allocatable.memory)) / 2);
}

export const nodeResourcesFit = {
  name: 'NodeResourcesFit',

  preFilter(state: CycleState, pod: Pod) {
    state.write(podRequestKey, podRequests(pod));
    return { status: SUCCESS };
  },

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const insufficient = fitsRequest(state.read(podRequestKey) ?? podRequests(pod), node);
    if (insufficient.length === 0) return SUCCESS;
    return {
      code: insufficient.some((r) => r.unresolvable) ? 'UnschedulableAndUnresolvable' : 'Unschedulable',
      reasons: insufficient.map((r) => r.reason),
    };
  },

  score(_state: CycleState, pod: Pod, node: NodeInfo): number {
    const podReq = podNonZeroRequests(pod);
    const alloc = node.allocatable;
    const cpu = leastAllocated(node.nonZeroRequested.milliCPU + podReq.milliCPU, alloc.milliCPU);
    return Math.trunc((cpu + leastAllocated(node.nonZeroRequested.memory + podReq.memory, alloc.memory)) / 2);
  },
} satisfies PreFilterPlugin & FilterPlugin & ScorePlugin;
