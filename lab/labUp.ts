// `k8ts lab up`: the three-node cluster on this machine, step by step, each step idempotent so
// that running it twice is harmless and a half-finished run is completed by the next one.
//
//   1. packages           apt-get for the binaries that are missing
//   2. safety             root-namespace blackholes for the LAN, pod and Service ranges
//   3. machines           network namespaces on a LAN of their own (netns.ts)
//   4. images             built from Debian packages, cached (images/), pushed to the registry on master
//   5. runtimes           one containerd per node, the pause image imported
//   6. control plane      (etcd,) `k8ts server` on master; relays so kubectl on 127.0.0.1 reaches it
//   7. node credentials   kubelet and proxy kubeconfigs signed by the cluster CA
//   8. node agents        kubelet and proxy on every node, then every Node Ready
//   9. examples           kubectl apply of examples/ (the user's nginx and mysql manifests)
//
// Every process is started with nsenter into its node's namespace, detached, its PID recorded
// (processes.ts), so it outlives this command and `lab down` stops exactly it.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareContainerd, startContainerd, ctr, CRI_NAMESPACE } from './containerd.ts';
import { LAB_IMAGES, PAUSE_IMAGE } from './images/catalog.ts';
import { type BuiltImage, ensureImage, importImage, pushImage } from './images/imageCache.ts';
import { addBlackholeRoutes, setUpNetwork } from './netns.ts';
import { type LabDaemon, labDaemons, type LabOptions, type LabPlan, labPlan, REPO_DIR, ETCD_CLIENT_PORT } from './labPlan.ts';
import { readCA, writeAdminKubeconfig, writeNodeCredentials } from './labCredentials.ts';
import { apiGet, readyNodes } from './labProbes.ts';
import { formatStatus, labStatus } from './labStatus.ts';
import { daemonPid, startDaemon, waitFor } from './processes.ts';
import { httpGetIn, startRegistry } from './registry.ts';
import { ensurePackages, type LabLogger, run, silentLogger, timed } from './run.ts';

/** Debian package → a binary it installs (run.ts ensurePackages). */
export const LAB_PACKAGES: Record<string, string> = {
  containerd: '/usr/bin/containerd',
  runc: '/usr/sbin/runc',
  'containernetworking-plugins': '/usr/lib/cni/bridge',
  iptables: '/usr/sbin/iptables',
  nftables: '/usr/sbin/nft',
  ipvsadm: '/usr/sbin/ipvsadm',
  conntrack: '/usr/sbin/conntrack',
  'docker-registry': '/usr/bin/docker-registry',
  skopeo: '/usr/bin/skopeo',
  mmdebstrap: '/usr/bin/mmdebstrap',
  gcc: '/usr/bin/gcc',
  // gcc -static links the pause binary against libc.a.
  'libc6-dev': '/usr/include/stdio.h',
};
export const ETCD_PACKAGE = { 'etcd-server': '/usr/bin/etcd' };

/** Polls every half second: a first `k8ts server` start (SQLite, certificates) takes a few seconds. */
const POLL_MS = 500;
const API_READY_ATTEMPTS = 240;
/** A kubelet is Ready once node IPAM gave it a podCIDR and it wrote its CNI config. */
const NODES_READY_ATTEMPTS = 360;
const LOG_TAIL_LINES = 30;

export interface LabUpOptions extends LabOptions {
  log?: LabLogger;
}

export async function labUp(opts: LabUpOptions = {}): Promise<LabPlan> {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root: it creates network namespaces, routes and cgroups');
  const plan = labPlan(opts);
  const log = opts.log ?? silentLogger;
  const daemons = labDaemons(plan);
  const started = process.hrtime.bigint();

  await timed(log, 'packages', () => ensurePackages({ ...LAB_PACKAGES, ...(plan.storage === 'etcd' ? ETCD_PACKAGE : {}) }, log));
  await timed(log, `blackhole routes in the root namespace for ${plan.blackholes.join(', ')}`, () => addBlackholeRoutes(plan.blackholes));
  await timed(log, `namespaces ${plan.nodes.map((n) => `${n.name} (${n.address})`).join(', ')} on ${plan.net.lanNamespace}`, async () => {
    // With kubelets, routes between nodes follow the podCIDRs node IPAM assigns (agent/network).
    await setUpNetwork(plan.net, { podRoutes: !plan.components.kubelet });
  });
  for (const dir of [plan.runDir, plan.logDir, ...plan.nodes.map((n) => n.dir)]) mkdirSync(dir, { recursive: true });

  const images = await timed(log, 'images', () => buildImages(plan, log));
  if (plan.components.images) {
    await timed(log, `registry on ${plan.registry.address}`, async () => {
      await startRegistry(plan.master.name, plan.registry.paths, plan.registry.address);
      for (const image of images) await pushImage(image, { ns: plan.master.name, registry: plan.registry.address, log });
    });
  }
  const pause = images.find((i) => i.recipe === PAUSE_IMAGE)!;
  for (const node of plan.nodes) {
    await timed(log, `containerd on ${node.name}`, async () => {
      prepareContainerd(node.containerd, { sandboxImage: PAUSE_IMAGE.refs[0], registry: plan.registry.address });
      await startContainerd(node.name, node.containerd);
      // CRI never pulls the sandbox image when it is present: the lab imports it.
      const present = await ctr(node.containerd, ['--namespace', CRI_NAMESPACE, 'images', 'list', '-q']);
      if (!present.split('\n').includes(PAUSE_IMAGE.refs[0])) await importImage(pause, node.containerd, { log });
    });
  }

  const daemon = (component: LabDaemon['component'], node?: string) => daemons.filter((d) => d.component === component && (node === undefined || d.node === node));
  if (plan.storage === 'etcd') {
    await timed(log, 'etcd on master', async () => {
      const etcd = ensureDaemon(daemon('etcd')[0]);
      await waitFor('etcd /health', async () => {
        assertAlive(etcd);
        return (await httpGetIn(plan.master.name, `http://127.0.0.1:${ETCD_CLIENT_PORT}/health`)).ok;
      }, { attempts: API_READY_ATTEMPTS, intervalMs: POLL_MS });
    });
  }
  await timed(log, `control plane (k8ts server, ${plan.storage}) on ${plan.apiAddress}:${plan.apiPort}, kubectl via ${plan.relay.url}`, async () => {
    const server = ensureDaemon(daemon('control-plane')[0]);
    const relays = daemon('relay').map(ensureDaemon);
    await waitFor('the API server /readyz through the relay', async () => {
      for (const d of [server, ...relays]) assertAlive(d);
      if (!existsSync(plan.adminKey)) return false;
      return (await apiGet(plan, '/readyz')).ok;
    }, { attempts: API_READY_ATTEMPTS, intervalMs: POLL_MS });
    writeAdminKubeconfig(plan);
  });

  await timed(log, 'node credentials (kubelet system:node:<node>, proxy system:kube-proxy)', async () => {
    const ca = readCA(plan);
    for (const node of plan.nodes) await writeNodeCredentials(plan, node, ca);
  });
  if (plan.components.kubelet) {
    await timed(log, 'kubelets', async () => {
      for (const d of daemon('kubelet')) ensureDaemon(d);
    });
  }
  if (plan.components.proxy) {
    await timed(log, `proxies (${plan.proxyMode})`, async () => {
      for (const d of daemon('proxy')) ensureDaemon(d);
    });
  }
  if (plan.components.kubelet) {
    await timed(log, 'every node Ready', async () => {
      const want = plan.nodes.map((n) => n.name).sort();
      let last = '';
      await waitFor('every node to be Ready', async () => {
        for (const d of daemon('kubelet')) assertAlive(d);
        const ready = await readyNodes(plan);
        const now = `${ready.length}/${want.length} Ready${ready.length ? `: ${ready.join(', ')}` : ''}`;
        if (now !== last) log(`  ${(last = now)}`);
        return want.every((n) => ready.includes(n));
      }, { attempts: NODES_READY_ATTEMPTS, intervalMs: POLL_MS });
    });
  }
  if (plan.components.examples) await timed(log, `examples from ${plan.examplesDir}`, () => deployExamples(plan, log));

  // What runs where, with each process's peak memory so far (the lab's budget on 2 cores).
  log(formatStatus(await labStatus(opts)).trimEnd());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`lab up in ${seconds.toFixed(1)}s; kubectl: export KUBECONFIG=${plan.adminKubeconfig}`);
  return plan;
}

async function buildImages(plan: LabPlan, log: LabLogger): Promise<BuiltImage[]> {
  const recipes = plan.components.images ? LAB_IMAGES : [PAUSE_IMAGE];
  const built: BuiltImage[] = [];
  for (const [i, recipe] of recipes.entries()) {
    log(`  [${i + 1}/${recipes.length}] ${recipe.refs[0]}`);
    built.push(await ensureImage(recipe, { cacheDir: plan.imageCacheDir, log: (line) => log(`    ${line}`) }));
  }
  return built;
}

/** Starts the daemon unless its recorded PID still runs it; returns the daemon for liveness checks. */
export function ensureDaemon(d: LabDaemon): LabDaemon {
  if (daemonPid(d.pidFile, d.marker) !== undefined) return d;
  mkdirSync(join(d.logFile, '..'), { recursive: true });
  mkdirSync(join(d.pidFile, '..'), { recursive: true });
  const [cmd, ...args] = d.command;
  startDaemon({ ns: d.ns, cmd, args, logFile: d.logFile, pidFile: d.pidFile, cwd: REPO_DIR });
  return d;
}

/** Throws with the end of the daemon's log when it is no longer running. */
function assertAlive(d: LabDaemon): void {
  if (daemonPid(d.pidFile, d.marker) !== undefined) return;
  throw new Error(`${d.component} on ${d.node} exited; ${d.logFile}:\n${logTail(d.logFile)}`);
}

export function logTail(file: string, lines = LOG_TAIL_LINES): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * kubectl apply as the user does it: the namespace first (the other manifests live in it), then
 * the folder. The mysql PV is a `local` volume on worker-0, whose path must exist beforehand, as
 * on a real node; the node namespaces share this machine's filesystem.
 */
async function deployExamples(plan: LabPlan, log: LabLogger): Promise<void> {
  const kubectl = (args: string[]) => run('kubectl', ['--kubeconfig', plan.adminKubeconfig, ...args]);
  const files = readdirSync(plan.examplesDir).filter((f) => /\.ya?ml$/.test(f));
  for (const file of files) {
    for (const m of readFileSync(join(plan.examplesDir, file), 'utf8').matchAll(/^\s+local:\s*\n\s+path:\s*(\S+)/gm)) mkdirSync(m[1], { recursive: true });
  }
  const first = files.find((f) => /namespace/.test(f));
  if (first) log(indent(await kubectl(['apply', '-f', join(plan.examplesDir, first)])));
  log(indent(await kubectl(['apply', '-f', plan.examplesDir])));
}

const indent = (text: string) => text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n');
