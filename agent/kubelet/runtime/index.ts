// The kubelet's runtime core: what pod workers and the status manager drive.
//
//   new KubeRuntimeManager(opts)   syncPod / killPod / removePod / getPodStatus / apiPodStatus / listPods
//   computePodActions(pod, status) the pure decision syncPod executes
//   GenericPleg                    relist-based pod lifecycle events (containerd 1.6 has no CRI events)
//   BasicVolumeManager             hostPath and emptyDir until the full volume manager exists
export type * from './types.ts';
export { VolumeSetupError } from './types.ts';
export { KubeRuntimeManager, CRASH_LOOP_BACK_OFF, MAX_DEAD_PER_CONTAINER, type RuntimeManagerOptions } from './runtimeManager.ts';
export { computePodActions, type PodActions, type ProbeResults, type ContainerToKill } from './podActions.ts';
export { GenericPleg, RELIST_PERIOD_MS, type PodLifecycleEvent, type PodLifecycleEventType } from './pleg.ts';
export { BasicVolumeManager } from './basicVolumes.ts';
export { parseResolvConf, type ResolvConf } from './sandboxConfig.ts';
export { apiPodStatus } from './apiStatus.ts';
export { Backoff, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from './backoff.ts';
export { ERR_IMAGE_NEVER_PULL, ERR_IMAGE_PULL, ERR_IMAGE_PULL_BACKOFF } from './imagePuller.ts';
