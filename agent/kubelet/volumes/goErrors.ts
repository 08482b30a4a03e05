// File-system errors worded as upstream's Go code prints them ("open /x: no such file or
// directory"), so FailedMount messages read like a real kubelet's.

const STRERROR: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'file exists',
  ELOOP: 'too many levels of symbolic links',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** Go's *PathError text: "<op> <path>: <strerror>". */
export function pathError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return `${op} ${path}: ${STRERROR[code] ?? (err as Error).message}`;
}

