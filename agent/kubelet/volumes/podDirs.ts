// Where a pod's volumes live on the node (upstream pkg/kubelet/kubelet_getters.go and
// pkg/volume/util/strings EscapeQualifiedName):
//
//   <rootDir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>
//   <rootDir>/pods/<uid>/volumes/kubernetes.io~configmap/<name>
//   <rootDir>/pods/<uid>/volumes/kubernetes.io~secret/<name>
//   <rootDir>/pods/<uid>/volume-subpaths/<volume>/<container>/<mount index>
//
// hostPath and local persistent volumes have no directory here: containers bind-mount the node's
// path itself.
import path from 'node:path';

/** The kubelet's --root-dir default. */
export const DEFAULT_KUBELET_ROOT = '/var/lib/kubelet';

/** In-tree plugin names, as upstream registers them. */
export const EMPTY_DIR_PLUGIN = 'kubernetes.io/empty-dir';
export const CONFIG_MAP_PLUGIN = 'kubernetes.io/configmap';
export const SECRET_PLUGIN = 'kubernetes.io/secret';

/** A plugin name as a directory name: "kubernetes.io/empty-dir" → "kubernetes.io~empty-dir". */
export function escapePluginName(plugin: string): string {
  return plugin.replaceAll('/', '~');
}

export function podsDir(rootDir: string): string {
  return path.join(rootDir, 'pods');
}

export function podDir(rootDir: string, podUid: string): string {
  return path.join(podsDir(rootDir), podUid);
}

export function podVolumesDir(rootDir: string, podUid: string): string {
  return path.join(podDir(rootDir, podUid), 'volumes');
}

export function podVolumeDir(rootDir: string, podUid: string, plugin: string, volumeName: string): string {
  return path.join(podVolumesDir(rootDir, podUid), escapePluginName(plugin), volumeName);
}

/** Bind mounts of subPaths (upstream containerSubPathDirectoryName). */
export function podSubPathsDir(rootDir: string, podUid: string): string {
  return path.join(podDir(rootDir, podUid), 'volume-subpaths');
}

export function subPathTarget(rootDir: string, podUid: string, volumeName: string, containerName: string, mountIndex: number): string {
  return path.join(podSubPathsDir(rootDir, podUid), volumeName, containerName, String(mountIndex));
}

/** Whether `p` is `base` or below it (upstream mount.PathWithinBase); both must be clean absolute paths. */
export function pathWithinBase(p: string, base: string): boolean {
  const rel = path.relative(base, p);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}
