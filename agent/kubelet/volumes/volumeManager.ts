// The kubelet's volume manager (upstream pkg/kubelet/volumemanager): before a pod's sandbox
// starts, every volume of the pod is set up on the node and known by its host path; containers
// then bind-mount those paths. Level-triggered: setUpPodVolumes is called on every pod sync and
// converges (an emptyDir that exists is kept, a tmpfs already mounted is kept, a ConfigMap that
// changed is rewritten atomically); tearDownPodVolumes and cleanupOrphans undo it all from what is
// on disk, so they work after a kubelet restart too.
import { existsSync, readdirSync } from 'node:fs';
import type { ConfigMap, Container, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../cri/criTypes.ts';
import { setUpConfigMapVolume } from './configMapVolume.ts';
import { planContainerMounts, type EnvVarList, type HostVolume } from './containerMounts.ts';
import { setUpEmptyDir, tearDownMountedDir } from './emptyDirVolume.ts';
import { setUpHostPath } from './hostPathVolume.ts';
import { persistentVolumePath, resolveClaim } from './persistentClaimVolume.ts';
import { CONFIG_MAP_PLUGIN, DEFAULT_KUBELET_ROOT, EMPTY_DIR_PLUGIN, podDir, podsDir, podSubPathsDir, podVolumeDir, podVolumesDir, SECRET_PLUGIN } from './podDirs.ts';
import { setUpSecretVolume } from './secretVolume.ts';
import { prepareSubPath } from './subPath.ts';

/** The API objects volumes are made from (the kubelet reads them through its informers or the API). */
export interface VolumeLookup {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  pvc(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  pv(name: string): Promise<PersistentVolume | undefined>;
}

export interface VolumeFailure {
  volume: string;
  message: string;
}

export type SetUpResult =
  | { ok: true; mounts: Map<string, HostVolume> }
  | { ok: false; reason: 'FailedMount'; message: string; failures: VolumeFailure[] };

export interface VolumeManagerOptions {
  /** --root-dir: pods/<uid>/volumes/… live below it. */
  rootDir?: string;
  /** Node allocatable memory in bytes: the upper bound of memory-backed volumes. */
  nodeAllocatableMemory?: number;
  /** Secret volumes on tmpfs as upstream (default); false writes them to a plain directory. */
  secretsOnTmpfs?: boolean;
}

type VolumeOutcome = { ok: true; volume: HostVolume } | { ok: false; message: string };

/** upstream operation_generator's event text for a plugin's SetUp error. */
function setUpFailed(specName: string, err: string): VolumeOutcome {
  return { ok: false, message: `MountVolume.SetUp failed for volume "${specName}" : ${err}` };
}

function volumeKind(v: Volume): string {
  return Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
}

export class VolumeManager {
  readonly rootDir: string;
  private readonly nodeAllocatableMemory?: number;
  private readonly secretsOnTmpfs: boolean;

  constructor(opts: VolumeManagerOptions = {}) {
    this.rootDir = opts.rootDir ?? DEFAULT_KUBELET_ROOT;
    this.nodeAllocatableMemory = opts.nodeAllocatableMemory;
    this.secretsOnTmpfs = opts.secretsOnTmpfs ?? true;
  }

  /**
   * Sets up every volume of the pod (upstream WaitForAttachAndMount). Volumes are independent:
   * all are tried, and any failure keeps the pod from starting, with every volume's message.
   */
  async setUpPodVolumes(pod: Pod, lookup: VolumeLookup): Promise<SetUpResult> {
    const mounts = new Map<string, HostVolume>();
    const failures: VolumeFailure[] = [];
    const containers = (pod.spec?.containers ?? []).concat(pod.spec?.initContainers ?? []);
    const mountedNames = new Set(containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
    for (const v of pod.spec?.volumes ?? []) {
      const outcome = await this.setUpVolume(pod, v, lookup, mountedNames.has(v.name));
      if (outcome.ok) mounts.set(v.name, outcome.volume);
      else failures.push({ volume: v.name, message: outcome.message });
    }
    if (failures.length > 0) return { ok: false, reason: 'FailedMount', message: failures.map((f) => f.message).join('; '), failures };
    return { ok: true, mounts };
  }

  /**
   * Refreshes configMap and secret volumes in place after their objects changed (upstream re-runs
   * their SetUp on every sync: RequiresRemount). Every set-up step is idempotent, so this is the
   * same convergence as setUpPodVolumes: unchanged contents are left alone, changed ones swapped
   * atomically through ..data.
   */
  async update(pod: Pod, lookup: VolumeLookup): Promise<SetUpResult> {
    return this.setUpPodVolumes(pod, lookup);
  }

  private async setUpVolume(pod: Pod, v: Volume, lookup: VolumeLookup, mounted: boolean): Promise<VolumeOutcome> {
    const uid = pod.metadata?.uid ?? '';
    if (v.hostPath) {
      const err = setUpHostPath(v.hostPath);
      return err ? setUpFailed(v.name, err) : { ok: true, volume: { hostPath: v.hostPath.path, readOnly: false } };
    }
    if (v.emptyDir) {
      const dir = podVolumeDir(this.rootDir, uid, EMPTY_DIR_PLUGIN, v.name);
      const err = await setUpEmptyDir(dir, v.emptyDir, pod, this.nodeAllocatableMemory);
      return err ? setUpFailed(v.name, err) : { ok: true, volume: { hostPath: dir, readOnly: false } };
    }
    if (v.configMap) {
      const dir = podVolumeDir(this.rootDir, uid, CONFIG_MAP_PLUGIN, v.name);
      const err = await setUpConfigMapVolume(dir, v.configMap, pod, (ns, name) => lookup.configMap(ns, name));
      // upstream mounts configMap and secret volumes read-only (their GetAttributes().ReadOnly).
      return err ? setUpFailed(v.name, err) : { ok: true, volume: { hostPath: dir, readOnly: true } };
    }
    if (v.secret) {
      const dir = podVolumeDir(this.rootDir, uid, SECRET_PLUGIN, v.name);
      const opts = { nodeAllocatableMemory: this.nodeAllocatableMemory, useTmpfs: this.secretsOnTmpfs };
      const err = await setUpSecretVolume(dir, v.secret, pod, (ns, name) => lookup.secret(ns, name), opts);
      return err ? setUpFailed(v.name, err) : { ok: true, volume: { hostPath: dir, readOnly: true } };
    }
    if (v.persistentVolumeClaim) {
      const claim = await resolveClaim(pod, v.persistentVolumeClaim, lookup, mounted);
      if (!claim.ok) return claim;
      const where = persistentVolumePath(claim.pv);
      if (!where.ok) return where;
      return { ok: true, volume: { hostPath: where.hostPath, readOnly: claim.readOnly } };
    }
    return { ok: false, message: `MountVolume.NewMounter initialization failed for volume "${v.name}" : no volume plugin matched: ${volumeKind(v)} volumes are not supported by this kubelet` };
  }

  /**
   * The CRI mounts of one container (upstream makeMounts): subPaths are checked and bind-mounted
   * under <pod>/volume-subpaths so they cannot escape their volume. `env` is the container's
   * environment, for subPathExpr. Throws MountConfigError or SubPathError (a CreateContainerConfigError).
   */
  async mountsForContainer(pod: Pod, container: Container, volumes: Map<string, HostVolume>, env: EnvVarList = []): Promise<Mount[]> {
    const uid = pod.metadata?.uid ?? '';
    const mounts: Mount[] = [];
    for (const planned of planContainerMounts(container, volumes, env)) {
      if (!planned.subPath) {
        mounts.push(planned.mount);
        continue;
      }
      const hostPath = await prepareSubPath({ rootDir: this.rootDir, podUid: uid, containerName: container.name, ...planned.subPath });
      mounts.push({ ...planned.mount, host_path: hostPath });
    }
    return mounts;
  }

  /**
   * Tears down everything the pod's volumes left on the node (upstream UnmountVolume +
   * CleanSubPaths): subPath binds first (they point into volumes), then each volume directory,
   * unmounting a tmpfs before deleting. hostPath and local PV paths are the node's and stay.
   */
  async tearDownPodVolumes(podUid: string): Promise<void> {
    await tearDownMountedDir(podSubPathsDir(this.rootDir, podUid));
    const volumesDir = podVolumesDir(this.rootDir, podUid);
    if (existsSync(volumesDir)) {
      for (const plugin of readdirSync(volumesDir)) {
        for (const name of readdirSync(`${volumesDir}/${plugin}`)) await tearDownMountedDir(`${volumesDir}/${plugin}/${name}`);
      }
    }
    await tearDownMountedDir(volumesDir);
  }

  /**
   * Removes the directories of pods that are no longer active (upstream
   * cleanupOrphanedPodDirs), volumes first. Returns the UIDs cleaned and those that failed.
   */
  async cleanupOrphans(activePodUIDs: Iterable<string>): Promise<{ removed: string[]; failed: { uid: string; error: string }[] }> {
    const active = new Set(activePodUIDs);
    const removed: string[] = [];
    const failed: { uid: string; error: string }[] = [];
    const dir = podsDir(this.rootDir);
    if (!existsSync(dir)) return { removed, failed };
    for (const uid of readdirSync(dir)) {
      if (active.has(uid)) continue;
      try {
        await this.tearDownPodVolumes(uid);
        await tearDownMountedDir(podDir(this.rootDir, uid));
        removed.push(uid);
      } catch (err) {
        failed.push({ uid, error: (err as Error).message });
      }
    }
    return { removed, failed };
  }
}
