// PodTopologySpread PreFilter + Filter for DoNotSchedule constraints
// (plugins/podtopologyspread/filtering.go): count matching pods per domain over the nodes the
// constraint includes, then a node passes when matches(domain) + self - min(domains) <= maxSkew.
// The minimum and "self" are the same for every node, so PreFilter works them out once per pod
// (upstream keeps the two smallest domains as TpKeyToCriticalPaths).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../../framework/cycleState.ts';
import type { NodeInfo } from '../../framework/nodeInfo.ts';
import type { Snapshot } from '../../framework/snapshot.ts';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.ts';
import { countMatchingPods, nodeHasAllKeys, nodeIncluded, podConstraints, selectorMatches, type SpreadConstraint } from './constraints.ts';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';

interface FilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: domain value → matching pods. */
  counts: Map<string, number>[];
  /** Per constraint: the fewest matching pods in any eligible domain. */
  minMatch: number[];
  /** Per constraint: 1 when the incoming pod matches its own selector (it will add to the domain). */
  selfMatch: number[];
}

const filterStateKey = new StateKey<FilterState>('PodTopologySpread/preFilter');

export function spreadPreFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status } {
  const constraints = podConstraints(pod, 'DoNotSchedule');
  if (constraints.length === 0) return { status: SKIP };
  const ns = pod.metadata?.namespace ?? 'default';
  const counts = constraints.map(() => new Map<string, number>());
  for (const ni of snapshot.nodeInfos) {
    if (!nodeHasAllKeys(ni.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!nodeIncluded(pod, ni.node, c)) return;
      const value = ni.labels[c.topologyKey]!;
      counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + countMatchingPods(ni.pods, c.selector, ns));
    });
  }
  const minMatch = constraints.map((c, i) => minMatchNum(counts[i]!, c.minDomains));
  const selfMatch = constraints.map((c) => (selectorMatches(c.selector, pod.metadata?.labels) ? 1 : 0));
  state.write(filterStateKey, { constraints, counts, minMatch, selfMatch });
  return { status: SUCCESS };
}

function minMatchNum(counts: Map<string, number>, minDomains: number): number {
  // Fewer eligible domains than minDomains: the missing ones count as empty (KEP-3022).
  if (counts.size < minDomains || counts.size === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const n of counts.values()) if (n < min) min = n;
  return min;
}

export function spreadFilter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
  const s = state.read(filterStateKey);
  if (!s) return SUCCESS;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const value = node.labels[c.topologyKey];
    if (value === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
    const skew = (s.counts[i]!.get(value) ?? 0) + s.selfMatch[i]! - s.minMatch[i]!;
    if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return SUCCESS;
}
