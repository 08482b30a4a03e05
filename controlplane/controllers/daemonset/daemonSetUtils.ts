// Which nodes a DaemonSet's pod belongs on, and what its pods look like
// (pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod, and
// pkg/controller/daemon/util/daemonset_util.go). A daemon pod tolerates the taints the node
// lifecycle controller puts on troubled nodes, so it keeps running (or starts) on a not-ready,
// unreachable, pressured or cordoned node; it is pinned to its node by a required node affinity
// `metadata.name In [node]` and then placed by the scheduler like any other pod. Pure functions.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/types.ts';
import { podMatchesNodeSelectorAndAffinity } from '../../scheduler/plugins/helper/nodeSelector.ts';
import { findUntoleratedTaint } from '../../scheduler/plugins/helper/taints.ts';

export type DS = DaemonSet & KubeObject;
export type PodObj = Pod & KubeObject;
export type NodeObj = Node & KubeObject;

/** apps.DefaultDaemonSetUniqueLabelKey: the template hash on each pod and revision. */
export const DAEMONSET_HASH_LABEL = 'controller-revision-hash';

// The taints of pkg/apis/core/well_known_taints.go.
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates (network-unavailable only with hostNetwork). */
export function daemonPodTolerations(spec: PodSpec): Toleration[] {
  const t = (key: string, effect: 'NoExecute' | 'NoSchedule'): Toleration => ({ key, operator: 'Exists', effect });
  const list = [
    t(TAINT_NOT_READY, 'NoExecute'),
    t(TAINT_UNREACHABLE, 'NoExecute'),
    t(TAINT_DISK_PRESSURE, 'NoSchedule'),
    t(TAINT_MEMORY_PRESSURE, 'NoSchedule'),
    t(TAINT_PID_PRESSURE, 'NoSchedule'),
    t(TAINT_UNSCHEDULABLE, 'NoSchedule'),
  ];
  if (spec.hostNetwork) list.push(t(TAINT_NETWORK_UNAVAILABLE, 'NoSchedule'));
  return list;
}

/**
 * AddOrUpdateTolerationInPodSpec for each default: a toleration with the same key, operator,
 * value and effect is replaced, anything else is appended. The user's own tolerations stay.
 */
export function addDaemonPodTolerations(spec: PodSpec): void {
  const tolerations = [...(spec.tolerations ?? [])];
  for (const want of daemonPodTolerations(spec)) {
    const i = tolerations.findIndex(
      (t) => t.key === want.key && (t.operator ?? 'Equal') === want.operator && (t.value ?? '') === '' && t.effect === want.effect,
    );
    if (i >= 0) tolerations[i] = want;
    else tolerations.push(want);
  }
  spec.tolerations = tolerations;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term
 * `metadata.name In [node]` (the node already satisfied the template's own terms); preferred
 * terms are kept.
 */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const a = structuredClone(affinity ?? {});
  a.nodeAffinity = { ...(a.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: required };
  return a;
}

/** GetTargetNodeName: the node a daemon pod is on, or will be on once scheduled. */
export function targetNodeName(pod: PodObj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** CreatePodTemplate: the template with the default tolerations and the revision's hash label. */
export function daemonPodTemplate(ds: DS, hash: string): NonNullable<DaemonSet['spec']>['template'] {
  const t = structuredClone(ds.spec?.template ?? {});
  t.spec ??= { containers: [] };
  addDaemonPodTolerations(t.spec);
  t.metadata = { ...t.metadata, labels: { ...t.metadata?.labels, [DAEMONSET_HASH_LABEL]: hash } };
  return t;
}

export interface NodeDecision {
  /** A daemon pod should be started on the node. */
  shouldRun: boolean;
  /** A daemon pod already there may stay (NoExecute taints are tolerated). */
  shouldContinueRunning: boolean;
  /** Why not, for logs and tests. */
  reason?: string;
}

/**
 * NodeShouldRunDaemonPod: the template's pod, with the default tolerations, is checked against
 * the node as the scheduler would: spec.nodeName, nodeSelector and required node affinity, then
 * NoSchedule/NoExecute taints. A node with an untolerated NoSchedule taint keeps the pods it
 * already runs; an untolerated NoExecute taint evicts them.
 */
export function nodeShouldRunDaemonPod(node: NodeObj, ds: DS): NodeDecision {
  const spec = structuredClone(ds.spec?.template?.spec ?? { containers: [] });
  addDaemonPodTolerations(spec);
  const name = node.metadata.name;
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false, reason: `the template names node ${spec.nodeName}` };
  const pod: Pod = { metadata: { labels: ds.spec?.template?.metadata?.labels }, spec };
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) {
    return { shouldRun: false, shouldContinueRunning: false, reason: "the node does not match the pod's node selector or required node affinity" };
  }
  const taints = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  const blocking = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
  const taint = evicting ?? blocking;
  return {
    shouldRun: false,
    shouldContinueRunning: !evicting,
    reason: `untolerated taint {${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}}`,
  };
}
