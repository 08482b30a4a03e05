// PodTopologySpread (plugins/podtopologyspread): DoNotSchedule constraints filter, ScheduleAnyway
// constraints and the system defaults score. See constraints.ts, filtering.ts, scoring.ts.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycleState.ts';
import type { ClusterView, FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeInfo.ts';
import type { Snapshot } from '../../framework/snapshot.ts';
import { spreadFilter, spreadPreFilter } from './filtering.ts';
import { spreadNormalize, spreadPreScore, spreadScore } from './scoring.ts';

export function podTopologySpread(view: ClusterView) {
  return {
    name: 'PodTopologySpread',
    preFilter: (state: CycleState, pod: Pod, snapshot: Snapshot) => spreadPreFilter(state, pod, snapshot),
    filter: (state: CycleState, pod: Pod, node: NodeInfo) => spreadFilter(state, pod, node),
    preScore: (state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot) => spreadPreScore(view, state, pod, feasible, snapshot),
    score: (state: CycleState, pod: Pod, node: NodeInfo) => spreadScore(state, pod, node),
    normalizeScore: (state: CycleState, _pod: Pod, scores: NodeScore[]) => spreadNormalize(state, scores),
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
