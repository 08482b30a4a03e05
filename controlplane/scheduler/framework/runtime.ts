// Runs a profile's plugins at each extension point (pkg/scheduler/framework/runtime/framework.go).
// Filter stops at the first plugin that rejects a node, so each node carries one plugin's
// reasons; Score multiplies each plugin's normalized score by its weight and sums.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from './cycleState.ts';
import {
  MAX_NODE_SCORE,
  type BindPlugin,
  type FilterPlugin,
  type NodeScore,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type WeightedScorePlugin,
} from './interface.ts';
import type { NodeInfo } from './nodeInfo.ts';
import type { Snapshot } from './snapshot.ts';
import { errorStatus, isSuccess, SUCCESS, withPlugin, type Status } from './status.ts';

export interface Profile {
  schedulerName: string;
  /** 1..100: share of nodes Filter looks for feasible; 0 or unset: upstream's adaptive default. */
  percentageOfNodesToScore?: number;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
  reserve: ReservePlugin[];
  bind: BindPlugin[];
}

/** Calls a plugin; a throw is a bug in the plugin, reported as an Error status rather than crashing the loop. */
function guarded(plugin: string, f: () => Status): Status {
  try {
    const s = f();
    // Success carries nothing to attribute: no copy per node and plugin on the hot path.
    return s.code === 'Success' ? s : withPlugin(s, plugin);
  } catch (e) {
    return withPlugin(errorStatus(`running ${plugin}: ${(e as Error).message}`), plugin);
  }
}

export class Framework {
  constructor(readonly profile: Profile) {}

  /** Returns the first non-success status; plugins that answered Skip are added to `skipped`. */
  runPreFilter(state: CycleState, pod: Pod, snapshot: Snapshot, skipped: Set<string>): { status: Status; nodeNames?: Set<string> } {
    let nodeNames: Set<string> | undefined;
    for (const p of this.profile.preFilter) {
      let names: Set<string> | undefined;
      const status = guarded(p.name, () => {
        const r = p.preFilter(state, pod, snapshot);
        names = r.nodeNames;
        return r.status;
      });
      if (status.code === 'Skip') {
        skipped.add(p.name);
        continue;
      }
      if (!isSuccess(status)) return { status };
      if (names) nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => names!.has(n))) : names;
    }
    return { status: SUCCESS, nodeNames };
  }

  /** Runs for every node a pod is checked against: a plain loop, no closure per plugin. */
  runFilter(state: CycleState, pod: Pod, node: NodeInfo, skipped: Set<string>): Status {
    const plugins = this.profile.filter;
    for (let i = 0; i < plugins.length; i++) {
      const p = plugins[i]!;
      if (skipped.size > 0 && skipped.has(p.name)) continue;
      let status: Status;
      try {
        status = p.filter(state, pod, node);
      } catch (e) {
        status = errorStatus(`running ${p.name}: ${(e as Error).message}`);
      }
      if (status.code !== 'Success') return withPlugin(status, p.name);
    }
    return SUCCESS;
  }

  runPostFilter(state: CycleState, pod: Pod, nodeStatuses: Map<string, Status>, numAllNodes: number): Status | undefined {
    for (const p of this.profile.postFilter) {
      const status = guarded(p.name, () => p.postFilter(state, pod, nodeStatuses, numAllNodes));
      if (isSuccess(status) || status.reasons.length > 0) return status;
    }
    return undefined;
  }

  runPreScore(state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot, skipped: Set<string>): Status {
    for (const p of this.profile.preScore) {
      const status = guarded(p.name, () => p.preScore(state, pod, feasible, snapshot));
      if (status.code === 'Skip') skipped.add(p.name);
      else if (!isSuccess(status)) return status;
    }
    return SUCCESS;
  }

  /**
   * Weighted sum of normalized scores per node, in the order of `feasible`. One NodeScore list is
   * reused from plugin to plugin: this runs for every feasible node of every pod.
   */
  runScore(state: CycleState, pod: Pod, feasible: NodeInfo[], skipped: Set<string>): NodeScore[] {
    const n = feasible.length;
    const totals = new Float64Array(n);
    const scores: NodeScore[] = feasible.map((ni) => ({ name: ni.name, score: 0 }));
    for (const { plugin, weight } of this.profile.score) {
      if (skipped.has(plugin.name)) continue;
      for (let i = 0; i < n; i++) scores[i]!.score = plugin.score(state, pod, feasible[i]!);
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < n; i++) totals[i]! += Math.max(0, Math.min(MAX_NODE_SCORE, scores[i]!.score)) * weight;
    }
    for (let i = 0; i < n; i++) scores[i]!.score = totals[i]!;
    return scores;
  }

  /** Reserve in order; on the first failure, unreserve everything (in reverse) and return it. */
  runReserve(state: CycleState, pod: Pod, nodeName: string): Status {
    for (const p of this.profile.reserve) {
      const status = guarded(p.name, () => p.reserve(state, pod, nodeName));
      if (!isSuccess(status)) {
        this.runUnreserve(state, pod, nodeName);
        return status;
      }
    }
    return SUCCESS;
  }

  runUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of [...this.profile.reserve].reverse()) p.unreserve(state, pod, nodeName);
  }

  /** The first bind plugin that does not Skip binds the pod. */
  async runBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.profile.bind) {
      let status: Status;
      try {
        status = withPlugin(await p.bind(state, pod, nodeName), p.name);
      } catch (e) {
        status = withPlugin(errorStatus((e as Error).message), p.name);
      }
      if (status.code !== 'Skip') return status;
    }
    return errorStatus('no bind plugin bound the pod');
  }
}
