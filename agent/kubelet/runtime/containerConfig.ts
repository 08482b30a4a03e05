// One container as CRI ContainerConfig (upstream kuberuntime_container.go generateContainerConfig,
// kubelet_pods.go makeMounts, kuberuntime/security_context.go). Pure: the environment and the
// volumes' host paths are resolved before; tested by tables.
//
// Command and args follow the image-entrypoint rules, applied by the runtime: command replaces the
// image's ENTRYPOINT (and drops its CMD), args alone replace CMD, neither runs the image as built.
import path from 'node:path';
import type { Container, Pod, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, LinuxContainerSecurityContext, Mount, MountPropagation, NamespaceMode } from '../cri/criTypes.ts';
import { expand, expandCommandAndArgs } from './envVars.ts';
import { containerAnnotations, containerLabels } from './labels.ts';
import { linuxContainerResources } from './resources.ts';
import type { MountedVolume } from './types.ts';

/** /proc and /sys paths hidden from unprivileged containers (upstream securitycontext defaultMaskedPaths). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const PROPAGATION: Record<string, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

export class MountConfigError extends Error {
  override readonly name = 'MountConfigError';
}

export interface ContainerConfigInput {
  /** The container's attempt: 0, then +1 per restart; also its log file name. */
  restartCount: number;
  /** The image as pulled (its id), so a moved tag does not change a running pod's image. */
  imageRef: string;
  env: { key: string; value: string }[];
  volumes: Map<string, MountedVolume>;
  /** Host file mounted at terminationMessagePath, when the kubelet made one. */
  terminationMessageHostPath?: string;
  /** Node memory capacity in bytes, for the Burstable OOM score. */
  memoryCapacity: number;
}

/** Container log path relative to the pod's log directory (upstream BuildContainerLogsPath). */
export function containerLogPath(containerName: string, restartCount: number): string {
  return path.join(containerName, `${restartCount}.log`);
}

/** Upstream makeMounts for the container's volumeMounts; subPath and subPathExpr resolve under the volume. */
export function containerMounts(container: Container, volumes: Map<string, MountedVolume>, env: { key: string; value: string }[]): Mount[] {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  return (container.volumeMounts ?? []).map((vm: VolumeMount) => {
    const vol = volumes.get(vm.name);
    if (!vol) throw new MountConfigError(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    let subPath = vm.subPath ?? '';
    if (vm.subPathExpr) subPath = expand(vm.subPathExpr, (n) => vars.get(n));
    if (path.isAbsolute(subPath) || subPath.split('/').includes('..')) {
      throw new MountConfigError(`invalid subPath "${subPath}" for volume "${vm.name}": must be a relative path without ".."`);
    }
    return {
      container_path: vm.mountPath,
      host_path: subPath ? path.join(vol.hostPath, subPath) : vol.hostPath,
      readonly: vm.readOnly === true || vol.readOnly === true,
      selinux_relabel: false,
      propagation: PROPAGATION[vm.mountPropagation ?? 'None'] ?? 'PROPAGATION_PRIVATE',
    };
  });
}

/** The pod's and the container's security contexts merged, container first (upstream determineEffectiveSecurityContext). */
export function containerSecurityContext(pod: Pod, container: Container): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext;
  const csc = container.securityContext;
  const privileged = csc?.privileged === true;
  const runAsUser = csc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = csc?.runAsGroup ?? psc?.runAsGroup;
  const spec = pod.spec;
  const namespaces: { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode } = {
    network: spec?.hostNetwork ? 'NODE' : 'POD',
    pid: spec?.hostPID ? 'NODE' : spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec?.hostIPC ? 'NODE' : 'POD',
  };
  const unmasked = privileged || csc?.procMount === 'Unmasked';
  const sc: LinuxContainerSecurityContext = {
    privileged,
    namespace_options: namespaces,
    readonly_rootfs: csc?.readOnlyRootFilesystem === true,
    supplemental_groups: [...(psc?.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc?.supplementalGroups ?? [])],
    // allowPrivilegeEscalation: false is the no_new_privs bit.
    no_new_privs: csc?.allowPrivilegeEscalation === false,
    masked_paths: unmasked ? [] : [...DEFAULT_MASKED_PATHS],
    readonly_paths: unmasked ? [] : [...DEFAULT_READONLY_PATHS],
  };
  if (csc?.capabilities) {
    sc.capabilities = { add_capabilities: [...(csc.capabilities.add ?? [])], drop_capabilities: [...(csc.capabilities.drop ?? [])] };
  }
  if (runAsUser !== undefined) sc.run_as_user = { value: runAsUser };
  if (runAsGroup !== undefined) sc.run_as_group = { value: runAsGroup };
  return sc;
}

export function buildContainerConfig(pod: Pod, container: Container, input: ContainerConfigInput): ContainerConfig {
  const { command, args } = expandCommandAndArgs(container, input.env);
  const mounts = containerMounts(container, input.volumes, input.env);
  if (input.terminationMessageHostPath && container.terminationMessagePath) {
    mounts.push({ container_path: container.terminationMessagePath, host_path: input.terminationMessageHostPath, readonly: false, selinux_relabel: false, propagation: 'PROPAGATION_PRIVATE' });
  }
  return {
    metadata: { name: container.name, attempt: input.restartCount },
    image: { image: input.imageRef, user_specified_image: container.image ?? '' },
    command,
    args,
    working_dir: container.workingDir ?? '',
    envs: input.env,
    mounts,
    labels: containerLabels(pod, container),
    annotations: containerAnnotations(pod, container, input.restartCount),
    log_path: containerLogPath(container.name, input.restartCount),
    stdin: container.stdin === true,
    stdin_once: container.stdinOnce === true,
    tty: container.tty === true,
    linux: {
      resources: linuxContainerResources(pod, container, input.memoryCapacity),
      security_context: containerSecurityContext(pod, container),
    },
  };
}
