// NoExecute taints and tolerations, and when a pod on a tainted node must go (upstream:
// pkg/controller/tainteviction/taint_eviction.go, k8s.io/api/core/v1 toleration.go, and the
// DefaultTolerationSeconds admission plugin).
import type { KubeObject } from '../../client/types.ts';

export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
/** DefaultTolerationSeconds admission: pods tolerate not-ready / unreachable for 300 s. */
export const DEFAULT_TOLERATION_SECONDS = 300;

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true; // an empty key with Exists tolerates everything
  if (!t.key) return false;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

/**
 * The pod's tolerations plus the ones DefaultTolerationSeconds admission would have added upstream:
 * not-ready and unreachable NoExecute for 300 s, each unless the pod already tolerates that taint.
 */
export function effectiveTolerations(pod: KubeObject): Toleration[] {
  const own: Toleration[] = pod.spec?.tolerations ?? [];
  const out = [...own];
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    const taint: Taint = { key, effect: 'NoExecute' };
    if (!own.some((t) => tolerates(t, taint))) {
      out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  return out;
}

export type EvictionDecision =
  | { kind: 'keep' } // tolerates every NoExecute taint forever (or there are none)
  | { kind: 'evict'; atMs: number }; // evict at this time (now or earlier: at once)

/**
 * processPodOnNode: a pod must tolerate every NoExecute taint of its node or it is evicted at once;
 * if it does, it stays for the smallest tolerationSeconds among the tolerations used, counted from
 * the taint's timeAdded (upstream counts from when its manager saw the taint; timeAdded gives the
 * same answer and survives a restart of this process).
 */
export function evictionDecision(pod: KubeObject, nodeTaints: Taint[], nowMs: number): EvictionDecision {
  const noExecute = nodeTaints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { kind: 'keep' };
  const tolerations = effectiveTolerations(pod);
  let at = Infinity;
  for (const taint of noExecute) {
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (used.length === 0) return { kind: 'evict', atMs: nowMs };
    const added = Date.parse(taint.timeAdded ?? '');
    const start = Number.isNaN(added) ? nowMs : added;
    for (const t of used) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue; // forever
      at = Math.min(at, start + Math.max(0, t.tolerationSeconds) * 1000);
    }
  }
  return at === Infinity ? { kind: 'keep' } : { kind: 'evict', atMs: at };
}

export interface EvictionPlan {
  /** Pods to delete now. */
  evictNow: KubeObject[];
  /** When the next pod's toleration runs out, if any. */
  nextAtMs?: number;
}

/** Over the pods of one node: which go now, and when to look again. Pods being deleted are skipped. */
export function planEvictions(pods: KubeObject[], nodeTaints: Taint[], nowMs: number): EvictionPlan {
  const plan: EvictionPlan = { evictNow: [] };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const d = evictionDecision(pod, nodeTaints, nowMs);
    if (d.kind === 'keep') continue;
    if (d.atMs <= nowMs) plan.evictNow.push(pod);
    else plan.nextAtMs = Math.min(plan.nextAtMs ?? Infinity, d.atMs);
  }
  return plan;
}
