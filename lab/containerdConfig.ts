// One containerd per node, side by side on one machine: the pure part. Renders the node's
// config.toml and the registry mirror files (certs.d/<host>/hosts.toml), and names every path.
//
//   containerdPaths(nodeDir)               where a node's containerd keeps everything
//   renderContainerdConfig(paths, opts)    config.toml (version 2, containerd 1.6)
//   renderHostsToml(registry)              certs.d/<host>/hosts.toml sending pulls to the lab registry
//   mirrorHostsFiles(registry)             { 'docker.io/hosts.toml': …, '<registry>/hosts.toml': … }
//
// Every instance needs its own root, state, sockets and runc root; everything else the CRI plugin
// shares by default (/run/containerd/runc) would mix the nodes' containers.

import { join } from 'node:path';

/** Debian's containernetworking-plugins. */
export const CNI_BIN_DIR = '/usr/lib/cni';

/** Snapshotters that cannot work here (no btrfs/zfs, no devmapper pool, no aufs); overlayfs does. */
export const DISABLED_SNAPSHOTTERS = ['btrfs', 'zfs', 'devmapper', 'aufs'].map((s) => `io.containerd.snapshotter.v1.${s}`);

export interface ContainerdPaths {
  dir: string;
  configFile: string;
  root: string;
  state: string;
  /** The CRI endpoint the kubelet dials (unix socket, < 108 bytes). */
  socket: string;
  ttrpcSocket: string;
  optDir: string;
  /** runc's state for this node's containers (CRI runtime option Root). */
  runcRoot: string;
  cniConfDir: string;
  /** registry config_path: one folder per registry host with a hosts.toml. */
  certsDir: string;
  logFile: string;
  pidFile: string;
}

export function containerdPaths(nodeDir: string): ContainerdPaths {
  const dir = join(nodeDir, 'containerd');
  return {
    dir,
    configFile: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket: join(dir, 'containerd.sock'),
    ttrpcSocket: join(dir, 'containerd.sock.ttrpc'),
    optDir: join(dir, 'opt'),
    runcRoot: join(dir, 'runc'),
    cniConfDir: join(nodeDir, 'cni', 'net.d'),
    certsDir: join(dir, 'certs.d'),
    logFile: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
  };
}

export interface ContainerdConfigOptions {
  /** A pause image imported into this containerd (there is no public registry to pull one from). */
  sandboxImage: string;
  cniBinDir?: string;
}

const q = (s: string) => JSON.stringify(s); // TOML basic strings escape like JSON strings

export function renderContainerdConfig(paths: ContainerdPaths, opts: ContainerdConfigOptions): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `# containerd for one lab node (config version 2, containerd 1.6).
version = 2
root = ${q(paths.root)}
state = ${q(paths.state)}
disabled_plugins = [${DISABLED_SNAPSHOTTERS.map(q).join(', ')}]

[grpc]
  address = ${q(paths.socket)}

[ttrpc]
  address = ${q(paths.ttrpcSocket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(paths.optDir)}

[${cri}]
  sandbox_image = ${q(opts.sandboxImage)}
  # exec/attach/port-forward streams: the kubelet proxies them, so loopback and any free port.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  # Without CAP_SYS_RESOURCE runc cannot lower oom_score_adj ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  Root = ${q(paths.runcRoot)}

[${cri}.cni]
  bin_dir = ${q(opts.cniBinDir ?? CNI_BIN_DIR)}
  conf_dir = ${q(paths.cniConfDir)}
  max_conf_num = 1

[${cri}.registry]
  config_path = ${q(paths.certsDir)}
`;
}

/** `registry` is host:port of a plain-HTTP registry. */
export function renderHostsToml(registry: string): string {
  const url = `http://${registry}`;
  return `server = ${q(url)}

[host.${q(url)}]
  capabilities = ["pull", "resolve"]
`;
}

/**
 * docker.io is mirrored to the lab registry, so `nginx:1.22.1` keeps its usual name; the registry's
 * own name is listed too, because containerd assumes HTTPS for any host but localhost.
 */
export function mirrorHostsFiles(registry: string): Record<string, string> {
  const hosts = renderHostsToml(registry);
  return { 'docker.io/hosts.toml': hosts, [`${registry}/hosts.toml`]: hosts };
}
