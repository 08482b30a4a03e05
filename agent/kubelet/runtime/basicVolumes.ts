// A small VolumeManager for the two volume types that need nothing but the node's disk: hostPath
// and emptyDir on disk (upstream pkg/volume/hostpath, pkg/volume/emptydir). The full volume
// manager (every hostPath type, emptyDir medium Memory, configMap, secret, PVCs) replaces it.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VolumeSetupError, type MountedVolume, type VolumeManager } from './types.ts';

/** emptyDir and hostPath DirectoryOrCreate get 0777/0755 as upstream. */
const EMPTY_DIR_MODE = 0o777;
const HOST_DIR_MODE = 0o755;
const HOST_FILE_MODE = 0o644;

/** <root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>: upstream's layout under /var/lib/kubelet. */
export function emptyDirPath(kubeletRoot: string, podUid: string, name: string): string {
  return path.join(kubeletRoot, 'pods', podUid, 'volumes', 'kubernetes.io~empty-dir', name);
}

function checkHostPath(p: string, type: string): void {
  const exists = existsSync(p);
  const st = exists ? statSync(p) : undefined;
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!exists) mkdirSync(p, { recursive: true, mode: HOST_DIR_MODE });
      else if (!st!.isDirectory()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a directory`);
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!exists) {
        mkdirSync(path.dirname(p), { recursive: true, mode: HOST_DIR_MODE });
        writeFileSync(p, '', { mode: HOST_FILE_MODE });
      } else if (!st!.isFile()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a file`);
      return;
    case 'File':
      if (!st?.isFile()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a block device`);
      return;
    default:
      throw new VolumeSetupError(`hostPath type ${type} is not supported`);
  }
}

export class BasicVolumeManager implements VolumeManager {
  constructor(private readonly kubeletRoot: string) {}

  async mountPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata?.uid ?? '';
    const mounted = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      if (v.hostPath) {
        checkHostPath(v.hostPath.path, v.hostPath.type ?? '');
        mounted.set(v.name, { hostPath: v.hostPath.path });
      } else if (v.emptyDir) {
        if (v.emptyDir.medium === 'Memory') throw new VolumeSetupError(`emptyDir "${v.name}": medium Memory is not supported yet`);
        const dir = emptyDirPath(this.kubeletRoot, uid, v.name);
        mkdirSync(dir, { recursive: true, mode: EMPTY_DIR_MODE });
        mounted.set(v.name, { hostPath: dir });
      }
      // Other types are left to the full volume manager: a container mounting one fails clearly.
    }
    return mounted;
  }

  async unmountPodVolumes(podUid: string): Promise<void> {
    rmSync(path.join(this.kubeletRoot, 'pods', podUid, 'volumes'), { recursive: true, force: true });
  }
}
