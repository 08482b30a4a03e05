// Pod facts controllers decide on (k8s.io/kubectl podutil, pkg/api/v1/pod/util.go and
// pkg/controller/controller_utils.go): readiness, availability after minReadySeconds, activity,
// and the order in which surplus pods are deleted.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Ready=True in status.conditions (what the kubelet writes from readiness probes). */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * Ready for at least minReadySeconds (IsPodAvailable). With minReadySeconds 0 a ready pod is
 * available at once; otherwise its Ready condition must have turned true long enough ago.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadyCondition(pod)?.lastTransitionTime;
  if (!since) return false;
  return Date.parse(since) + minReadySeconds * 1000 < now;
}

/** FilterActivePods: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function time(s: string | undefined): number | undefined {
  return s ? Date.parse(s) : undefined;
}

/** afterOrZero: a missing time sorts first, then the later one. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/**
 * ActivePodsWithRanks.Less: true when pod a is less valuable than b, i.e. deleted first.
 * rank = how many related pods share a's node (doubled-up pods go first).
 */
export function lessValuablePod(a: Pod, rankA: number, b: Pod, rankB: number): boolean {
  // 1. Unassigned < assigned.
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running.
  const pa = PHASE_ORDINAL[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa < pb;
  // 3. Not ready < ready.
  if (isPodReady(a) !== isPodReady(b)) return !isPodReady(a);
  // 4. Lower controller.kubernetes.io/pod-deletion-cost < higher.
  const ca = Number(a.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
  const cb = Number(b.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
  if (ca !== cb) return ca < cb;
  // 5. Doubled up < not doubled up.
  if (rankA !== rankB) return rankA > rankB;
  // 6. Ready for less time < ready for more time.
  if (isPodReady(a) && isPodReady(b)) {
    const ra = time(podReadyCondition(a)?.lastTransitionTime);
    const rb = time(podReadyCondition(b)?.lastTransitionTime);
    if (ra !== rb) return afterOrZero(ra, rb);
  }
  // 7. More container restarts < fewer.
  const xa = maxContainerRestarts(a);
  const xb = maxContainerRestarts(b);
  if (xa !== xb) return xa > xb;
  // 8. Newer < older.
  const ta = time(a.metadata?.creationTimestamp);
  const tb = time(b.metadata?.creationTimestamp);
  if (ta !== tb) return afterOrZero(ta, tb);
  return false;
}

/**
 * getPodsToDelete: the `count` least valuable of `pods`. `related` are the active pods of the same
 * owner's family (e.g. all replica sets of a deployment) used to rank pods doubled up on a node.
 */
export function podsToDelete<P extends Pod>(pods: P[], count: number, related: Pod[] = pods): P[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && isPodActive(p)) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: pod.spec?.nodeName ? (onNode.get(pod.spec.nodeName) ?? 0) : 0 }));
  ranked.sort((x, y) => (lessValuablePod(x.pod, x.rank, y.pod, y.rank) ? -1 : lessValuablePod(y.pod, y.rank, x.pod, x.rank) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
