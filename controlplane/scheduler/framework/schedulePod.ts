// One pod's placement decision, without side effects (schedule_one.go schedulePod,
// findNodesThatFitPod, prioritizeNodes, selectHost): PreFilter → Filter every node → (none fit:
// PostFilter, FitError) → PreScore → Score → the highest total, ties broken at random.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from './cycleState.ts';
import { preFilterRejection, type FitError } from './fitError.ts';
import type { NodeScore } from './interface.ts';
import type { NodeInfo, Snapshot } from './nodeInfo.ts';
import type { Framework } from './runtime.ts';
import { isRejected, isSuccess, statusMessage, type Status } from './status.ts';

// schedule_one.go ErrNoNodesAvailable
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export type ScheduleResult =
  | { kind: 'fit'; nodeName: string; evaluatedNodes: number; feasibleNodes: number; scores: NodeScore[] }
  | { kind: 'unschedulable'; fitError: FitError }
  | { kind: 'noNodes' }
  | { kind: 'error'; message: string };

/** Among the best scores, pick one uniformly (reservoir sampling, as upstream's selectHost). */
export function selectHost(scores: NodeScore[], random: () => number): string {
  let best = scores[0]!;
  let ties = 1;
  for (const s of scores.slice(1)) {
    if (s.score > best.score) {
      best = s;
      ties = 1;
    } else if (s.score === best.score) {
      ties++;
      if (random() * ties < 1) best = s;
    }
  }
  return best.name;
}

export function schedulePod(fw: Framework, state: CycleState, pod: Pod, snapshot: Snapshot, random: () => number = Math.random): ScheduleResult {
  if (snapshot.numNodes === 0) return { kind: 'noNodes' };
  const allNames = snapshot.nodeInfos.map((n) => n.name);

  const skippedFilters = new Set<string>();
  const pre = fw.runPreFilter(state, pod, snapshot, skippedFilters);
  if (pre.status.code === 'Error') return { kind: 'error', message: statusMessage(pre.status) };
  if (isRejected(pre.status)) {
    const fitError = preFilterRejection(pre.status, allNames);
    return unschedulable(fw, state, pod, fitError);
  }

  const candidates = pre.nodeNames ? snapshot.nodeInfos.filter((n) => pre.nodeNames!.has(n.name)) : snapshot.nodeInfos;
  const nodeStatuses = new Map<string, Status>();
  const feasible: NodeInfo[] = [];
  for (const ni of candidates) {
    const status = fw.runFilter(state, pod, ni, skippedFilters);
    if (status.code === 'Error') return { kind: 'error', message: statusMessage(status) };
    if (isSuccess(status)) feasible.push(ni);
    else nodeStatuses.set(ni.name, status);
  }
  // Nodes a PreFilter ruled out beforehand (upstream: the "absent nodes" status).
  for (const name of allNames)
    if (!nodeStatuses.has(name) && !feasible.some((f) => f.name === name))
      nodeStatuses.set(name, { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't satisfy plugin(s) [PreFilter]"] });

  if (feasible.length === 0) return unschedulable(fw, state, pod, { numAllNodes: allNames.length, nodeStatuses });

  // One feasible node: nothing to rank (schedule_one.go skips scoring too).
  if (feasible.length === 1) {
    return { kind: 'fit', nodeName: feasible[0]!.name, evaluatedNodes: candidates.length, feasibleNodes: 1, scores: [] };
  }
  const skippedScores = new Set<string>();
  const preScore = fw.runPreScore(state, pod, feasible, snapshot, skippedScores);
  if (!isSuccess(preScore)) return { kind: 'error', message: statusMessage(preScore) };
  const scores = fw.runScore(state, pod, feasible, skippedScores);
  return { kind: 'fit', nodeName: selectHost(scores, random), evaluatedNodes: candidates.length, feasibleNodes: feasible.length, scores };
}

function unschedulable(fw: Framework, state: CycleState, pod: Pod, fitError: FitError): ScheduleResult {
  const post = fw.runPostFilter(state, pod, fitError.nodeStatuses, fitError.numAllNodes);
  if (post && post.reasons.length > 0) fitError.postFilterMsg = statusMessage(post);
  return { kind: 'unschedulable', fitError };
}
