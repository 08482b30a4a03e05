// emptyDir volumes (upstream pkg/volume/emptydir/empty_dir.go): a directory under the pod's
// directory, shared by the pod's containers and deleted with the pod. `medium: Memory` mounts a
// tmpfs there instead, sized as upstream's SizeMemoryBackedVolumes (GA since 1.32): the smallest
// of the node's allocatable memory, the pod's memory limit and the volume's sizeLimit.
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { Container, EmptyDirVolumeSource, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../controlplane/api/validation/quantity.ts';
import { pathError } from './goErrors.ts';
import { mountAt, mountTmpfs, mountsUnder, unmount } from './mounts.ts';

/** upstream emptydir `perm`: everyone may write, so containers running as any user can share it. */
export const EMPTY_DIR_MODE = 0o777;

function memoryLimit(c: Container): number | undefined {
  const q = c.resources?.limits?.memory;
  return q === undefined ? undefined : parseQuantity(q);
}

/**
 * The pod's memory limit as its cgroup gets it (upstream cm.ResourceConfigForPod): the larger of
 * the app containers' sum and the largest init container, and only when every container declares one.
 */
export function podMemoryLimit(pod: Pod): number | undefined {
  const apps = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const appLimits = apps.map(memoryLimit);
  const initLimits = inits.map(memoryLimit);
  if ([...appLimits, ...initLimits].some((l) => l === undefined)) return undefined;
  const sum = (appLimits as number[]).reduce((a, b) => a + b, 0);
  const initMax = Math.max(0, ...(initLimits as number[]));
  const overhead = parseQuantity(pod.spec?.overhead?.memory) ?? 0;
  return Math.max(sum, initMax) + overhead;
}

/** upstream calculateEmptyDirMemorySize: undefined leaves the kernel's default (half the RAM). */
export function tmpfsSizeBytes(pod: Pod, source: EmptyDirVolumeSource, nodeAllocatableMemory?: number): number | undefined {
  let size = nodeAllocatableMemory;
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0 && (size === undefined || podLimit <= size)) size = podLimit;
  const volumeLimit = parseQuantity(source.sizeLimit);
  if (volumeLimit !== undefined && volumeLimit > 0 && (size === undefined || volumeLimit <= size)) size = volumeLimit;
  return size === undefined || size <= 0 ? undefined : Math.floor(size);
}

/** upstream generateTmpfsMountOptions (noswap is left out: it needs kernel 6.4). */
export function tmpfsMountOptions(sizeBytes: number | undefined): string[] {
  return sizeBytes === undefined ? [] : [`size=${sizeBytes}`];
}

/** upstream setupDir: mkdir -p, then chmod because the umask trimmed the mode. */
export function setUpDir(dir: string, mode = EMPTY_DIR_MODE): void {
  mkdirSync(dir, { recursive: true, mode });
  if ((statSync(dir).mode & 0o7777) !== mode) chmodSync(dir, mode);
}

/** Creates (or finds ready) the emptyDir at `dir`; returns an error message or undefined. */
export async function setUpEmptyDir(dir: string, source: EmptyDirVolumeSource, pod: Pod, nodeAllocatableMemory?: number): Promise<string | undefined> {
  const medium = source.medium ?? '';
  try {
    if (medium === '') {
      setUpDir(dir);
      return undefined;
    }
    if (medium === 'Memory') {
      await setUpTmpfs(dir, tmpfsSizeBytes(pod, source, nodeAllocatableMemory));
      return undefined;
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ? pathError('mkdir', dir, err) : (err as Error).message;
  }
  // HugePages media need hugetlbfs and huge page requests: not supported here.
  return `unknown storage medium "${medium}"`;
}

/** A tmpfs at `dir`, idempotent: an existing tmpfs mount there is the desired state. */
export async function setUpTmpfs(dir: string, sizeBytes: number | undefined): Promise<void> {
  setUpDir(dir);
  if (mountAt(dir)?.fsType === 'tmpfs') return;
  await mountTmpfs(dir, tmpfsMountOptions(sizeBytes));
  // The mode of a fresh tmpfs root is 1777; emptyDir wants 0777 as on disk.
  chmodSync(dir, EMPTY_DIR_MODE);
}

/**
 * upstream TearDownAt: unmount whatever is mounted at or below the directory, then delete it.
 * Removing only after every mount is gone keeps a recursive delete from reaching into a mounted
 * filesystem.
 */
export async function tearDownMountedDir(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await unmount(m.mountPoint);
  if (mountsUnder(dir).length > 0) throw new Error(`${dir} is still mounted after unmount`);
  rmSync(dir, { recursive: true, force: true });
}
