// The lab's machinery for real (root): two node namespaces on a LAN of their own, containerd and
// the registry in the first, the pause and busybox images built, imported and pushed, containers
// run through ctr; then everything torn down and checked gone. Names and addresses are this
// test's own (prefix k8tslab-, 192.168.157.0/24, pods 10.157.0.0/16), so a running lab is untouched.

import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupDirs, removeCgroupTree } from './cgroups.ts';
import { containerdPid, CRI_NAMESPACE, ctr, mountsUnder, prepareContainerd, removeAllContainers, startContainerd, tearDownContainerd } from './containerd.ts';
import { containerdPaths } from './containerdConfig.ts';
import { BUSYBOX_IMAGE, NGINX_IMAGE, PAUSE_IMAGE } from './images/catalog.ts';
import { type BuiltImage, ensureImage, importImage, pushImage } from './images/imageCache.ts';
import {
  addBlackholeRoutes,
  blackholeRouteExists,
  deleteNamespace,
  execIn,
  labNetwork,
  listNamespaces,
  removeBlackholeRoutes,
  setUpNetwork,
  tearDownNetwork,
} from './netns.ts';
import { processAlive, waitFor } from './processes.ts';
import { httpGetIn, registryPaths, registryPid, startRegistry, stopRegistry } from './registry.ts';
import { ensurePackages } from './run.ts';

const PREFIX = 'k8tslab-';
const DIR = '/tmp/k8tslab-test';
const CGROUP_PARENT = 'k8tslab';
const net = labNetwork({ namePrefix: PREFIX, nodeNames: ['n0', 'n1'], lanPrefix: '192.168.157', podSecondOctet: 157 });
const BLACKHOLES = ['192.168.157.0/24', '10.157.0.0/16'];
const [n0, n1] = net.nodes;
const REGISTRY = `${n0.address}:5000`;
const containerd = containerdPaths(join(DIR, 'n0'));
const registry = registryPaths(join(DIR, 'registry'));

const isRoot = process.getuid?.() === 0;
const log = (line: string) => console.log(`[lab test] ${line}`);

async function tearDown(): Promise<void> {
  await tearDownContainerd(containerd);
  await stopRegistry(registry);
  removeCgroupTree(CGROUP_PARENT);
  await tearDownNetwork(net);
  await removeBlackholeRoutes(BLACKHOLES);
  if (mountsUnder(DIR).length > 0) throw new Error(`mounts left under ${DIR}: ${mountsUnder(DIR).join(', ')}`);
  rmSync(DIR, { recursive: true, force: true });
}

/** `ctr run` in the node's containerd; --runc-root and --cgroup keep it off the shared defaults. */
function ctrRunArgs(id: string, image: string, extra: string[] = []): string[] {
  return ['--namespace', CRI_NAMESPACE, 'run', '--runc-root', containerd.runcRoot, '--cgroup', `/${CGROUP_PARENT}/${id}`, ...extra, image, id];
}

describe.skipIf(!isRoot)('the lab machinery on this machine', () => {
  let pauseImage: BuiltImage;
  let pids: number[] = [];

  beforeAll(async () => {
    await ensurePackages(
      {
        containerd: '/usr/bin/containerd',
        runc: '/usr/sbin/runc',
        'docker-registry': '/usr/bin/docker-registry',
        skopeo: '/usr/bin/skopeo',
        mmdebstrap: '/usr/bin/mmdebstrap',
        gcc: '/usr/bin/gcc',
      },
      log,
    );
    await tearDown(); // leftovers of an interrupted run
    await addBlackholeRoutes(BLACKHOLES);
    await setUpNetwork(net);
    await setUpNetwork(net); // idempotent
    mkdirSync(DIR, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    if (!isRoot) return;
    await tearDown();
    // Nothing of ours is left: namespaces, processes, routes, mounts, cgroups, files.
    expect(listNamespaces(PREFIX)).toEqual([]);
    for (const pid of pids) expect(processAlive(pid)).toBe(false);
    for (const cidr of BLACKHOLES) expect(await blackholeRouteExists(cidr)).toBe(false);
    expect(mountsUnder(DIR)).toEqual([]);
    expect(cgroupDirs(CGROUP_PARENT)).toEqual([]);
    expect(existsSync(DIR)).toBe(false);
  }, 120_000);

  it('builds nodes that reach each other on their LAN, with host-gw routes to the other podCIDRs', async () => {
    expect(await execIn(n0.name, 'ip', ['-4', '-o', 'addr', 'show', 'eth0'])).toContain(`${n0.address}/24`);
    // Nothing listens yet: a refused connection is n0's kernel answering, so the LAN carried it.
    expect(await httpGetIn(n1.name, `http://${n0.address}:5001/`)).toMatchObject({ ok: false, body: 'ECONNREFUSED' });
    expect(await execIn(n0.name, 'ip', ['route', 'show', n1.podCIDR])).toContain(`via ${n1.address} dev eth0`);
    expect((await execIn(n1.name, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).trim()).toBe('1');
    expect((await execIn(n1.name, 'sysctl', ['-n', 'net.bridge.bridge-nf-call-iptables'])).trim()).toBe('1');
    expect(await blackholeRouteExists('10.157.0.0/16')).toBe(true);
  });

  it('rebuilds a node whose namespace went missing, leaving the others as they are', async () => {
    await deleteNamespace(n1.name);
    expect(listNamespaces(PREFIX).sort()).toEqual([net.lanNamespace, n0.name].sort());
    await setUpNetwork(net);
    expect(await execIn(n1.name, 'ip', ['route', 'show', n0.podCIDR])).toContain(`via ${n0.address} dev eth0`);
    expect(await httpGetIn(n1.name, `http://${n0.address}:5001/`)).toMatchObject({ ok: false, body: 'ECONNREFUSED' });
  });

  it('starts the registry and containerd inside the node, and imports the pause image', async () => {
    pids.push(await startRegistry(n0.name, registry, REGISTRY));
    pauseImage = await ensureImage(PAUSE_IMAGE, { log });
    prepareContainerd(containerd, { sandboxImage: PAUSE_IMAGE.refs[0], registry: REGISTRY });
    const pid = await startContainerd(n0.name, containerd);
    pids.push(pid);
    expect(await startContainerd(n0.name, containerd)).toBe(pid); // already running: same process
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(containerd.configFile);
    // The registry is reachable on the node's address from the other node, not only locally.
    expect((await httpGetIn(n1.name, `http://${REGISTRY}/v2/`)).status).toBe(200);

    await importImage(pauseImage, containerd, { log });
    expect(await ctr(containerd, ['--namespace', CRI_NAMESPACE, 'images', 'list', '-q'])).toContain(PAUSE_IMAGE.refs[0]);
  }, 120_000);

  it('pulls busybox by its docker.io name through the registry mirror and runs it', async () => {
    const busybox = await ensureImage(BUSYBOX_IMAGE, { log });
    await pushImage(busybox, { ns: n0.name, registry: REGISTRY, log });
    // ctr pulls client-side, so it runs in the node; --hosts-dir reads the same certs.d as CRI.
    await execIn(n0.name, 'ctr', ['--address', containerd.socket, '--namespace', CRI_NAMESPACE, 'images', 'pull', '--hosts-dir', containerd.certsDir, 'docker.io/library/busybox:latest']);
    const out = await ctr(containerd, [...ctrRunArgs('k8tslab-hello', 'docker.io/library/busybox:latest', ['--rm']), 'sh', '-c', 'echo hello from $(hostname) && ls /bin/sh']);
    expect(out).toContain('hello from');
    expect(out).toContain('/bin/sh');
  }, 120_000);

  it('clears running containers when no kubelet is there to do it', async () => {
    await ctr(containerd, [...ctrRunArgs('k8tslab-pause', PAUSE_IMAGE.refs[0], ['--detach'])]);
    expect(await ctr(containerd, ['--namespace', CRI_NAMESPACE, 'tasks', 'list'])).toContain('RUNNING');
    await removeAllContainers(containerd);
    expect((await ctr(containerd, ['--namespace', CRI_NAMESPACE, 'containers', 'list', '-q'])).trim()).toBe('');
    expect(containerdPid(containerd)).toBeDefined();
  }, 60_000);

  // mmdebstrap takes ~35 s for nginx the first time on an idle machine (minutes on a busy one);
  // the cache makes later runs instant.
  it('builds nginx:1.22.1 from Debian, and it serves its page and logs to stdout', async () => {
    const nginx = await ensureImage(NGINX_IMAGE, { log });
    await pushImage(nginx, { ns: n0.name, registry: REGISTRY, log });
    await execIn(n0.name, 'ctr', ['--address', containerd.socket, '--namespace', CRI_NAMESPACE, 'images', 'pull', '--hosts-dir', containerd.certsDir, 'docker.io/library/nginx:1.22.1']);
    // Host network: the container shares n0's namespace, so the probe from n0 reaches it on loopback.
    const logFile = join(DIR, 'nginx.log');
    await ctr(containerd, ctrRunArgs('k8tslab-nginx', 'docker.io/library/nginx:1.22.1', ['--detach', '--net-host', '--log-uri', `file://${logFile}`]));
    const page = await waitFor('nginx to answer', async () => {
      const res = await httpGetIn(n0.name, 'http://127.0.0.1:80/');
      return res.ok ? res : undefined;
    });
    expect(page.body).toContain('Welcome to nginx');
    const config = JSON.parse(await ctr(containerd, ['--namespace', CRI_NAMESPACE, 'containers', 'info', 'k8tslab-nginx'])) as { Spec: { process: { args: string[] } } };
    expect(config.Spec.process.args).toEqual(['nginx', '-g', 'daemon off;']);
    // The access log is a link to /dev/stdout: the request shows up in the container's output.
    await waitFor('the access log line', () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"GET / HTTP/1.1" 200'));
  }, 600_000);
});
