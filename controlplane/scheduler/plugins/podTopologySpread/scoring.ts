// PodTopologySpread PreScore + Score + NormalizeScore for ScheduleAnyway constraints and the
// system defaults (plugins/podtopologyspread/scoring.go). A node scores lower (better) the fewer
// matching pods its domains hold, each constraint weighted by log(domains + 2); normalization
// flips it so the emptiest domain gets 100.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../../framework/cycleState.ts';
import { MAX_NODE_SCORE, type ClusterView, type NodeScore } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeInfo.ts';
import type { Snapshot } from '../../framework/snapshot.ts';
import { SKIP, SUCCESS, type Status } from '../../framework/status.ts';
import { countMatchingPods, LABEL_HOSTNAME, nodeHasAllKeys, nodeIncluded, podConstraints, systemDefaultConstraints, type SpreadConstraint } from './constraints.ts';

interface ScoreState {
  constraints: SpreadConstraint[];
  ignoredNodes: Set<string>;
  /** Per constraint: domain value → matching pods (not for the hostname key: counted per node in Score). */
  counts: Map<string, number>[];
  weights: number[];
}

const scoreStateKey = new StateKey<ScoreState>('PodTopologySpread/preScore');

export const scoreForCount = (cnt: number, maxSkew: number, weight: number): number => cnt * weight + (maxSkew - 1);

export function spreadPreScore(view: ClusterView, state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot): Status {
  const explicit = (pod.spec?.topologySpreadConstraints ?? []).length > 0;
  const constraints = explicit ? podConstraints(pod, 'ScheduleAnyway') : systemDefaultConstraints(pod, view);
  if (constraints.length === 0 || feasible.length === 0) return SKIP;
  // System defaults tolerate nodes without a zone label; a pod's own constraints do not.
  const requireAllTopologies = explicit;
  const s: ScoreState = { constraints, ignoredNodes: new Set(), counts: constraints.map(() => new Map()), weights: [] };
  for (const ni of feasible) {
    if (requireAllTopologies && !nodeHasAllKeys(ni.node, constraints)) {
      s.ignoredNodes.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => {
      const v = ni.labels[c.topologyKey];
      if (c.topologyKey !== LABEL_HOSTNAME && v !== undefined) s.counts[i]!.set(v, 0);
    });
  }
  s.weights = constraints.map((c, i) => {
    const size = c.topologyKey === LABEL_HOSTNAME ? feasible.length - s.ignoredNodes.size : s.counts[i]!.size;
    return Math.log(size + 2);
  });
  const ns = pod.metadata?.namespace ?? 'default';
  for (const ni of snapshot.nodeInfos) {
    if (!nodeHasAllKeys(ni.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME || !nodeIncluded(pod, ni.node, c)) return;
      const v = ni.labels[c.topologyKey]!;
      const sum = s.counts[i]!.get(v);
      if (sum !== undefined) s.counts[i]!.set(v, sum + countMatchingPods(ni.pods, c.selector, ns));
    });
  }
  state.write(scoreStateKey, s);
  return SUCCESS;
}

export function spreadScore(state: CycleState, pod: Pod, node: NodeInfo): number {
  const s = state.read(scoreStateKey);
  if (!s || s.ignoredNodes.has(node.name)) return 0;
  const ns = pod.metadata?.namespace ?? 'default';
  let score = 0;
  s.constraints.forEach((c, i) => {
    const v = node.labels[c.topologyKey];
    if (v === undefined) return;
    const cnt = c.topologyKey === LABEL_HOSTNAME ? countMatchingPods(node.pods, c.selector, ns) : (s.counts[i]!.get(v) ?? 0);
    score += scoreForCount(cnt, c.maxSkew, s.weights[i]!);
  });
  return Math.round(score);
}

export function spreadNormalize(state: CycleState, scores: NodeScore[]): void {
  const s = state.read(scoreStateKey);
  if (!s) return;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const x of scores) {
    if (s.ignoredNodes.has(x.name)) continue;
    min = Math.min(min, x.score);
    max = Math.max(max, x.score);
  }
  for (const x of scores) {
    if (s.ignoredNodes.has(x.name)) x.score = 0;
    else if (max === 0) x.score = MAX_NODE_SCORE;
    else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
  }
}
