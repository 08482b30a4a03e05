// The kubelet's volumes (upstream pkg/kubelet/volumemanager and the in-tree plugins of pkg/volume):
//
//   VolumeManager                  setUpPodVolumes / update / tearDownPodVolumes / cleanupOrphans /
//                                  mountsForContainer (CRI mounts, safe subPaths)
//   RuntimeVolumes                 the same behind the runtime manager's VolumeManager contract
//   hostPathVolume.ts              hostPath `type` checks and *OrCreate
//   emptyDirVolume.ts              emptyDir on disk or tmpfs (medium: Memory, sizeLimit)
//   configMapVolume.ts, secretVolume.ts, payload.ts, atomicWriter.ts
//                                  key → file projections, swapped atomically through ..data
//   persistentClaimVolume.ts       PVC → bound PV → local or hostPath path
//   subPath.ts                     subPath bind mounts that cannot leave their volume
//   podDirs.ts, mounts.ts          the on-disk layout and the node's mount table
export { VolumeManager, type VolumeLookup, type VolumeFailure, type SetUpResult, type VolumeManagerOptions } from './volumeManager.ts';
export { RuntimeVolumes } from './runtimeVolumes.ts';
export { planContainerMounts, mountPropagation, expandSubPathExpr, MountConfigError, type HostVolume, type PlannedMount, type EnvVarList } from './containerMounts.ts';
export { SubPathError, subPathTextError } from './subPath.ts';
export { hostPathCheck, type HostFileType, type ObservedPath } from './hostPathVolume.ts';
export { tmpfsSizeBytes, podMemoryLimit } from './emptyDirVolume.ts';
export { atomicWrite, validatePayloadPath, DATA_DIR_NAME, type Payload, type FileProjection } from './atomicWriter.ts';
export { configMapPayload, secretPayload, DEFAULT_FILE_MODE } from './payload.ts';
export { resolveClaim, persistentVolumePath, type ClaimLookup } from './persistentClaimVolume.ts';
export { DEFAULT_KUBELET_ROOT, podVolumeDir, podSubPathsDir } from './podDirs.ts';
