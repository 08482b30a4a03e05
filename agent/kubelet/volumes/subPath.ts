// Safe subPath mounts (upstream pkg/volume/util/subpath/subpath_linux.go). A container's subPath
// must stay inside its volume even when the volume holds symlinks a user planted:
//   1. create a missing subPath directory without following symlinks out of the volume;
//   2. resolve the subPath, refuse it when the real path leaves the volume;
//   3. open it with O_PATH|O_NOFOLLOW and check, through /proc/self/fd, that the opened inode is
//      still inside the volume (a symlink swapped in meanwhile would show here);
//   4. bind-mount /proc/<kubelet pid>/fd/<fd> onto <pod>/volume-subpaths/<volume>/<container>/<i>,
//      and give the container that path: later changes in the volume cannot redirect it.
import { chmodSync, closeSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:fs';
import path from 'node:path';
import { bindMount, mountAt, unmount } from './mounts.ts';
import { pathWithinBase, subPathTarget } from './podDirs.ts';

/** open(2) flags missing from node's fs.constants on Linux (x86_64 and arm64 values). */
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
/** upstream prepareSubpathTarget: 0750 directories, 0640 placeholder files. */
const SUBPATH_DIR_MODE = 0o750;
const SUBPATH_FILE_MODE = 0o640;

/**
 * A subPath that could not be prepared. The message is upstream's, which tells the user which
 * mount failed but not why (the reason could reveal the node's file system); `detail` says why.
 */
export class SubPathError extends Error {
  override readonly name = 'SubPathError';
  constructor(message: string, readonly detail: string) {
    super(message);
  }
}

/** upstream makeMounts' checks on the subPath text itself; undefined when it is acceptable. */
export function subPathTextError(subPath: string): string | undefined {
  if (path.isAbsolute(subPath)) return `error SubPath \`${subPath}\` must not be an absolute path`;
  if (subPath.split('/').includes('..')) return `unable to provision SubPath \`${subPath}\`: must not contain '..'`;
  return undefined;
}

export interface SubPathRequest {
  rootDir: string;
  podUid: string;
  volumeName: string;
  /** The volume's host path (the directory the subPath is relative to). */
  volumePath: string;
  subPath: string;
  containerName: string;
  /** Index of the volumeMount in the container: one bind target per mount. */
  mountIndex: number;
}

/** upstream doSafeMakeDir: mkdir the missing components of subPath under the real volume path. */
export function safeMakeDir(volumePath: string, subPath: string, mode: number): void {
  const base = realpathSync(volumePath);
  let current = base;
  for (const part of subPath.split('/').filter((p) => p !== '' && p !== '.')) {
    const next = path.join(current, part);
    let st;
    try {
      st = lstatSync(next);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink()) {
      // An existing symlink is followed only while its target stays inside the volume.
      const real = realpathSync(next);
      if (!pathWithinBase(real, base)) throw new Error(`path ${real} is outside of allowed base ${base}`);
      current = real;
      continue;
    }
    if (!st) {
      mkdirSync(next, { mode });
      // mkdir(2) never follows a symlink at the last component; check what was made, then set the mode the umask trimmed.
      if (!lstatSync(next).isDirectory()) throw new Error(`cannot create directory ${next}: not a directory`);
      chmodSync(next, mode);
    } else if (!st.isDirectory()) {
      throw new Error(`mkdir ${next}: not a directory`);
    }
    current = next;
  }
}

function sameFile(a: { dev: number; ino: number }, b: { dev: number; ino: number }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Prepares the bind mount for one subPath and returns the host path to give the container. */
export async function prepareSubPath(req: SubPathRequest): Promise<string> {
  const hostPath = path.join(req.volumePath, req.subPath);
  let exists = true;
  try {
    statSync(hostPath);
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      safeMakeDir(req.volumePath, req.subPath, statSync(req.volumePath).mode & 0o7777);
    } catch (err) {
      throw new SubPathError(`failed to create subPath directory for volumeMount "${req.volumeName}" of container "${req.containerName}"`, (err as Error).message);
    }
  }
  const failed = (detail: string) => new SubPathError(`failed to prepare subPath for volumeMount "${req.volumeName}" of container "${req.containerName}"`, detail);

  let base: string;
  let real: string;
  try {
    base = realpathSync(req.volumePath);
    real = realpathSync(hostPath);
  } catch (err) {
    throw failed(`error resolving symlinks in "${hostPath}": ${(err as Error).message}`);
  }
  if (!pathWithinBase(real, base)) throw failed(`subpath "${real}" not within volume path "${base}"`);

  let fd: number;
  try {
    fd = openSync(real, O_PATH | constants.O_NOFOLLOW | O_CLOEXEC);
  } catch (err) {
    throw failed(`cannot open ${real}: ${(err as Error).message}`);
  }
  try {
    const opened = fstatSync(fd);
    if (opened.isSymbolicLink()) throw failed(`${real} became a symlink`);
    const openedPath = readlinkSync(`/proc/self/fd/${fd}`);
    if (!pathWithinBase(openedPath, base)) throw failed(`path ${openedPath} is outside of allowed base ${base}`);

    const target = subPathTarget(req.rootDir, req.podUid, req.volumeName, req.containerName, req.mountIndex);
    // Already bound to the same file: nothing to do (a container restart); bound elsewhere: redo it.
    if (mountAt(target)) {
      if (sameFile(statSync(target), opened)) return target;
      await unmount(target);
    }
    mkdirSync(path.dirname(target), { recursive: true, mode: SUBPATH_DIR_MODE });
    if (opened.isDirectory()) mkdirSync(target, { recursive: true, mode: SUBPATH_DIR_MODE });
    else writeFileSync(target, '', { mode: SUBPATH_FILE_MODE }); // a file is a mount point for any non-directory
    try {
      await bindMount(`/proc/${process.pid}/fd/${fd}`, target);
    } catch (err) {
      throw failed((err as Error).message);
    }
    return target;
  } finally {
    closeSync(fd);
  }
}
