// The kubelet's own admission of a pod bound to its node (upstream pkg/kubelet/lifecycle/
// predicate.go, GeneralPredicates): a pod that reached the node without the scheduler — nodeName
// set by hand — or raced another pod there is checked against the pods already admitted. A pod
// that does not fit is rejected: it goes Failed with the predicate's name as reason and never
// runs. Pure: the kubelet passes the pod and the active pods, and applies the verdict.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ERR_REASON_PORTS, portsConflict } from '../../../controlplane/scheduler/plugins/nodePorts.ts';
import { podHostPorts } from '../../../controlplane/scheduler/framework/nodeInfo.ts';

/** Upstream nodeports.Name: the reason a pod rejected for its hostPorts gets. */
export const NODE_PORTS = 'NodePorts';
/** Upstream rejectPod's status message prefix. */
export const REJECTED_MESSAGE_PREFIX = 'Pod was rejected: ';

export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

/** Upstream PredicateFailureError.Error(). */
function predicateFailure(name: string, description: string): AdmitResult {
  return { admit: false, reason: name, message: `Predicate ${name} failed: ${description}` };
}

/**
 * Upstream canAdmitPod with the predicate admit handler, for the checks k8ts makes: hostPorts
 * (NodePorts). `activePods` are the pods admitted earlier that still run or terminate.
 */
export function admitPod(pod: Pod, activePods: Pod[]): AdmitResult {
  const wanted = podHostPorts(pod);
  if (wanted.length > 0) {
    const used = activePods.filter((p) => p.metadata?.uid !== pod.metadata?.uid).flatMap(podHostPorts);
    if (wanted.some((w) => used.some((u) => portsConflict(w, u)))) return predicateFailure(NODE_PORTS, ERR_REASON_PORTS);
  }
  return { admit: true };
}

/** Pods are admitted oldest first, as upstream HandlePodAdditions sorts them by creation time. */
export function byCreationTime(a: Pod, b: Pod): number {
  return (Date.parse(a.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata?.creationTimestamp ?? '') || 0);
}
