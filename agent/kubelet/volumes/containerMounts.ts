// The CRI mounts of one container (upstream pkg/kubelet/kubelet_pods.go makeMounts): each
// volumeMount becomes a bind of the volume's host path — or of a safely prepared subPath — at the
// container path. planContainerMounts is the pure part (table-tested); the subPath bind mounts are
// made by subPath.ts.
import type { Container, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { Mount, MountPropagation } from '../cri/criTypes.ts';
import { expand } from '../runtime/envVars.ts';
import { subPathTextError } from './subPath.ts';

/** A volume ready on the node, by volume name: what containers bind-mount. */
export interface HostVolume {
  hostPath: string;
  /** The volume itself is read-only (a PVC with readOnly: true), whatever the volumeMount says. */
  readOnly: boolean;
}

export type EnvVarList = { key: string; value: string }[];

export class MountConfigError extends Error {
  override readonly name = 'MountConfigError';
}

/** One volumeMount, resolved but for its subPath bind mount. */
export interface PlannedMount {
  mount: Mount;
  /** Set when the mount has a subPath: mount.host_path is then the joined path until the bind is made. */
  subPath?: { volumeName: string; volumePath: string; subPath: string; mountIndex: number };
}

/** upstream translateMountPropagation; unset and None are private. */
export function mountPropagation(mode: string | undefined): MountPropagation {
  switch (mode ?? 'None') {
    case 'None':
      return 'PROPAGATION_PRIVATE';
    case 'HostToContainer':
      return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional':
      return 'PROPAGATION_BIDIRECTIONAL';
    default:
      throw new MountConfigError(`invalid MountPropagation mode: "${mode}"`);
  }
}

/** upstream kubecontainer.ExpandContainerVolumeMounts: every $(VAR) must have a non-empty value. */
export function expandSubPathExpr(expr: string, env: EnvVarList): string {
  const values = new Map(env.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const expanded = expand(expr, (name) => {
    const v = values.get(name);
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size > 0) throw new MountConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  return expanded;
}

function planOne(container: Container, vm: VolumeMount, index: number, volumes: Map<string, HostVolume>, env: EnvVarList): PlannedMount {
  const vol = volumes.get(vm.name);
  if (!vol) throw new MountConfigError(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
  const subPath = vm.subPathExpr ? expandSubPathExpr(vm.subPathExpr, env) : (vm.subPath ?? '');
  const mount: Mount = {
    container_path: vm.mountPath,
    host_path: vol.hostPath,
    readonly: vm.readOnly === true || vol.readOnly,
    selinux_relabel: false, // SELinux is not used on these nodes
    propagation: mountPropagation(vm.mountPropagation),
  };
  if (!subPath) return { mount };
  const textError = subPathTextError(subPath);
  if (textError) throw new MountConfigError(textError);
  return {
    mount: { ...mount, host_path: `${vol.hostPath.replace(/\/$/, '')}/${subPath}` },
    subPath: { volumeName: vm.name, volumePath: vol.hostPath, subPath, mountIndex: index },
  };
}

/** The container's volumeMounts as CRI mounts, subPaths validated but not yet bound. */
export function planContainerMounts(container: Container, volumes: Map<string, HostVolume>, env: EnvVarList = []): PlannedMount[] {
  return (container.volumeMounts ?? []).map((vm, i) => planOne(container, vm, i, volumes, env));
}
