// Reading a pod's state back from the runtime (upstream kuberuntime_manager.go GetPodStatus,
// kuberuntime_container.go getPodContainerStatuses/toKubeContainerStatus): sandboxes and
// container instances found by the io.kubernetes.pod.uid label, newest first.
import type { CriClient } from '../cri/criClient.ts';
import type { Container as CriContainer, ContainerStatus as CriContainerStatus, PodSandbox, PodSandboxStatus } from '../cri/criTypes.ts';
import { CONTAINER_HASH_ANNOTATION, CONTAINER_NAME_LABEL, POD_UID_LABEL, podIdentity } from './labels.ts';
import type { ContainerRuntimeStatus, RuntimePod, RuntimePodStatus } from './types.ts';

/** CRI nanoseconds (a decimal string beyond 2^53) → Date; "0" means never. */
export function nanosToDate(nanos: string | undefined): Date | undefined {
  if (!nanos || nanos === '0') return undefined;
  return new Date(Number(BigInt(nanos) / 1_000_000n));
}

function newestFirst(a: { created_at: string }, b: { created_at: string }): number {
  const x = BigInt(a.created_at);
  const y = BigInt(b.created_at);
  return x === y ? 0 : x > y ? -1 : 1;
}

export function toContainerRuntimeStatus(s: CriContainerStatus, sandboxId: string): ContainerRuntimeStatus {
  let reason = s.reason;
  // containerd fills reason for exited containers; keep upstream's words if it ever does not.
  if (s.state === 'CONTAINER_EXITED' && !reason) reason = s.exit_code === 0 ? 'Completed' : 'Error';
  return {
    id: s.id,
    name: s.labels[CONTAINER_NAME_LABEL] ?? s.metadata.name,
    state: s.state,
    createdAt: nanosToDate(s.created_at) ?? new Date(0),
    startedAt: nanosToDate(s.started_at),
    finishedAt: nanosToDate(s.finished_at),
    exitCode: s.exit_code,
    reason,
    message: s.message,
    image: s.image?.user_specified_image || s.image?.image || '',
    imageRef: s.image_ref,
    restartCount: s.metadata.attempt,
    hash: s.annotations[CONTAINER_HASH_ANNOTATION] ?? '',
    sandboxId,
  };
}

function sandboxIPs(s: PodSandboxStatus | undefined): string[] {
  if (!s?.network?.ip) return [];
  return [s.network.ip, ...s.network.additional_ips.map((i) => i.ip)];
}

/** Everything the runtime has for one pod; undefined when it has nothing. */
export async function readPodStatus(cri: CriClient, uid: string): Promise<RuntimePodStatus | undefined> {
  const sandboxes = (await cri.listPodSandbox({ label_selector: { [POD_UID_LABEL]: uid } })).sort(newestFirst);
  const sandboxStatuses: PodSandboxStatus[] = [];
  for (const s of sandboxes) {
    const status = await cri.podSandboxStatus(s.id);
    if (status) sandboxStatuses.push(status);
  }
  const containers = (await cri.listContainers({ label_selector: { [POD_UID_LABEL]: uid } })).sort(newestFirst);
  const containerStatuses: ContainerRuntimeStatus[] = [];
  for (const c of containers) {
    const status = await cri.containerStatus(c.id);
    if (status) containerStatuses.push(toContainerRuntimeStatus(status, c.pod_sandbox_id));
  }
  const labels = sandboxes[0]?.labels ?? containers[0]?.labels;
  if (!labels) return undefined;
  const id = podIdentity(labels);
  // Only a ready sandbox has an address worth reporting.
  const ready = sandboxStatuses.find((s) => s.state === 'SANDBOX_READY');
  return {
    uid,
    name: id?.name ?? '',
    namespace: id?.namespace ?? '',
    ips: sandboxIPs(ready),
    sandboxStatuses,
    containerStatuses,
  };
}

/** Group a runtime listing into pods (upstream kuberuntime GetPods). */
export function groupRuntimePods(sandboxes: PodSandbox[], containers: CriContainer[]): RuntimePod[] {
  const pods = new Map<string, RuntimePod>();
  const podFor = (labels: Record<string, string>): RuntimePod | undefined => {
    const id = podIdentity(labels);
    if (!id) return undefined;
    let pod = pods.get(id.uid);
    if (!pod) {
      pod = { ...id, sandboxIds: [], containers: [] };
      pods.set(id.uid, pod);
    }
    return pod;
  };
  for (const s of [...sandboxes].sort(newestFirst)) podFor(s.labels)?.sandboxIds.push(s.id);
  for (const c of [...containers].sort(newestFirst)) {
    podFor(c.labels)?.containers.push({ id: c.id, name: c.labels[CONTAINER_NAME_LABEL] ?? c.metadata.name, state: c.state });
  }
  return [...pods.values()];
}

export async function listRuntimePods(cri: CriClient): Promise<RuntimePod[]> {
  return groupRuntimePods(await cri.listPodSandbox(), await cri.listContainers());
}
