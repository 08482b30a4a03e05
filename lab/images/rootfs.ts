// Root filesystems from what Debian ships, with no image registry in reach:
//
//   pauseLayer(workDir)                 the static pause binary compiled from pause.c
//   busyboxLayer(workDir)               busybox-static's binary and one symlink per applet
//   debianRootfsTar(workDir, packages, hooks)   a minbase Debian with packages, via mmdebstrap
//
// The first two return tar entries (a few MB, written by tarArchive.ts); the last returns the path
// of the tar mmdebstrap wrote (hundreds of MB, gzipped as a stream by ociLayout.ts).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../run.ts';
import type { TarEntry } from './tarArchive.ts';

export const IMAGES_SOURCE_DIR = fileURLToPath(new URL('.', import.meta.url));
export const PAUSE_SOURCE = join(IMAGES_SOURCE_DIR, 'pause.c');

/** mmdebstrap takes a deb822 sources file as its mirror argument; Debian 12 has no sources.list. */
const DEBIAN_SOURCES = '/etc/apt/sources.list.d/debian.sources';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_SUITE = 'bookworm';

/** Documentation and translations are dead weight in an image (the official images drop them too). */
const DPKG_EXCLUDES = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/lintian/*'];

const ETC_PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const ETC_GROUP = 'root:x:0:\nnogroup:x:65534:\n';

export async function pauseLayer(workDir: string): Promise<TarEntry[]> {
  const out = join(workDir, 'pause');
  await run('gcc', ['-Os', '-static', '-s', '-o', out, PAUSE_SOURCE]);
  return [{ type: 'file', path: 'pause', data: readFileSync(out), mode: 0o755 }];
}

/**
 * The busybox image: Debian's statically linked busybox and its applet links, the way the official
 * image lays them out (/bin/busybox, /bin/sh → busybox, …). mmdebstrap would add a whole Debian.
 */
export async function busyboxLayer(workDir: string): Promise<TarEntry[]> {
  await downloadDeb(workDir, 'busybox-static');
  const deb = readdirSync(workDir).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download busybox-static left no .deb');
  const extracted = join(workDir, 'extracted');
  await run('dpkg-deb', ['-x', join(workDir, deb), extracted]);
  const binary = join(extracted, 'bin', 'busybox');
  const applets = (await run(binary, ['--list-full']))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'bin/busybox');
  return busyboxEntries(readFileSync(binary), applets);
}

/** Pure: the busybox layer from the binary and `busybox --list-full` (paths like usr/bin/wget). */
export function busyboxEntries(binary: Buffer, applets: string[]): TarEntry[] {
  const dirs = new Set(['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var', 'var/log', 'home', 'dev', 'proc', 'sys']);
  for (const a of applets) {
    const parts = a.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const special: Record<string, number> = { tmp: 0o1777, root: 0o700 };
  return [
    ...[...dirs].sort().map((d): TarEntry => ({ type: 'dir', path: d, mode: special[d] ?? 0o755 })),
    { type: 'file', path: 'bin/busybox', data: binary, mode: 0o755 },
    ...[...new Set(applets)].sort().map((a): TarEntry => ({ type: 'symlink', path: a, target: '/bin/busybox' })),
    { type: 'file', path: 'etc/passwd', data: Buffer.from(ETC_PASSWD) },
    { type: 'file', path: 'etc/group', data: Buffer.from(ETC_GROUP) },
  ];
}

async function downloadDeb(workDir: string, pkg: string): Promise<void> {
  try {
    await run('apt-get', ['download', '-q', pkg], { cwd: workDir });
  } catch {
    await run('apt-get', ['update', '-q'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    await run('apt-get', ['download', '-q', pkg], { cwd: workDir });
  }
}

/**
 * `mmdebstrap --variant=minbase --include=PKGS bookworm rootfs.tar SOURCES`, each hook a shell
 * command run with the root directory as $1 after the packages are installed.
 */
export async function debianRootfsTar(workDir: string, packages: string[], customizeHooks: string[]): Promise<string> {
  const out = join(workDir, 'rootfs.tar');
  const mirror = existsSync(DEBIAN_SOURCES) ? DEBIAN_SOURCES : DEBIAN_MIRROR;
  await run('mmdebstrap', [
    '--quiet',
    '--variant=minbase',
    '--format=tar',
    `--include=${packages.join(',')}`,
    ...DPKG_EXCLUDES.map((p) => `--dpkgopt=path-exclude=${p}`),
    ...customizeHooks.map((h) => `--customize-hook=${h}`),
    DEBIAN_SUITE,
    out,
    mirror,
  ]);
  return out;
}
