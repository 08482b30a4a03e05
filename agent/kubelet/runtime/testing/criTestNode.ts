// A one-node containerd for the runtime manager's integration tests: its own network namespace,
// its own containerd (lab/containerd.ts) with a bridge CNI config, and the pause and busybox
// images built on this machine (lab/images) and imported with `ctr images import`.
//
//   const node = await startCriTestNode('krt');   // root only
//   node.cri ... node.execIn(cmd, args) ...
//   await node.stop();                            // pods, containerd, mounts, namespace, cgroups, routes
//
// Names carry the prefix and this process's PID, so parallel test files never meet; leftovers of
// a killed run (same prefix, dead PID) are cleared first.
import { existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../../cri/criClient.ts';
import { removeCgroupTree } from '../../../../lab/cgroups.ts';
import { CRI_NAMESPACE, cleanContainerdDir, ctr, prepareContainerd, startContainerd, stopContainerd, removeAllContainers } from '../../../../lab/containerd.ts';
import { containerdPaths, type ContainerdPaths } from '../../../../lab/containerdConfig.ts';
import { addBlackholeRoutes, blackholeRouteExists, deleteNamespace, execIn, namespaceExists, removeBlackholeRoutes } from '../../../../lab/netns.ts';
import { processAlive, waitFor } from '../../../../lab/processes.ts';
import { ensurePackages, run } from '../../../../lab/run.ts';
import { addLayerFromEntries, finishOciLayout, ociArchive } from '../../../../lab/images/ociLayout.ts';
import { busyboxLayer, pauseLayer } from '../../../../lab/images/rootfs.ts';

/** Where test nodes live; one folder per node. */
const TEST_ROOT = '/var/lib/k8ts-test';
/** The ranges the lab uses; dropped in the root namespace while a test runs (network rule). */
const BLACKHOLE_CIDRS = ['10.244.0.0/16', '10.96.0.0/12', '192.168.56.0/24'];
/** The test node's pod range: inside its own namespace, so it collides with nothing. */
export const TEST_POD_CIDR = '10.244.250.0/24';

export const PAUSE_IMAGE = 'k8ts.local/pause:test';
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:test';

export interface CriTestNode {
  name: string;
  dir: string;
  paths: ContainerdPaths;
  cri: CriClient;
  /** cgroup root for the pods of this node (`--cgroup-root`), unique per test node. */
  cgroupRoot: string;
  /** Runs a command in the node's network namespace. */
  execIn(cmd: string, args: string[]): Promise<string>;
  /** `ctr -n k8s.io images import` of an OCI archive. */
  importImage(archive: Buffer, ref: string): Promise<void>;
  stop(): Promise<void>;
}

const CACHE_DIR = join(TEST_ROOT, 'image-cache');

async function imageArchive(name: string, build: (work: string) => Promise<Buffer>): Promise<Buffer> {
  const cached = join(CACHE_DIR, `${name}.tar`);
  if (existsSync(cached)) return readFileSync(cached);
  const work = join(CACHE_DIR, `${name}-build-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    const tar = await build(work);
    writeFileSync(`${cached}.${process.pid}`, tar);
    await run('mv', [`${cached}.${process.pid}`, cached]);
    return tar;
  } finally {
    await run('rm', ['-rf', work]);
  }
}

/** The pause image from lab/images/pause.c (gcc -Os -static). */
function pauseArchive(): Promise<Buffer> {
  return imageArchive('pause', async (work) => {
    const layout = join(work, 'layout');
    const layer = await addLayerFromEntries(layout, await pauseLayer(work));
    finishOciLayout(layout, { ref: PAUSE_IMAGE, runtime: { Entrypoint: ['/pause'] }, layers: [layer], created: '2000-01-01T00:00:00Z', createdBy: 'k8ts test' });
    return ociArchive(layout);
  });
}

/** busybox from Debian's busybox-static. */
function busyboxArchive(): Promise<Buffer> {
  return imageArchive('busybox', async (work) => {
    const layout = join(work, 'layout');
    const layer = await addLayerFromEntries(layout, await busyboxLayer(work));
    finishOciLayout(layout, {
      ref: BUSYBOX_IMAGE,
      runtime: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      layers: [layer],
      created: '2000-01-01T00:00:00Z',
      createdBy: 'k8ts test',
    });
    return ociArchive(layout);
  });
}

function cniConfig(podCIDR: string, ipamDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'k8ts-test',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: podCIDR }]], dataDir: ipamDir, routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

async function sweepLeftovers(prefix: string): Promise<void> {
  if (!existsSync(TEST_ROOT)) return;
  for (const entry of readdirSync(TEST_ROOT)) {
    const m = new RegExp(`^${prefix}-(\\d+)$`).exec(entry);
    if (!m || processAlive(Number(m[1]))) continue;
    await tearDown(entry, join(TEST_ROOT, entry), containerdPaths(join(TEST_ROOT, entry)));
  }
}

async function tearDown(name: string, dir: string, paths: ContainerdPaths): Promise<void> {
  if (existsSync(paths.socket)) {
    try {
      // Through CRI first: removing a sandbox is what runs CNI DEL and deletes /run/netns/cni-*.
      const cri = new CriClient({ endpoint: paths.socket, requestTimeoutMs: 30_000 });
      try {
        for (const s of await cri.listPodSandbox()) {
          await cri.stopPodSandbox(s.id);
          await cri.removePodSandbox(s.id);
        }
      } finally {
        cri.close();
      }
      await removeAllContainers(paths);
    } catch {
      // containerd not running: nothing to remove through it
    }
  }
  await stopContainerd(paths);
  await cleanContainerdDir(paths);
  await deleteNamespace(name);
  removeCgroupTree(name);
  await run('rm', ['-rf', dir]);
}

export async function startCriTestNode(prefix: string): Promise<CriTestNode> {
  await ensurePackages({
    containerd: '/usr/bin/containerd',
    runc: '/usr/sbin/runc',
    'containernetworking-plugins': '/usr/lib/cni/bridge',
    gcc: '/usr/bin/gcc',
    iproute2: '/usr/sbin/ip',
  });
  await sweepLeftovers(prefix);
  const name = `${prefix}-${process.pid}`;
  const dir = join(TEST_ROOT, name);
  const paths = containerdPaths(dir);

  const addedRoutes: string[] = [];
  for (const cidr of BLACKHOLE_CIDRS) {
    if (!(await blackholeRouteExists(cidr))) {
      await addBlackholeRoutes([cidr]);
      addedRoutes.push(cidr);
    }
  }
  if (!namespaceExists(name)) await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);

  prepareContainerd(paths, { sandboxImage: PAUSE_IMAGE, registry: '127.0.0.1:5000' });
  writeFileSync(join(paths.cniConfDir, '10-k8ts-test.conflist'), cniConfig(TEST_POD_CIDR, join(dir, 'cni-ipam')));
  await startContainerd(name, paths);

  const importImage = async (archive: Buffer, ref: string) => {
    const file = join(dir, `import-${Date.now()}.tar`);
    writeFileSync(file, archive);
    await ctr(paths, ['--namespace', CRI_NAMESPACE, 'images', 'import', file]);
    await run('rm', ['-f', file]);
    await waitFor(`image ${ref}`, async () => (await ctr(paths, ['--namespace', CRI_NAMESPACE, 'images', 'list', '-q'])).split('\n').includes(ref));
  };
  await importImage(await pauseArchive(), PAUSE_IMAGE);
  await importImage(await busyboxArchive(), BUSYBOX_IMAGE);

  const cri = new CriClient({ endpoint: paths.socket });
  return {
    name,
    dir,
    paths,
    cri,
    cgroupRoot: `/${name}`,
    execIn: (cmd, args) => execIn(name, cmd, args),
    importImage,
    async stop() {
      cri.close();
      await tearDown(name, dir, paths);
      if (addedRoutes.length) await removeBlackholeRoutes(addedRoutes);
    },
  };
}
