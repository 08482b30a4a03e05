// The runtime manager's contract: what pod workers and the status manager call, and the
// runtime-side view of a pod they get back (upstream pkg/kubelet/container/runtime.go:
// Runtime, PodStatus, Status).
import type { ConfigMap, Pod, PodStatus as ApiPodStatus, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { ContainerState, PodSandboxStatus } from '../cri/criTypes.ts';

/** A container as the runtime reports it, mapped back to its pod through labels/annotations. */
export interface ContainerRuntimeStatus {
  /** CRI container id. */
  id: string;
  name: string;
  state: ContainerState;
  /** Dates from the runtime's nanosecond timestamps; undefined when not yet reached. */
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode: number;
  /** Completed, Error, OOMKilled … (containerd fills it for exited containers). */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** The container's attempt number: 0 for the first, +1 per restart. */
  restartCount: number;
  /** Hash of the container spec it was created from (annotation io.kubernetes.container.hash). */
  hash: string;
  sandboxId: string;
}

/**
 * Everything the runtime knows about one pod: its sandboxes (newest first) and every container
 * instance, newest first (an exited instance stays until garbage collection, which is how a
 * restarted container still shows its lastState).
 */
export interface RuntimePodStatus {
  uid: string;
  name: string;
  namespace: string;
  ips: string[];
  sandboxStatuses: PodSandboxStatus[];
  containerStatuses: ContainerRuntimeStatus[];
}

/** A pod as listed from the runtime alone (no API object): what a restarted kubelet adopts. */
export interface RuntimePod {
  uid: string;
  name: string;
  namespace: string;
  sandboxIds: string[];
  containers: { id: string; name: string; state: ContainerState }[];
}

/** Secrets, ConfigMaps and Services the kubelet reads while building containers. */
export interface ObjectLookup {
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  /** Services of the pod's namespace and `default` (for Service environment variables). */
  listServices(namespace: string): Promise<Service[]>;
}

/** A volume ready on the host: what containers bind-mount. */
export interface MountedVolume {
  hostPath: string;
  /** The volume is read-only whatever the mount says (e.g. a configMap). */
  readOnly?: boolean;
}

/**
 * Prepares and releases a pod's volumes (upstream volumemanager.VolumeManager: WaitForAttachAndMount
 * then GetMountedVolumesForPod). The runtime manager only needs host paths by volume name.
 */
export interface VolumeManager {
  /** Sets up every volume of the pod; throws VolumeSetupError with a message for FailedMount. */
  mountPodVolumes(pod: Pod, lookup: ObjectLookup): Promise<Map<string, MountedVolume>>;
  /** Tears down what mountPodVolumes made (emptyDir contents go with the pod). */
  unmountPodVolumes(podUid: string): Promise<void>;
}

export class VolumeSetupError extends Error {
  override readonly name = 'VolumeSetupError';
}

/** Events the runtime manager records against a pod (reason as upstream's pkg/kubelet/events). */
export interface PodEventRecorder {
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}

/** Why a container is waiting after a sync step failed (upstream kubelet reasonCache). */
export interface StartFailure {
  /** ErrImagePull, ImagePullBackOff, ErrImageNeverPull, CrashLoopBackOff, CreateContainerError … */
  reason: string;
  message: string;
}

/** What one syncPod call did and what failed (upstream kubecontainer.PodSyncResult). */
export interface PodSyncResult {
  /** Per container name: the failure that keeps it from running, for its Waiting state. */
  failures: Map<string, StartFailure>;
  /** A failure of the pod as a whole (sandbox, volumes). */
  error?: string;
  /** Containers started (or killed) by this sync. */
  started: string[];
  killed: string[];
  /** A container waits in a back-off: the pod worker should sync again after this long. */
  requeueAfterMs?: number;
}

/** The runtime core the pod workers drive. */
export interface RuntimeManager {
  /** Converges the runtime to the pod's spec: sandbox, init containers, app containers. */
  /** `signal`: the pod is to be stopped; hooks in flight end and nothing more is started. */
  syncPod(pod: Pod, lookup: ObjectLookup, signal?: AbortSignal): Promise<PodSyncResult>;
  /**
   * Stops every container with the grace period (pod's deletionGracePeriodSeconds, else
   * terminationGracePeriodSeconds, or the override), then stops and removes the sandboxes.
   */
  killPod(pod: Pod, gracePeriodOverrideSeconds?: number): Promise<void>;
  /** Removes what is left of a pod gone from the API: containers, sandboxes, volumes, logs. */
  removePod(uid: string): Promise<void>;
  /** The runtime's view of one pod, straight from CRI. */
  getPodStatus(uid: string): Promise<RuntimePodStatus | undefined>;
  /** The pod's API status fields the runtime decides (phase, containerStatuses, podIP …). */
  /** `probes`: the prober's started/ready verdicts by container (without: running means both). */
  apiPodStatus(pod: Pod, status: RuntimePodStatus | undefined, probes?: { started?(containerName: string, containerId: string): boolean; ready?(containerName: string, containerId: string): boolean }): ApiPodStatus;
  /** Pods the runtime has, from sandbox and container labels. */
  listPods(): Promise<RuntimePod[]>;
}
