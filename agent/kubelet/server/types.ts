// What the kubelet server reads from the rest of the kubelet.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CriClient } from '../cri/criClient.ts';
import type { RuntimePodStatus } from '../runtime/types.ts';
import type { StreamingRuntime } from './criStreamingClient.ts';

/** pino-compatible. */
export interface ServerLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The kubelet's view of its pods, supplied by the pod manager and the runtime manager. */
export interface PodSource {
  /** A pod this kubelet runs, with the status the kubelet last computed for it (containerStatuses with containerID). */
  lookupPod(namespace: string, name: string): Pod | undefined;
  /** Every pod this kubelet runs (GET /pods). */
  listPods(): Pod[];
  /** The runtime's view of a pod (KubeRuntimeManager.getPodStatus): sandboxes and container instances, newest first. */
  runtimeStatus(uid: string): Promise<RuntimePodStatus | undefined>;
}

export interface KubeletServerContext extends PodSource {
  cri: CriClient;
  streaming: StreamingRuntime;
  log: ServerLog;
}
