// The lab as data: every name, address, path and command line, computed from a few options
// before anything runs. `lab up`, `lab down` and `lab status` all read the same plan, so what one
// starts the others find; tests pass their own prefix, addresses and directories so that their
// lab never meets a user's.
//
//   labPlan(opts)          → LabPlan (pure)
//   labDaemons(plan)       → every long-running process, in start order, with its command line
//   kubeletCommand(plan, node) / proxyCommand / serverCommand / etcdCommand / relayCommand
//
// Which process runs where (the Vagrant lab's layout, with network namespaces for machines):
//
//   root namespace   relay 127.0.0.1:6443 → unix socket        (kubectl's way in; no route to the LAN)
//   master           relay unix socket → 192.168.56.10:6443, k8ts server (+ etcd), registry :5000,
//                    containerd, kubelet (control-plane taint), proxy
//   worker-0/1       containerd, kubelet, proxy

import { join, resolve } from 'node:path';
import { type ContainerdPaths, containerdPaths } from './containerdConfig.ts';
import { type LabNetwork, labNetwork, LAB_LAN_PREFIX, type NodeNetwork } from './netns.ts';
import { type RegistryPaths, registryPaths, REGISTRY_PORT } from './registry.ts';

/** The repository (bin/k8ts.mjs, examples/, node_modules/tsx). */
export const REPO_DIR = resolve(import.meta.dirname, '..');
export const DEFAULT_LAB_DIR = '/var/lib/k8ts-lab';
/** kube-apiserver's default --secure-port. */
export const DEFAULT_API_PORT = 6443;
/** kubectl's port on loopback in the root namespace: the same as the API server's, as with kind. */
export const DEFAULT_RELAY_PORT = 6443;
/** Upstream defaults: the kubelet's server and kube-proxy's health server. */
export const KUBELET_PORT = 10250;
export const PROXY_HEALTHZ_PORT = 10256;
/** etcd's client port (IANA), on the master's loopback: only the API server talks to it. */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
/** kubeadm's taint on control-plane nodes; user pods land on the workers. */
export const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane=:NoSchedule';

export type Storage = 'sqlite' | 'etcd';
export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';

export interface LabComponents {
  /** Build the images and push them to the registry on master (pause is always imported). */
  images: boolean;
  kubelet: boolean;
  proxy: boolean;
  /** Apply examples/ once every node is Ready (needs the kubelets). */
  examples: boolean;
}

export interface LabOptions {
  /** Prefix of every namespace and Node name ('' for the lab). */
  namePrefix?: string;
  /** The LAN's first three octets (192.168.56, the Vagrant private network). */
  lanPrefix?: string;
  /** Second octet of the pod range 10.N.0.0/16 (244: flannel's 10.244.0.0/16). */
  podSecondOctet?: number;
  serviceCIDR?: string;
  /** The cluster DNS Service address handed to pods (kubeadm: the 10th address of the Service range). */
  clusterDNS?: string;
  labDir?: string;
  imageCacheDir?: string;
  /** The API server's port in the master's namespace. */
  apiPort?: number;
  /** kubectl's port on 127.0.0.1 in the root namespace. */
  relayPort?: number;
  storage?: Storage;
  proxyMode?: ProxyMode;
  components?: Partial<LabComponents>;
  examplesDir?: string;
  /** How to run `k8ts` (default: this node binary and bin/k8ts.mjs). */
  k8ts?: string[];
  /** How to run the kubelet (default: `k8ts kubelet`). */
  kubeletEntry?: string[];
}

export interface LabNode extends NodeNetwork {
  master: boolean;
  dir: string;
  containerd: ContainerdPaths;
  kubeletDir: string;
  podLogsDir: string;
  /** host-local IPAM's dataDir: one per node, the directory is shared by default. */
  cniDataDir: string;
  kubeletKubeconfig: string;
  proxyKubeconfig: string;
  /** The kubelet's serving certificate, signed by the cluster CA. */
  kubeletCert: string;
  kubeletKey: string;
}

export interface LabPlan {
  prefix: string;
  net: LabNetwork;
  nodes: LabNode[];
  master: LabNode;
  labDir: string;
  runDir: string;
  logDir: string;
  imageCacheDir?: string;
  /** `k8ts server --data-dir`: SQLite store, pki/, the component kubeconfigs. */
  serverDir: string;
  caCert: string;
  caKey: string;
  adminCert: string;
  adminKey: string;
  /** kubectl's kubeconfig, pointing at the relay. */
  adminKubeconfig: string;
  apiAddress: string;
  apiPort: number;
  apiURL: string;
  relay: { host: string; port: number; socket: string; url: string };
  registry: { paths: RegistryPaths; address: string };
  etcdDir: string;
  podCIDR: string;
  serviceCIDR: string;
  clusterDNS: string;
  /** Root-namespace blackholes: the LAN, the pods, the Services. */
  blackholes: string[];
  /** The kubelets' --cgroup-root, and the tree `lab down` removes. */
  cgroupRoot: string;
  cgroupTree: string;
  storage: Storage;
  proxyMode: ProxyMode;
  components: LabComponents;
  examplesDir: string;
  k8ts: string[];
  kubeletEntry: string[];
}

export function labPlan(opts: LabOptions = {}): LabPlan {
  const prefix = opts.namePrefix ?? '';
  const lanPrefix = opts.lanPrefix ?? LAB_LAN_PREFIX;
  const podOctet = opts.podSecondOctet ?? 244;
  const labDir = opts.labDir ?? DEFAULT_LAB_DIR;
  const runDir = join(labDir, 'run');
  const serverDir = join(labDir, 'master');
  const pki = join(serverDir, 'pki');
  const net = labNetwork({ namePrefix: prefix, lanPrefix, podSecondOctet: podOctet });
  const nodes = net.nodes.map((n, i): LabNode => {
    const dir = join(labDir, 'nodes', n.name);
    return {
      ...n,
      master: i === 0,
      dir,
      containerd: containerdPaths(dir),
      kubeletDir: join(dir, 'kubelet'),
      podLogsDir: join(dir, 'pod-logs'),
      cniDataDir: join(dir, 'cni', 'networks'),
      kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
      proxyKubeconfig: join(dir, 'proxy.kubeconfig'),
      kubeletCert: join(dir, 'kubelet.crt'),
      kubeletKey: join(dir, 'kubelet.key'),
    };
  });
  const master = nodes[0];
  const apiPort = opts.apiPort ?? DEFAULT_API_PORT;
  const relayPort = opts.relayPort ?? DEFAULT_RELAY_PORT;
  const podCIDR = `10.${podOctet}.0.0/16`;
  const serviceCIDR = opts.serviceCIDR ?? '10.96.0.0/12';
  const cgroupName = prefix ? `${prefix.replace(/-+$/, '')}-pods` : '';
  const components: LabComponents = { images: true, kubelet: true, proxy: true, examples: true, ...opts.components };
  if (!components.kubelet) components.examples = false;
  const k8ts = opts.k8ts ?? [process.execPath, join(REPO_DIR, 'bin', 'k8ts.mjs')];
  return {
    prefix,
    net,
    nodes,
    master,
    labDir,
    runDir,
    logDir: join(labDir, 'log'),
    imageCacheDir: opts.imageCacheDir,
    serverDir,
    caCert: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    adminCert: join(pki, 'admin.crt'),
    adminKey: join(pki, 'admin.key'),
    adminKubeconfig: join(labDir, 'admin.kubeconfig'),
    apiAddress: master.address,
    apiPort,
    apiURL: `https://${master.address}:${apiPort}`,
    relay: { host: '127.0.0.1', port: relayPort, socket: join(runDir, 'apiserver.sock'), url: `https://127.0.0.1:${relayPort}` },
    registry: { paths: registryPaths(join(labDir, 'registry')), address: `${master.address}:${REGISTRY_PORT}` },
    etcdDir: join(labDir, 'etcd'),
    podCIDR,
    serviceCIDR,
    clusterDNS: opts.clusterDNS ?? nthAddress(serviceCIDR, 10),
    blackholes: [...new Set([`${lanPrefix}.0/24`, podCIDR, serviceCIDR])],
    // The lab's pods live under /kubepods as on any node; a test lab's under a tree of its own.
    cgroupRoot: cgroupName ? `/${cgroupName}` : '/',
    cgroupTree: cgroupName || 'kubepods',
    storage: opts.storage ?? 'sqlite',
    proxyMode: opts.proxyMode ?? 'iptables',
    components,
    examplesDir: opts.examplesDir ?? join(REPO_DIR, 'examples'),
    k8ts,
    kubeletEntry: opts.kubeletEntry ?? [...k8ts, 'kubelet'],
  };
}

/** The n-th address of an IPv4 range: 10.96.0.0/12, 10 → 10.96.0.10. */
export function nthAddress(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  const value = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export type ComponentName = 'containerd' | 'registry' | 'etcd' | 'control-plane' | 'relay' | 'kubelet' | 'proxy';

/** A process of the lab: where it runs, how it is started, and how its PID is recognised. */
export interface LabDaemon {
  component: ComponentName;
  /** The node it belongs to; 'host' for the root namespace's relay. */
  node: string;
  /** Network namespace; undefined = the root namespace. */
  ns?: string;
  /** cmd + args; empty for processes started by their own module (containerd, registry). */
  command: string[];
  pidFile: string;
  logFile: string;
  /** What the process's command line must contain for the PID to be ours. */
  marker: string;
}

export function serverCommand(plan: LabPlan): string[] {
  return [
    ...plan.k8ts, 'server',
    '--data-dir', plan.serverDir,
    '--bind-address', plan.apiAddress,
    '--secure-port', String(plan.apiPort),
    '--cluster-cidr', plan.podCIDR,
    '--service-cluster-ip-range', plan.serviceCIDR,
    // kubectl reaches the server through the relay on loopback: the certificate names it.
    '--tls-san', plan.relay.host,
    ...(plan.storage === 'etcd' ? ['--storage', 'etcd', '--etcd-servers', `http://127.0.0.1:${ETCD_CLIENT_PORT}`] : []),
  ];
}

/** A single-member etcd on the master's loopback (Debian's etcd-server 3.4). */
export function etcdCommand(plan: LabPlan): string[] {
  const client = `http://127.0.0.1:${ETCD_CLIENT_PORT}`;
  const peer = `http://127.0.0.1:${ETCD_PEER_PORT}`;
  return [
    '/usr/bin/etcd',
    '--name', plan.master.name,
    '--data-dir', plan.etcdDir,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `${plan.master.name}=${peer}`,
  ];
}

/** The kubelet's command line, in one place: the flags of `k8ts kubelet`. */
export function kubeletCommand(plan: LabPlan, node: LabNode): string[] {
  return [
    ...plan.kubeletEntry,
    '--kubeconfig', node.kubeletKubeconfig,
    '--hostname-override', node.name,
    '--node-ip', node.address,
    '--container-runtime-endpoint', `unix://${node.containerd.socket}`,
    '--root-dir', node.kubeletDir,
    '--pod-logs-dir', node.podLogsDir,
    '--cni-conf-dir', node.containerd.cniConfDir,
    '--cni-data-dir', node.cniDataDir,
    '--cluster-cidr', plan.podCIDR,
    '--cluster-dns', plan.clusterDNS,
    '--cgroup-root', plan.cgroupRoot,
    '--port', String(KUBELET_PORT),
    '--tls-cert-file', node.kubeletCert,
    '--tls-private-key-file', node.kubeletKey,
    '--client-ca-file', plan.caCert,
    // Registers the Node with the control-plane role label and taint.
    ...(node.master ? ['--master'] : []),
  ];
}

export function proxyCommand(plan: LabPlan, node: LabNode): string[] {
  return [
    ...plan.k8ts, 'proxy',
    '--kubeconfig', node.proxyKubeconfig,
    '--hostname-override', node.name,
    '--node-ip', node.address,
    '--proxy-mode', plan.proxyMode,
    '--cluster-cidr', plan.podCIDR,
    '--service-cluster-ip-range', plan.serviceCIDR,
    '--healthz-bind-address', `0.0.0.0:${PROXY_HEALTHZ_PORT}`,
  ];
}

/** lab/relay.ts run by node through tsx's loader (resolved from the repository's node_modules). */
export function relayCommand(listen: string, connect: string): string[] {
  return [process.execPath, '--import', 'tsx', join(REPO_DIR, 'lab', 'relay.ts'), '--listen', listen, '--connect', connect];
}

/** Every long-running process of the lab, in start order (`lab down` stops them in reverse). */
export function labDaemons(plan: LabPlan): LabDaemon[] {
  const run = (name: string) => ({ pidFile: join(plan.runDir, `${name}.pid`), logFile: join(plan.logDir, `${name}.log`) });
  const m = plan.master;
  const daemons: LabDaemon[] = [];
  if (plan.components.images) {
    daemons.push({
      component: 'registry', node: m.name, ns: m.name, command: [],
      pidFile: plan.registry.paths.pidFile, logFile: plan.registry.paths.logFile, marker: plan.registry.paths.configFile,
    });
  }
  for (const n of plan.nodes) {
    daemons.push({ component: 'containerd', node: n.name, ns: n.name, command: [], pidFile: n.containerd.pidFile, logFile: n.containerd.logFile, marker: n.containerd.configFile });
  }
  if (plan.storage === 'etcd') daemons.push({ component: 'etcd', node: m.name, ns: m.name, command: etcdCommand(plan), ...run('etcd'), marker: plan.etcdDir });
  daemons.push({ component: 'control-plane', node: m.name, ns: m.name, command: serverCommand(plan), ...run('control-plane'), marker: plan.serverDir });
  daemons.push({
    component: 'relay', node: m.name, ns: m.name,
    command: relayCommand(`unix:${plan.relay.socket}`, `tcp:${plan.apiAddress}:${plan.apiPort}`),
    ...run('relay-master'), marker: plan.relay.socket,
  });
  daemons.push({
    component: 'relay', node: 'host', ns: undefined,
    command: relayCommand(`tcp:${plan.relay.host}:${plan.relay.port}`, `unix:${plan.relay.socket}`),
    ...run('relay-host'), marker: plan.relay.socket,
  });
  if (plan.components.kubelet) {
    for (const n of plan.nodes) daemons.push({ component: 'kubelet', node: n.name, ns: n.name, command: kubeletCommand(plan, n), ...run(`kubelet-${n.name}`), marker: n.kubeletDir });
  }
  if (plan.components.proxy) {
    for (const n of plan.nodes) daemons.push({ component: 'proxy', node: n.name, ns: n.name, command: proxyCommand(plan, n), ...run(`proxy-${n.name}`), marker: n.proxyKubeconfig });
  }
  return daemons;
}
