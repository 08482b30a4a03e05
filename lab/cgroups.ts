// Cgroup trees the lab's containers leave behind (cgroup v1 here: one hierarchy per controller).
// runc removes a container's own cgroup when it is deleted, but not the parents it created
// (e.g. /sys/fs/cgroup/<controller>/kubepods): `lab down` removes those, deepest first.
//
//   cgroupDirs(name)      every /sys/fs/cgroup/<hierarchy>/<name> that exists
//   removeCgroupTree(name)  rmdir of those trees, children first (rmdir is how cgroups are deleted)

import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

export function cgroupDirs(name: string): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  return readdirSync(CGROUP_ROOT)
    .map((h) => join(CGROUP_ROOT, h, name))
    .filter((d) => existsSync(d) && statSync(d).isDirectory());
}

function rmdirTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) rmdirTree(join(dir, entry.name));
  }
  // Fails with EBUSY while a process is still in the cgroup: that is a leak worth reporting.
  rmdirSync(dir);
}

export function removeCgroupTree(name: string): void {
  for (const dir of cgroupDirs(name)) rmdirTree(dir);
}
