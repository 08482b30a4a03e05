// What the pod garbage collector removes (upstream: pkg/controller/podgc/gc_controller.go), as pure
// functions over the pod and node caches:
// - terminated pods (Succeeded / Failed) beyond a threshold, oldest first;
// - orphaned pods: bound to a node that does not exist (after a quarantine, see the controller);
// - unscheduled pods that are being deleted: no kubelet will ever finish them.
import type { KubeObject } from '../../client/types.ts';

/** kube-controller-manager --terminated-pod-gc-threshold default. */
export const DEFAULT_TERMINATED_POD_THRESHOLD = 12500;

export function isPodTerminated(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function creationMs(pod: KubeObject): number {
  const t = Date.parse(pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Evicted pods first (they are noise), then oldest first, then by name for a stable order. */
function byEvictionThenAge(a: KubeObject, b: KubeObject): number {
  const ea = a.status?.reason === 'Evicted' ? 0 : 1;
  const eb = b.status?.reason === 'Evicted' ? 0 : 1;
  if (ea !== eb) return ea - eb;
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  return `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
}

/** gcTerminated: the terminated pods to delete so that at most `threshold` remain. */
export function terminatedPodsToDelete(pods: KubeObject[], threshold: number): KubeObject[] {
  if (threshold <= 0) return []; // upstream: a threshold of 0 disables this part
  const terminated = pods.filter((p) => isPodTerminated(p) && !p.metadata.deletionTimestamp);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  return [...terminated].sort(byEvictionThenAge).slice(0, excess);
}

/** gcOrphaned, first half: pods bound to a node the cache does not know, grouped by node name. */
export function podsOnMissingNodes(pods: KubeObject[], nodeExists: (name: string) => boolean): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (typeof node !== 'string' || node === '' || nodeExists(node)) continue;
    const list = out.get(node) ?? [];
    list.push(p);
    out.set(node, list);
  }
  return out;
}

/** gcUnscheduledTerminating: never bound to a node and being deleted. */
export function unscheduledTerminatingPods(pods: KubeObject[]): KubeObject[] {
  return pods.filter((p) => !!p.metadata.deletionTimestamp && !p.spec?.nodeName);
}
