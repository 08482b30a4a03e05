// InterPodAffinity (plugins/interpodaffinity): required pod affinity / anti-affinity as a filter,
// preferred ones (and other pods' terms about this pod) as a score. See filtering.ts, scoring.ts.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycleState.ts';
import type { ClusterView, FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeInfo.ts';
import type { Snapshot } from '../../framework/snapshot.ts';
import { interPodAffinityFilter, interPodAffinityPreFilter } from './filtering.ts';
import { interPodAffinityNormalize, interPodAffinityPreScore, interPodAffinityScore } from './scoring.ts';

export function interPodAffinity(view: ClusterView) {
  return {
    name: 'InterPodAffinity',
    preFilter: (state: CycleState, pod: Pod, snapshot: Snapshot) => interPodAffinityPreFilter(view, state, pod, snapshot),
    filter: (state: CycleState, pod: Pod, node: NodeInfo) => interPodAffinityFilter(view, state, pod, node),
    preScore: (state: CycleState, pod: Pod, _feasible: NodeInfo[], snapshot: Snapshot) => interPodAffinityPreScore(view, state, pod, snapshot),
    score: (state: CycleState, _pod: Pod, node: NodeInfo) => interPodAffinityScore(state, node),
    normalizeScore: (_state: CycleState, _pod: Pod, scores: NodeScore[]) => interPodAffinityNormalize(scores),
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
