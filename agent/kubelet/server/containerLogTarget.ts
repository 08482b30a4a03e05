// Which container instance `kubectl logs` reads, decided from the pod's status the kubelet holds,
// with upstream's messages for the cases that have no log to show
// (pkg/kubelet/kubelet_pods.go validateContainerLogStatus).
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { ERR_IMAGE_PULL, ERR_IMAGE_PULL_BACKOFF } from '../runtime/imagePuller.ts';

export type LogTarget = { containerId: string } | { error: string };

/** "containerd://abc…" → "abc…" (kubecontainer.ParseContainerID). */
export function runtimeContainerId(id: string | undefined): string {
  if (!id) return '';
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

function findStatus(pod: Pod, name: string): ContainerStatus | undefined {
  const s = pod.status;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])].find((c) => c.name === name);
}

export function containerLogTarget(pod: Pod, containerName: string, previous: boolean): LogTarget {
  const podName = pod.metadata?.name ?? '';
  const c = JSON.stringify(containerName);
  const p = JSON.stringify(podName);
  const status = findStatus(pod, containerName);
  if (!status) return { error: `container ${c} in pod ${p} is not available` };
  const { state, lastState } = status;
  const lastTerminated = runtimeContainerId(lastState?.terminated?.containerID);

  if (previous) {
    if (!lastTerminated) return { error: `previous terminated container ${c} in pod ${p} not found` };
    return { containerId: lastTerminated };
  }
  if (state?.running) return { containerId: runtimeContainerId(status.containerID) };
  if (state?.terminated) {
    // The next instance did not start yet: its terminated state may carry no id; show the last one.
    const id = runtimeContainerId(state.terminated.containerID) || lastTerminated;
    return id ? { containerId: id } : { error: `container ${c} in pod ${p} is terminated` };
  }
  if (lastState?.terminated) {
    return lastTerminated ? { containerId: lastTerminated } : { error: `container ${c} in pod ${p} is terminated` };
  }
  const reason = state?.waiting?.reason ?? '';
  if (reason === ERR_IMAGE_PULL) return { error: `container ${c} in pod ${p} is waiting to start: image can't be pulled` };
  if (reason === ERR_IMAGE_PULL_BACKOFF) return { error: `container ${c} in pod ${p} is waiting to start: trying and failing to pull image` };
  return { error: `container ${c} in pod ${p} is waiting to start: ${reason}` };
}
