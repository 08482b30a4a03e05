// InterPodAffinity PreScore + Score + NormalizeScore (plugins/interpodaffinity/scoring.go). For
// every existing pod, weights flow into its node's topology domains: the incoming pod's preferred
// affinity (+) and anti-affinity (-) terms that the existing pod matches, and the existing pod's
// required affinity (hard weight 1), preferred affinity (+) and anti-affinity (-) terms that the
// incoming pod matches. A node scores the sum over its domains; normalized min..max → 0..100.
// Unless the incoming pod has preferred terms, only pods with affinity of their own can add
// anything, so only the nodes holding them are visited (the snapshot's HavePodsWithAffinity list).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../../framework/cycleState.ts';
import { MAX_NODE_SCORE, type ClusterView, type NodeScore } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeInfo.ts';
import type { Snapshot } from '../../framework/snapshot.ts';
import { SKIP, SUCCESS, type Status } from '../../framework/status.ts';
import {
  preferredAffinityTerms,
  preferredAntiAffinityTerms,
  requiredAffinityTerms,
  termMatches,
  type AffinityTerm,
  type WeightedAffinityTerm,
} from './affinityTerms.ts';

// apis/config/v1 defaults: HardPodAffinityWeight = 1.
const HARD_POD_AFFINITY_WEIGHT = 1;

/** topologyKey → value → score */
type TopologyScore = Map<string, Map<string, number>>;

const scoreStateKey = new StateKey<TopologyScore>('InterPodAffinity/preScore');

function processTerm(scores: TopologyScore, term: AffinityTerm, weight: number, pod: Pod, node: Node, view: ClusterView): void {
  if (!termMatches(term, pod, view)) return;
  const value = node.metadata?.labels?.[term.topologyKey];
  if (value === undefined) return;
  let byValue = scores.get(term.topologyKey);
  if (!byValue) scores.set(term.topologyKey, (byValue = new Map()));
  byValue.set(value, (byValue.get(value) ?? 0) + weight);
}

export function interPodAffinityPreScore(view: ClusterView, state: CycleState, pod: Pod, snapshot: Snapshot): Status {
  const prefAffinity = preferredAffinityTerms(pod);
  const prefAnti = preferredAntiAffinityTerms(pod);
  const scores: TopologyScore = new Map();
  const incomingHasTerms = prefAffinity.length > 0 || prefAnti.length > 0;
  let anything = incomingHasTerms;
  for (const ni of incomingHasTerms ? snapshot.nodeInfos : snapshot.havePodsWithAffinity) {
    if (incomingHasTerms)
      for (const existing of ni.pods) {
        for (const t of prefAffinity) processTerm(scores, t, t.weight, existing, ni.node, view);
        for (const t of prefAnti) processTerm(scores, t, -t.weight, existing, ni.node, view);
      }
    for (const existing of ni.podsWithAffinity) {
      const weighted: [WeightedAffinityTerm[], number][] = [
        [preferredAffinityTerms(existing), 1],
        [preferredAntiAffinityTerms(existing), -1],
      ];
      for (const t of requiredAffinityTerms(existing)) {
        anything = true;
        processTerm(scores, t, HARD_POD_AFFINITY_WEIGHT, pod, ni.node, view);
      }
      for (const [terms, sign] of weighted)
        for (const t of terms) {
          anything = true;
          processTerm(scores, t, sign * t.weight, pod, ni.node, view);
        }
    }
  }
  if (!anything) return SKIP;
  state.write(scoreStateKey, scores);
  return SUCCESS;
}

export function interPodAffinityScore(state: CycleState, node: NodeInfo): number {
  const scores = state.read(scoreStateKey);
  if (!scores) return 0;
  let total = 0;
  for (const [key, byValue] of scores) {
    const v = node.labels[key];
    if (v !== undefined) total += byValue.get(v) ?? 0;
  }
  return total;
}

export function interPodAffinityNormalize(scores: NodeScore[]): void {
  if (scores.length === 0) return;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    if (s.score < min) min = s.score;
    if (s.score > max) max = s.score;
  }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
}
