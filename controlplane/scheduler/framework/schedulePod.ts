// One pod's placement decision, without side effects (schedule_one.go schedulePod,
// findNodesThatFitPod, findNodesThatPassFilters, prioritizeNodes, selectHost): PreFilter →
// Filter nodes until enough feasible ones are found → (none fit: PostFilter, FitError) →
// PreScore → Score → the highest total, ties broken at random.
//
// In a large cluster, Filter stops once it has found numFeasibleNodesToFind nodes, and the next
// pod starts filtering where this one stopped (a rotating start index), so every node gets its
// turn while a pod costs a bounded number of node checks.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from './cycleState.ts';
import { preFilterRejection, type FitError } from './fitError.ts';
import type { NodeScore } from './interface.ts';
import type { NodeInfo } from './nodeInfo.ts';
import type { Framework } from './runtime.ts';
import type { Snapshot } from './snapshot.ts';
import { isRejected, isSuccess, statusMessage, type Status } from './status.ts';

// schedule_one.go ErrNoNodesAvailable
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

// schedule_one.go: below this many nodes every node is checked; never fewer feasible nodes are looked for.
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
// schedule_one.go minFeasibleNodesPercentageToFind: the adaptive percentage's floor.
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

const ABSENT_FROM_PREFILTER: Status = Object.freeze({ code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't satisfy plugin(s) [PreFilter]"] });

export type ScheduleResult =
  | { kind: 'fit'; nodeName: string; evaluatedNodes: number; feasibleNodes: number; scores: NodeScore[] }
  | { kind: 'unschedulable'; fitError: FitError }
  | { kind: 'noNodes' }
  | { kind: 'error'; message: string };

export interface ScheduleOptions {
  random?: () => number;
  /**
   * Where Filter starts in the node list; the scheduler keeps it between pods and schedulePod
   * advances it past the nodes it checked (schedule_one.go nextStartNodeIndex).
   */
  rotation?: { nextStartNodeIndex: number };
  /** 1..100: the share of nodes to find feasible; 0 or unset: adaptive (the upstream default). */
  percentageOfNodesToScore?: number;
}

/**
 * How many feasible nodes are enough to stop filtering (schedule_one.go numFeasibleNodesToFind):
 * every node under 100 nodes; otherwise the percentage — adaptive by default, 50% minus 1% per
 * 125 nodes with a 5% floor — but at least 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) percentage = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  if (percentage >= 100) return numAllNodes;
  return Math.max(Math.trunc((numAllNodes * percentage) / 100), MIN_FEASIBLE_NODES_TO_FIND);
}

/** Among the best scores, pick one uniformly (reservoir sampling, as upstream's selectHost). */
export function selectHost(scores: NodeScore[], random: () => number): string {
  let best = scores[0]!;
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i]!;
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

export function schedulePod(fw: Framework, state: CycleState, pod: Pod, snapshot: Snapshot, opts: ScheduleOptions = {}): ScheduleResult {
  const all = snapshot.nodeInfos;
  if (all.length === 0) return { kind: 'noNodes' };

  const skippedFilters = new Set<string>();
  const pre = fw.runPreFilter(state, pod, snapshot, skippedFilters);
  if (pre.status.code === 'Error') return { kind: 'error', message: statusMessage(pre.status) };
  if (isRejected(pre.status)) return unschedulable(fw, state, pod, preFilterRejection(pre.status, all.map((n) => n.name)));

  // A PreFilter that named the only possible nodes narrows the list (findNodesThatFitPod).
  const candidates = pre.nodeNames ? all.filter((n) => pre.nodeNames!.has(n.name)) : all;
  const found = findNodesThatPassFilters(fw, state, pod, candidates, skippedFilters, opts);
  if ('error' in found) return { kind: 'error', message: found.error };
  const { feasible, nodeStatuses, processed } = found;

  if (feasible.length === 0) {
    // Nodes a PreFilter ruled out beforehand (upstream: the "absent nodes" status).
    if (candidates !== all) for (const n of all) if (!nodeStatuses.has(n.name)) nodeStatuses.set(n.name, ABSENT_FROM_PREFILTER);
    return unschedulable(fw, state, pod, { numAllNodes: all.length, nodeStatuses });
  }

  // One feasible node: nothing to rank (schedule_one.go skips scoring too).
  if (feasible.length === 1) return { kind: 'fit', nodeName: feasible[0]!.name, evaluatedNodes: processed, feasibleNodes: 1, scores: [] };
  const skippedScores = new Set<string>();
  const preScore = fw.runPreScore(state, pod, feasible, snapshot, skippedScores);
  if (!isSuccess(preScore)) return { kind: 'error', message: statusMessage(preScore) };
  const scores = fw.runScore(state, pod, feasible, skippedScores);
  return { kind: 'fit', nodeName: selectHost(scores, opts.random ?? Math.random), evaluatedNodes: processed, feasibleNodes: feasible.length, scores };
}

/**
 * Runs Filter over the nodes from the rotating start index until numFeasibleNodesToFind pass
 * (schedule_one.go findNodesThatPassFilters), then moves the start index past the nodes checked.
 */
function findNodesThatPassFilters(
  fw: Framework,
  state: CycleState,
  pod: Pod,
  nodes: NodeInfo[],
  skippedFilters: Set<string>,
  opts: ScheduleOptions,
): { feasible: NodeInfo[]; nodeStatuses: Map<string, Status>; processed: number } | { error: string } {
  const n = nodes.length;
  const wanted = numFeasibleNodesToFind(n, opts.percentageOfNodesToScore);
  const start = opts.rotation ? opts.rotation.nextStartNodeIndex % n : 0;
  const feasible: NodeInfo[] = [];
  const nodeStatuses = new Map<string, Status>();
  let processed = 0;
  while (processed < n && feasible.length < wanted) {
    const ni = nodes[(start + processed) % n]!;
    processed++;
    const status = fw.runFilter(state, pod, ni, skippedFilters);
    if (status.code === 'Error') return { error: statusMessage(status) };
    if (isSuccess(status)) feasible.push(ni);
    else nodeStatuses.set(ni.name, status);
  }
  if (opts.rotation) opts.rotation.nextStartNodeIndex = (start + processed) % n;
  return { feasible, nodeStatuses, processed };
}

function unschedulable(fw: Framework, state: CycleState, pod: Pod, fitError: FitError): ScheduleResult {
  const post = fw.runPostFilter(state, pod, fitError.nodeStatuses, fitError.numAllNodes);
  if (post && post.reasons.length > 0) fitError.postFilterMsg = statusMessage(post);
  return { kind: 'unschedulable', fitError };
}
