// One containerd per node: writing its files, starting it inside the node's namespace, stopping it
// by PID, and clearing its containers through `ctr` when no kubelet is there to do it over CRI.
//
//   prepareContainerd(paths, { sandboxImage, registry })   config.toml, certs.d mirrors, directories
//   startContainerd(ns, paths)     → pid, once `ctr version` answers on its socket (idempotent)
//   stopContainerd(paths)          SIGTERM by PID; running containers survive in their shims
//   removeAllContainers(paths)     kill and delete every task and container, in every ctr namespace
//   cleanContainerdDir(paths)      unmount what is left under the node's dir and delete it
//   tearDownContainerd(paths)      all three, tolerating a containerd that is already gone
//   ctr(paths, args)               the ctr CLI against this node's socket
//
// The config itself is rendered by containerdConfig.ts.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ContainerdPaths, mirrorHostsFiles, renderContainerdConfig } from './containerdConfig.ts';
import { daemonPid, startDaemon, stopDaemon, waitFor } from './processes.ts';
import { run, tryRun } from './run.ts';

export const CONTAINERD_BIN = '/usr/bin/containerd';
export const CTR_BIN = '/usr/bin/ctr';
/** The namespace the CRI plugin keeps Kubernetes' images and containers in. */
export const CRI_NAMESPACE = 'k8s.io';
/** containerd 1.6 starts in ~0.6 s here; a first start creates its databases. */
const START_POLL_ATTEMPTS = 600;

export function ctr(paths: ContainerdPaths, args: string[]): Promise<string> {
  return run(CTR_BIN, ['--address', paths.socket, ...args]);
}

export function prepareContainerd(paths: ContainerdPaths, opts: { sandboxImage: string; registry: string }): void {
  for (const dir of [paths.dir, paths.root, paths.state, paths.optDir, paths.runcRoot, paths.cniConfDir, paths.certsDir]) {
    mkdirSync(dir, { recursive: true });
  }
  writeIfChanged(paths.configFile, renderContainerdConfig(paths, { sandboxImage: opts.sandboxImage }));
  for (const [file, text] of Object.entries(mirrorHostsFiles(opts.registry))) {
    const path = join(paths.certsDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeIfChanged(path, text);
  }
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
}

export function containerdPid(paths: ContainerdPaths): number | undefined {
  return daemonPid(paths.pidFile, paths.configFile);
}

export async function startContainerd(ns: string, paths: ContainerdPaths): Promise<number> {
  const running = containerdPid(paths);
  if (running !== undefined) return running;
  const pid = startDaemon({ ns, cmd: CONTAINERD_BIN, args: ['--config', paths.configFile], logFile: paths.logFile, pidFile: paths.pidFile });
  await waitFor(
    `containerd on ${paths.socket}`,
    async () => {
      if (containerdPid(paths) === undefined) throw new Error(`containerd exited; see ${paths.logFile}`);
      return existsSync(paths.socket) && (await tryRun(CTR_BIN, ['--address', paths.socket, 'version'])).code === 0;
    },
    { attempts: START_POLL_ATTEMPTS },
  );
  return pid;
}

export async function stopContainerd(paths: ContainerdPaths): Promise<void> {
  await stopDaemon(paths.pidFile, paths.configFile);
}

/**
 * What `lab down` does when the kubelet is gone: every task killed and deleted (its shim then
 * exits and unmounts the rootfs), every container deleted. CRI sandboxes are containers too; the
 * network namespaces CRI made for them (/var/run/netns/cni-*) and their cached CNI results are
 * removed with them, since without CRI's RemovePodSandbox nothing else would.
 */
export async function removeAllContainers(paths: ContainerdPaths): Promise<void> {
  const namespaces = (await ctr(paths, ['namespaces', 'list', '-q'])).split('\n').filter(Boolean);
  for (const ns of namespaces) {
    const n = ['--namespace', ns];
    const tasks = (await ctr(paths, [...n, 'tasks', 'list', '-q'])).split('\n').filter(Boolean);
    // Every task at once: each step is a ctr process, slow on a busy machine one after another.
    await Promise.all(tasks.map((task) => tryRun(CTR_BIN, ['--address', paths.socket, ...n, 'tasks', 'kill', '--all', '--signal', 'SIGKILL', task])));
    await Promise.all(
      tasks.map((task) =>
        waitFor(`task ${task} to stop`, async () => {
          const res = await tryRun(CTR_BIN, ['--address', paths.socket, ...n, 'tasks', 'delete', task]);
          return res.code === 0 || /not found/.test(res.stderr);
        }),
      ),
    );
    const containers = (await ctr(paths, [...n, 'containers', 'list', '-q'])).split('\n').filter(Boolean);
    await Promise.all(
      containers.map(async (id) => {
        const netns = await podNetnsOf(paths, ns, id);
        await tryRun(CTR_BIN, ['--address', paths.socket, ...n, 'containers', 'delete', id]);
        if (netns) await tryRun('ip', ['netns', 'del', basename(netns)]);
        removeCniResults(id);
      }),
    );
  }
}

/** The CRI-made network namespace a sandbox container joins, from its OCI spec. */
async function podNetnsOf(paths: ContainerdPaths, ns: string, id: string): Promise<string | undefined> {
  const res = await tryRun(CTR_BIN, ['--address', paths.socket, '--namespace', ns, 'containers', 'info', id]);
  if (res.code !== 0) return undefined;
  const info = JSON.parse(res.stdout) as { Spec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
  const path = info.Spec?.linux?.namespaces?.find((x) => x.type === 'network')?.path;
  return path && CRI_NETNS_PATH.test(path) ? path : undefined;
}

/** CRI names pod network namespaces cni-<uuid> under /var/run/netns (shared by every containerd). */
const CRI_NETNS_PATH = /^(\/var)?\/run\/netns\/cni-[0-9a-f-]+$/;
/** libcni caches each ADD result as <network>-<containerID>-<ifname>. */
const CNI_RESULTS_DIR = '/var/lib/cni/results';

function removeCniResults(containerId: string): void {
  if (!existsSync(CNI_RESULTS_DIR)) return;
  for (const f of readdirSync(CNI_RESULTS_DIR)) {
    if (f.includes(`-${containerId}-`)) rmSync(join(CNI_RESULTS_DIR, f), { force: true });
  }
}

/** Mount points at or below dir, deepest first (from /proc/self/mountinfo; octal escapes decoded). */
export function mountsUnder(dir: string): string[] {
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

/** Deletes a stopped node's containerd directory; never recurses into a mounted filesystem. */
export async function cleanContainerdDir(paths: ContainerdPaths): Promise<void> {
  for (const point of mountsUnder(paths.dir)) await run('umount', ['--lazy', point]);
  // Asynchronous: the unpacked images take a while to delete, and the other nodes' go meanwhile.
  await rm(paths.dir, { recursive: true, force: true });
}

/** `lab down` for one node's runtime when no kubelet is left: containers, containerd, files. */
export async function tearDownContainerd(paths: ContainerdPaths): Promise<void> {
  if (containerdPid(paths) !== undefined) {
    await removeAllContainers(paths);
    await stopContainerd(paths);
  }
  await cleanContainerdDir(paths);
}
