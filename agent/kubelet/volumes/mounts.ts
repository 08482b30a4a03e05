// The node's mount table and the mount(8)/umount(8) calls the volume plugins need (upstream
// k8s.io/mount-utils): tmpfs for memory-backed volumes, bind mounts for subPaths, and the checks
// that keep a recursive delete from ever walking into a mounted filesystem.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { pathWithinBase } from './podDirs.ts';

const run = promisify(execFile);

export interface MountPoint {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** "\040" in /proc/self/mountinfo is a space, "\011" a tab, "\012" a newline, "\134" a backslash. */
function unescapeMountInfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/self/mountinfo text (proc(5)): field 5 is the mount point, after " - " the fs type and source. */
export function parseMountInfo(text: string): MountPoint[] {
  const mounts: MountPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    const fields = left.split(' ');
    const tail = (right ?? '').split(' ');
    if (fields.length < 5) continue;
    mounts.push({ mountPoint: unescapeMountInfo(fields[4]), fsType: tail[0] ?? '', source: unescapeMountInfo(tail[1] ?? '') });
  }
  return mounts;
}

export function listMounts(): MountPoint[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The mount whose mount point is exactly `dir` (the last one when stacked), if any. */
export function mountAt(dir: string): MountPoint | undefined {
  return listMounts().filter((m) => m.mountPoint === dir).at(-1);
}

/** Mount points at or below `dir`, deepest first: the order to unmount them in. */
export function mountsUnder(dir: string): MountPoint[] {
  return listMounts()
    .filter((m) => pathWithinBase(m.mountPoint, dir))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
}

export class MountError extends Error {
  override readonly name = 'MountError';
}

async function mountCommand(args: string[]): Promise<void> {
  try {
    await run('mount', args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    // upstream mount-utils: "mount failed: exit status 32\nMounting command: ...\nOutput: ..."
    throw new MountError(`mount failed: ${(e.stderr ?? e.message).trim()} (mount ${args.join(' ')})`);
  }
}

/** mount -t tmpfs -o <options> tmpfs <dir> (upstream emptyDir setupTmpfs). */
export async function mountTmpfs(dir: string, options: string[]): Promise<void> {
  await mountCommand(['-t', 'tmpfs', ...(options.length ? ['-o', options.join(',')] : []), 'tmpfs', dir]);
}

/**
 * mount --no-canonicalize --bind <source> <target>: the source may be /proc/<pid>/fd/<n>, which
 * must not be resolved to a path again (upstream doBindSubPath does the same).
 */
export async function bindMount(source: string, target: string): Promise<void> {
  await mountCommand(['--no-canonicalize', '--bind', source, target]);
}

export async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new MountError(`unmount failed: ${(e.stderr ?? e.message).trim()} (umount ${dir})`);
  }
}

/** Unmounts everything mounted at or below `dir`, deepest first. */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await unmount(m.mountPoint);
}
