// Labels and annotations that tie CRI sandboxes and containers back to their pod
// (upstream pkg/kubelet/kuberuntime/labels.go). The runtime keeps them, so a kubelet that
// restarts finds its pods again by listing the runtime, and `crictl ps` shows whose container
// is whose.
import { createHash } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
export const POD_TERMINATION_GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
export const CONTAINER_PORTS_ANNOTATION = 'io.kubernetes.container.ports';

/** Sandbox labels: the pod's own labels plus the three that identify it. */
export function sandboxLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata?.labels ?? {}),
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
  };
}

export function sandboxAnnotations(pod: Pod): Record<string, string> {
  return { ...(pod.metadata?.annotations ?? {}) };
}

export function containerLabels(pod: Pod, container: Container): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
    [CONTAINER_NAME_LABEL]: container.name,
  };
}

export function containerAnnotations(pod: Pod, container: Container, restartCount: number): Record<string, string> {
  const annotations: Record<string, string> = {
    [CONTAINER_HASH_ANNOTATION]: hashContainer(container),
    [CONTAINER_RESTART_COUNT_ANNOTATION]: String(restartCount),
    [TERMINATION_MESSAGE_PATH_ANNOTATION]: container.terminationMessagePath ?? '/dev/termination-log',
    [TERMINATION_MESSAGE_POLICY_ANNOTATION]: container.terminationMessagePolicy ?? 'File',
  };
  if (pod.spec?.terminationGracePeriodSeconds !== undefined) {
    annotations[POD_TERMINATION_GRACE_PERIOD_ANNOTATION] = String(pod.spec.terminationGracePeriodSeconds);
  }
  if (container.ports?.length) annotations[CONTAINER_PORTS_ANNOTATION] = JSON.stringify(container.ports);
  return annotations;
}

/**
 * The container's identity for "definition changed, restart it". A pod's containers are immutable
 * but for `image`, so name and image are what can differ (upstream 1.31+ hashes the same subset,
 * so that a kubelet upgrade does not restart every container).
 */
export function hashContainer(container: Container): string {
  return createHash('sha256').update(JSON.stringify([container.name, container.image])).digest('hex').slice(0, 8);
}

/** Pod identity from a sandbox's or container's labels; undefined when not the kubelet's. */
export function podIdentity(labels: Record<string, string>): { uid: string; name: string; namespace: string } | undefined {
  const uid = labels[POD_UID_LABEL];
  if (!uid) return undefined;
  return { uid, name: labels[POD_NAME_LABEL] ?? '', namespace: labels[POD_NAMESPACE_LABEL] ?? '' };
}
