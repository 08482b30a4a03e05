// hostPath volumes (upstream pkg/volume/hostpath/host_path.go): the node's own path, checked
// against the volume's `type` before any container starts. The check is a pure function of what
// is on disk (hostPathCheck, table-tested); setUpHostPath observes the disk, creates what the
// *OrCreate types ask for, and returns upstream's message when the check fails.
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { constants } from 'node:fs';
import type { HostPathVolumeSource } from 'kubernetes-types/core/v1.js';
import { pathError } from './goErrors.ts';

/** upstream makeDir: os.MkdirAll(path, 0755). */
export const HOST_PATH_DIR_MODE = 0o755;
/** upstream makeFile: os.OpenFile(path, O_CREATE, 0644); missing parent directories are NOT created. */
export const HOST_PATH_FILE_MODE = 0o644;

/** upstream hostutil.FileType: what GetFileType reports. */
export type HostFileType = 'Directory' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

/** What is at the path, following symlinks as upstream's os.Stat does; type undefined for a fifo. */
export type ObservedPath = { exists: false } | { exists: true; type: HostFileType | undefined };

export type HostPathCheck =
  | { ok: true }
  | { ok: false; create: 'directory' | 'file' }
  | { ok: false; error: string };

const EXPECTED: Record<string, { type: HostFileType; description: string; orCreate?: 'directory' | 'file' }> = {
  DirectoryOrCreate: { type: 'Directory', description: 'directory', orCreate: 'directory' },
  Directory: { type: 'Directory', description: 'directory' },
  FileOrCreate: { type: 'File', description: 'file', orCreate: 'file' },
  File: { type: 'File', description: 'file' },
  Socket: { type: 'Socket', description: 'socket file' },
  CharDevice: { type: 'CharDevice', description: 'character device' },
  BlockDevice: { type: 'BlockDevice', description: 'block device' },
};

/** upstream getFileType's message for anything else (a fifo). */
const UNKNOWN_TYPE = 'only recognise file, directory, socket, block device and character device';

export function fileTypeOf(st: Stats): HostFileType | undefined {
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return undefined;
}

/** upstream validation.ValidatePathNoBacksteps. */
export function backstepsError(p: string): string | undefined {
  return p.split('/').includes('..') ? "must not contain '..'" : undefined;
}

/** upstream hostPathMounter.SetUp + checkType, decided from an observation of the path. */
export function hostPathCheck(p: string, type: string, observed: ObservedPath): HostPathCheck {
  const backsteps = backstepsError(p);
  if (backsteps) return { ok: false, error: `invalid HostPath \`${p}\`: ${backsteps}` };
  if (type === '') return { ok: true };
  const expected = EXPECTED[type];
  if (!expected) return { ok: false, error: `${type} is an invalid volume type` };
  if (!observed.exists) {
    if (expected.orCreate) return { ok: false, create: expected.orCreate };
    return { ok: false, error: `hostPath ${p} doesn't exist` };
  }
  if (observed.type === undefined) {
    return { ok: false, error: `hostPath type check failed, ${p} is not a ${expected.description}, unable to determine its type: ${UNKNOWN_TYPE}` };
  }
  if (observed.type !== expected.type) {
    return { ok: false, error: `hostPath type check failed: ${p} is not a ${expected.description}, it's a ${observed.type}` };
  }
  return { ok: true };
}

export function observePath(p: string): ObservedPath {
  try {
    return { exists: true, type: fileTypeOf(statSync(p)) };
  } catch {
    return { exists: false };
  }
}

/** Runs the type check, creating the directory or file for the *OrCreate types; returns an error message or undefined. */
export function setUpHostPath(source: HostPathVolumeSource): string | undefined {
  const p = source.path;
  const check = hostPathCheck(p, source.type ?? '', observePath(p));
  if (check.ok) return undefined;
  if ('error' in check) return check.error;
  try {
    if (check.create === 'directory') {
      mkdirSync(p, { recursive: true, mode: HOST_PATH_DIR_MODE });
    } else {
      // O_CREATE without O_EXCL: a file that appeared meanwhile is fine, as upstream.
      closeSync(openSync(p, constants.O_CREAT | constants.O_RDONLY, HOST_PATH_FILE_MODE));
    }
  } catch (err) {
    return check.create === 'directory' ? pathError('mkdir', p, err) : pathError('open', p, err);
  }
  return undefined;
}
