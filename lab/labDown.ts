// `k8ts lab down`: stops everything `lab up` started, by the PIDs it recorded, and removes what
// it made, in the order that lets each step succeed (node-lab.md, "Teardown order"):
//
//   1. node agents      kubelets and proxies (no kubelet left to recreate a pod)
//   2. pods             every container and sandbox through ctr, then containerd, then its files
//   3. control plane    the relays, `k8ts server`, etcd
//   4. registry
//   5. host state       the pods' cgroup tree, mounts under the lab directory, the namespaces,
//                       the blackhole routes, the lab directory (the registry's storage is kept
//                       unless `purge`: pushing the same images again is then instant)
//
// Leftovers of an interrupted run are fine: an absent process, namespace or route is skipped.

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupDirs, removeCgroupTree } from './cgroups.ts';
import { containerdPid, mountsUnder, startContainerd, tearDownContainerd } from './containerd.ts';
import { type LabDaemon, labDaemons, type LabOptions, type LabPlan, labPlan } from './labPlan.ts';
import { namespaceExists, removeBlackholeRoutes, tearDownNetwork } from './netns.ts';
import { stopDaemon } from './processes.ts';
import { stopRegistry } from './registry.ts';
import { type LabLogger, run, silentLogger, timed } from './run.ts';

export interface LabDownOptions extends LabOptions {
  log?: LabLogger;
  /** Also delete the registry's storage. */
  purge?: boolean;
}

/** Every daemon the lab may have started, whatever the options of the `up` that started it. */
export function everyDaemon(plan: LabPlan): LabDaemon[] {
  return labDaemons({ ...plan, storage: 'etcd', components: { images: true, kubelet: true, proxy: true, examples: true } });
}

export async function labDown(opts: LabDownOptions = {}): Promise<void> {
  const plan = labPlan(opts);
  const log = opts.log ?? silentLogger;
  const daemons = everyDaemon(plan);
  const stop = async (component: LabDaemon['component']) => {
    for (const d of daemons.filter((x) => x.component === component)) await stopDaemon(d.pidFile, d.marker);
  };

  await timed(log, 'kubelets and proxies', async () => {
    await stop('kubelet');
    await stop('proxy');
  });
  // The nodes side by side, as separate machines would.
  await Promise.all(
    plan.nodes.map((node) =>
      timed(log, `pods and containerd on ${node.name}`, async () => {
        // A containerd killed with the lab still has containers in its database: started again,
        // it is the only way to stop their shims and delete them cleanly.
        if (containerdPid(node.containerd) === undefined && existsSync(node.containerd.configFile) && namespaceExists(node.name)) {
          await startContainerd(node.name, node.containerd);
        }
        await tearDownContainerd(node.containerd);
      }),
    ),
  );
  await timed(log, 'relays, control plane, etcd', async () => {
    await stop('relay');
    await stop('control-plane');
    await stop('etcd');
  });
  await timed(log, 'registry', () => stopRegistry(plan.registry.paths));
  await timed(log, 'cgroups, mounts, namespaces, routes, files', async () => {
    removeCgroupTree(plan.cgroupTree);
    for (const point of mountsUnder(plan.labDir)) await run('umount', ['--lazy', point]);
    await tearDownNetwork(plan.net);
    await removeBlackholeRoutes(plan.blackholes);
    removeLabFiles(plan, opts.purge ?? false);
  });
  log('lab down: nothing of the lab is running');
}

function removeLabFiles(plan: LabPlan, purge: boolean): void {
  if (!existsSync(plan.labDir)) return;
  if (purge) {
    rmSync(plan.labDir, { recursive: true, force: true });
    return;
  }
  const keep = plan.registry.paths.dir;
  for (const entry of readdirSync(plan.labDir)) {
    const path = join(plan.labDir, entry);
    if (path !== keep) rmSync(path, { recursive: true, force: true });
  }
}

/** What `lab down` should have left: used by tests and by `lab status` after a down. */
export async function leftovers(plan: LabPlan): Promise<string[]> {
  const found: string[] = [];
  for (const ns of [plan.net.lanNamespace, ...plan.nodes.map((n) => n.name)]) if (namespaceExists(ns)) found.push(`namespace ${ns}`);
  for (const cidr of plan.blackholes) {
    if ((await run('ip', ['route', 'show', 'type', 'blackhole', cidr])).trim()) found.push(`route blackhole ${cidr}`);
  }
  for (const dir of cgroupDirs(plan.cgroupTree)) found.push(`cgroup ${dir}`);
  for (const point of mountsUnder(plan.labDir)) found.push(`mount ${point}`);
  for (const pid of processesMentioning(plan.labDir)) found.push(`process ${pid}`);
  return found;
}

/** PIDs whose command line names a path under dir (daemons, containerd shims), other than this one. */
export function processesMentioning(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((arg) => arg === dir || arg.startsWith(`${dir}/`) || arg.includes(`=${dir}/`) || arg.includes(`:${dir}/`))) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
