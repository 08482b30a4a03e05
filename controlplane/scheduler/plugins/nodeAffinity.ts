// NodeAffinity (plugins/nodeaffinity): Filter enforces spec.nodeSelector and the required node
// affinity; Score sums the weights of the preferred terms a node matches, normalized so the best
// node gets 100.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../framework/cycleState.ts';
import { MAX_NODE_SCORE, type FilterPlugin, type NodeScore, type PreScorePlugin, type ScorePlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { SKIP, SUCCESS, unresolvable, type Status } from '../framework/status.ts';
import { defaultNormalizeScore } from './helper/normalizeScore.ts';
import { matchesTerm, podMatchesNodeSelectorAndAffinity } from './helper/nodeSelector.ts';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

const preferredTerms = (pod: Pod) => pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];

export const nodeAffinity = {
  name: 'NodeAffinity',

  filter(_state, pod: Pod, node: NodeInfo): Status {
    return podMatchesNodeSelectorAndAffinity(pod, node.node) ? SUCCESS : unresolvable(ERR_REASON_POD);
  },

  preScore(_state, pod: Pod): Status {
    return preferredTerms(pod).length === 0 ? SKIP : SUCCESS;
  },

  score(_state: CycleState, pod: Pod, node: NodeInfo): number {
    let total = 0;
    for (const t of preferredTerms(pod)) if (t.weight !== 0 && matchesTerm(t.preference, node.node)) total += t.weight;
    return total;
  },

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  },
} satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
