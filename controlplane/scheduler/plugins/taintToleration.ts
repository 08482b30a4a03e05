// TaintToleration (plugins/tainttoleration): Filter rejects a node with a NoSchedule or NoExecute
// taint the pod does not tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule
// taints (counted, then normalized in reverse).
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../framework/cycleState.ts';
import { MAX_NODE_SCORE, type FilterPlugin, type NodeScore, type PreScorePlugin, type ScorePlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { SUCCESS, unresolvable, type Status } from '../framework/status.ts';
import { defaultNormalizeScore } from './helper/normalizeScore.ts';
import { findUntoleratedTaint, tolerationsTolerateTaint } from './helper/taints.ts';

const preferNoScheduleTolerations = new StateKey<Toleration[]>('TaintToleration/preScore');

export const taintToleration = {
  name: 'TaintToleration',

  filter(_state, pod: Pod, node: NodeInfo): Status {
    const taints = node.node.spec?.taints;
    if (!taints || taints.length === 0) return SUCCESS;
    const taint = findUntoleratedTaint(taints, pod.spec?.tolerations ?? [], (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    if (!taint) return SUCCESS;
    return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  },

  preScore(state: CycleState, pod: Pod): Status {
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(preferNoScheduleTolerations, tolerations);
    return SUCCESS;
  },

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    const taints = node.node.spec?.taints;
    if (!taints || taints.length === 0) return 0;
    const tolerations = state.read(preferNoScheduleTolerations) ?? pod.spec?.tolerations ?? [];
    return taints.filter((t) => t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, t)).length;
  },

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  },
} satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
