// NodeResourcesBalancedAllocation (plugins/noderesources/balanced_allocation.go): prefers nodes
// whose cpu and memory would be used in the same proportion after placing the pod:
// score = (1 - std(fractions)) * 100, with the pod's declared requests (useRequested).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { podRequests } from '../framework/podResources.ts';
import { SKIP, SUCCESS, type Status } from '../framework/status.ts';

export function balancedScore(fractions: number[]): number {
  const f = fractions.map((x) => Math.min(x, 1));
  let std = 0;
  if (f.length === 2) std = Math.abs(f[0]! - f[1]!) / 2;
  else if (f.length > 2) {
    const mean = f.reduce((a, b) => a + b, 0) / f.length;
    std = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / f.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const balancedAllocation = {
  name: 'NodeResourcesBalancedAllocation',

  preScore(_state, pod: Pod): Status {
    // A pod that requests neither cpu nor memory cannot unbalance anything (PreScore Skip upstream).
    const r = podRequests(pod);
    return r.milliCPU === 0 && r.memory === 0 ? SKIP : SUCCESS;
  },

  score(_state, pod: Pod, node: NodeInfo): number {
    const r = podRequests(pod);
    const alloc = node.allocatable;
    const fractions: number[] = [];
    if (alloc.milliCPU > 0) fractions.push((node.requested.milliCPU + r.milliCPU) / alloc.milliCPU);
    if (alloc.memory > 0) fractions.push((node.requested.memory + r.memory) / alloc.memory);
    return balancedScore(fractions);
  },
} satisfies PreScorePlugin & ScorePlugin;
