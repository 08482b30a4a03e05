// containerd on a VM: the lab's renderer (lab/containerdConfig.ts) with the stock paths of a
// machine that runs one containerd (/etc/containerd, /var/lib/containerd, /run/containerd), so
// the lab and the VMs share one config and `ctr`/`crictl` find the socket where they expect it.
// Run by vagrant/provision/common.sh:
//
//   node --import tsx vagrant/provision/containerdConfig.ts [--root-dir DIR] [--registry-mirror HOST:PORT]
//
// --root-dir prefixes every path written (a temporary directory in checks). With a registry mirror
// (an offline lab), docker.io and registry.k8s.io pulls go to that plain-HTTP registry. Prints
// "changed" when a file was written, so the caller restarts containerd only then.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ContainerdPaths, mirrorHostsFiles, renderContainerdConfig, renderHostsToml } from '../../lab/containerdConfig.ts';
import { PAUSE_IMAGE } from '../../lab/images/catalog.ts';

/** A stock containerd's paths (containerd's defaults; Debian's cni plugins and /etc/cni/net.d). */
export function vmContainerdPaths(): ContainerdPaths {
  return {
    dir: '/etc/containerd',
    configFile: '/etc/containerd/config.toml',
    root: '/var/lib/containerd',
    state: '/run/containerd',
    socket: '/run/containerd/containerd.sock',
    ttrpcSocket: '/run/containerd/containerd.sock.ttrpc',
    optDir: '/opt/containerd',
    // containerd's own default for the CRI plugin's namespace.
    runcRoot: '/run/containerd/runc/k8s.io',
    cniConfDir: '/etc/cni/net.d',
    certsDir: '/etc/containerd/certs.d',
    // systemd runs it: logs go to the journal, no pid file.
    logFile: '',
    pidFile: '',
  };
}

/** Every file of the node's containerd configuration, by absolute path. */
export function vmContainerdFiles(registryMirror?: string): Record<string, string> {
  const paths = vmContainerdPaths();
  const files: Record<string, string> = {
    [paths.configFile]: renderContainerdConfig(paths, { sandboxImage: PAUSE_IMAGE.refs[0] }),
  };
  if (registryMirror) {
    const hosts = { ...mirrorHostsFiles(registryMirror), 'registry.k8s.io/hosts.toml': renderHostsToml(registryMirror) };
    for (const [file, text] of Object.entries(hosts)) files[join(paths.certsDir, file)] = text;
  }
  return files;
}

/** Writes the files under rootDir; with no mirror, removes mirror files left from an earlier one. */
export function writeVmContainerdConfig(rootDir: string, registryMirror?: string): boolean {
  let changed = false;
  const files = vmContainerdFiles(registryMirror);
  for (const [path, text] of Object.entries(files)) {
    const target = join(rootDir, path);
    if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    changed = true;
  }
  const certsDir = join(rootDir, vmContainerdPaths().certsDir);
  if (existsSync(certsDir)) {
    for (const host of readdirSync(certsDir)) {
      const hostsFile = join(vmContainerdPaths().certsDir, host, 'hosts.toml');
      if (!(hostsFile in files) && existsSync(join(rootDir, hostsFile))) {
        rmSync(join(certsDir, host), { recursive: true, force: true });
        changed = true;
      }
    }
  }
  return changed;
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: { 'root-dir': { type: 'string', default: '/' }, 'registry-mirror': { type: 'string', default: '' } },
  });
  const changed = writeVmContainerdConfig(values['root-dir']!, values['registry-mirror'] || undefined);
  console.log(changed ? 'changed' : 'unchanged');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) main(process.argv.slice(2));
