// Machines as network namespaces: the lab's LAN and its nodes.
//
// A LAN namespace holds a bridge; each node namespace has an `eth0` whose veth peer is a port of
// that bridge, an address on the LAN, loopback up, forwarding and bridge-netfilter on, and one
// route per other node's podCIDR via that node's address (flannel's host-gw backend does the
// same). The root namespace takes no part, except for blackhole routes that drop anything sent to
// the lab's ranges from it (its default route leaves the machine).
//
//   labNetwork(...)                 the lab's plan: lan, br-lan, master .10, worker-0 .11, worker-1 .12
//   setUpNetwork(net, opts?)        idempotent: creates what is missing, fixes what differs
//   tearDownNetwork(net)            deletes the namespaces; tolerates leftovers and absences
//   addBlackholeRoutes(cidrs) / removeBlackholeRoutes(cidrs)
//   execIn(ns, cmd, args) / tryExecIn / spawnIn    run a command inside a namespace via nsenter
//   listNamespaces(prefix)          the namespaces whose name starts with prefix
//
// Processes are entered with `nsenter --net=/run/netns/NS`, not `ip netns exec`: the latter
// remounts /sys, hiding /sys/fs/cgroup from runc ("no cgroup mount found in mountinfo").

import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { run, tryRun, type RunOptions, type RunResult } from './run.ts';

const NETNS_DIR = '/run/netns';
/** Linux IFNAMSIZ - 1. */
const MAX_IFNAME = 15;

export interface NodeNetwork {
  /** The namespace's name, which is also the node's name (worker names match the user's PV nodeAffinity). */
  name: string;
  /** The node's LAN address, without prefix length. */
  address: string;
  /** The node's pod range; other nodes route it via `address`. */
  podCIDR: string;
}

export interface LabNetwork {
  /** Namespace of the LAN (the "switch"). */
  lanNamespace: string;
  bridge: string;
  /** The bridge's own address on the LAN, without prefix length. */
  bridgeAddress: string;
  prefixLength: number;
  nodes: NodeNetwork[];
}

/** Address plan of the Vagrant lab (Vagrantfile private network) that the single-host lab mirrors. */
export const LAB_LAN_PREFIX = '192.168.56';
export const LAB_POD_CIDR = '10.244.0.0/16';
export const LAB_SERVICE_CIDR = '10.96.0.0/12';
export const LAB_NODE_NAMES = ['master', 'worker-0', 'worker-1'];
/** What the root namespace must drop rather than route off the machine while the lab runs. */
export const LAB_BLACKHOLE_CIDRS = [LAB_POD_CIDR, LAB_SERVICE_CIDR, `${LAB_LAN_PREFIX}.0/24`];

/**
 * A LAN plan: nodes at <lanPrefix>.10, .11, … with podCIDRs 10.<podSecondOctet>.N.0/24 (N from 1).
 * The lab uses the defaults; tests pass their own names and /24 so they never meet a running lab.
 */
export function labNetwork(opts: { namePrefix?: string; nodeNames?: string[]; lanPrefix?: string; podSecondOctet?: number } = {}): LabNetwork {
  const prefix = opts.namePrefix ?? '';
  const lan = opts.lanPrefix ?? LAB_LAN_PREFIX;
  const podOctet = opts.podSecondOctet ?? 244;
  return {
    lanNamespace: `${prefix}lan`,
    bridge: 'br-lan',
    bridgeAddress: `${lan}.1`,
    prefixLength: 24,
    nodes: (opts.nodeNames ?? LAB_NODE_NAMES).map((name, i) => ({
      name: `${prefix}${name}`,
      address: `${lan}.${10 + i}`,
      podCIDR: `10.${podOctet}.${i + 1}.0/24`,
    })),
  };
}

/** The name of a node's veth peer inside the LAN namespace. */
export function lanPortName(net: LabNetwork, node: NodeNetwork): string {
  return `veth${net.nodes.indexOf(node)}`.slice(0, MAX_IFNAME);
}

/** The host-gw routes a node needs: every other node's podCIDR via that node's LAN address. */
export function podRoutes(net: LabNetwork, node: NodeNetwork): { dest: string; via: string }[] {
  return net.nodes.filter((n) => n !== node).map((n) => ({ dest: n.podCIDR, via: n.address }));
}

export function namespaceExists(ns: string): boolean {
  return existsSync(`${NETNS_DIR}/${ns}`);
}

export function listNamespaces(prefix: string): string[] {
  if (!existsSync(NETNS_DIR)) return [];
  return readdirSync(NETNS_DIR).filter((n) => n.startsWith(prefix));
}

/**
 * `podRoutes: false` leaves the routes to the kubelets: their node network (agent/network) routes
 * the podCIDRs node IPAM actually assigned, which need not be the plan's.
 */
export async function setUpNetwork(net: LabNetwork, opts: { podRoutes?: boolean } = {}): Promise<void> {
  await ensureNamespace(net.lanNamespace);
  const lanIp = (args: string[]) => run('ip', ['-n', net.lanNamespace, ...args]);
  if (!(await linkExists(net.lanNamespace, net.bridge))) await lanIp(['link', 'add', net.bridge, 'type', 'bridge']);
  await lanIp(['addr', 'replace', `${net.bridgeAddress}/${net.prefixLength}`, 'dev', net.bridge]);
  await lanIp(['link', 'set', net.bridge, 'up']);
  await lanIp(['link', 'set', 'lo', 'up']);
  // The LAN is a switch, not a router: nothing sent to it for elsewhere goes further.
  await execIn(net.lanNamespace, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);

  for (const node of net.nodes) {
    await ensureNamespace(node.name);
    const ip = (args: string[]) => run('ip', ['-n', node.name, ...args]);
    const port = lanPortName(net, node);
    if (!(await linkExists(node.name, 'eth0'))) {
      // A leftover half of a pair from an interrupted run would block the name.
      if (await linkExists(net.lanNamespace, port)) await lanIp(['link', 'del', port]);
      // Created directly in both namespaces, so no name is ever taken in the root namespace.
      await run('ip', ['link', 'add', 'eth0', 'netns', node.name, 'type', 'veth', 'peer', 'name', port, 'netns', net.lanNamespace]);
    }
    await lanIp(['link', 'set', port, 'master', net.bridge]);
    await lanIp(['link', 'set', port, 'up']);
    await ip(['link', 'set', 'lo', 'up']);
    await ip(['addr', 'replace', `${node.address}/${net.prefixLength}`, 'dev', 'eth0']);
    await ip(['link', 'set', 'eth0', 'up']);
    // A machine has a default route, and a node needs one: a ClusterIP is rewritten by the proxy's
    // rules in OUTPUT, after the route lookup, which fails with "Network is unreachable" without
    // a route that covers it. Via the LAN bridge, whose namespace routes nowhere else, so what
    // is not for the lab ends there.
    await ip(['route', 'replace', 'default', 'via', net.bridgeAddress, 'dev', 'eth0']);
    // Forwarding for pod traffic; bridge-nf so that pod → ClusterIP → pod on the same bridge
    // passes through iptables (kube-proxy's requirement, upstream checks it at startup).
    await execIn(node.name, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    await setBridgeNfCallIptables(node.name);
    if (opts.podRoutes !== false) for (const r of podRoutes(net, node)) await ip(['route', 'replace', r.dest, 'via', r.via, 'dev', 'eth0']);
  }
}

/** br_netfilter's sysctl exists in a namespace only once the module is in use; it is built in here. */
async function setBridgeNfCallIptables(ns: string): Promise<void> {
  const res = await tryExecIn(ns, 'sysctl', ['-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
  if (res.code !== 0) {
    await tryRun('modprobe', ['br_netfilter']);
    await execIn(ns, 'sysctl', ['-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
  }
}

/** Deletes the node namespaces and the LAN; absent ones are fine. Processes inside must be stopped first. */
export async function tearDownNetwork(net: LabNetwork): Promise<void> {
  for (const ns of [...net.nodes.map((n) => n.name), net.lanNamespace]) await deleteNamespace(ns);
}

export async function deleteNamespace(ns: string): Promise<void> {
  if (!namespaceExists(ns)) return;
  const res = await tryRun('ip', ['netns', 'del', ns]);
  if (res.code !== 0 && namespaceExists(ns)) throw new Error(`ip netns del ${ns}: ${res.stderr.trim()}`);
}

async function ensureNamespace(ns: string): Promise<void> {
  if (namespaceExists(ns)) return;
  await run('ip', ['netns', 'add', ns]);
}

async function linkExists(ns: string, link: string): Promise<boolean> {
  return (await tryRun('ip', ['-n', ns, 'link', 'show', link])).code === 0;
}

/** Root-namespace routes that drop the lab's ranges locally instead of sending them off the machine. */
export async function addBlackholeRoutes(cidrs: string[]): Promise<void> {
  for (const cidr of cidrs) await run('ip', ['route', 'replace', 'blackhole', cidr]);
}

export async function removeBlackholeRoutes(cidrs: string[]): Promise<void> {
  for (const cidr of cidrs) {
    // Only a blackhole route is ours to delete; `ip route del blackhole X` matches no other type.
    const res = await tryRun('ip', ['route', 'del', 'blackhole', cidr]);
    if (res.code !== 0 && (await blackholeRouteExists(cidr))) throw new Error(`ip route del blackhole ${cidr}: ${res.stderr.trim()}`);
  }
}

export async function blackholeRouteExists(cidr: string): Promise<boolean> {
  const out = await run('ip', ['route', 'show', 'type', 'blackhole', cidr]);
  return out.trim() !== '';
}

function nsenterArgs(ns: string, cmd: string, args: string[]): string[] {
  return [`--net=${NETNS_DIR}/${ns}`, '--', cmd, ...args];
}

/** Runs a command inside a namespace and returns its stdout; throws CommandError on failure. */
export function execIn(ns: string, cmd: string, args: string[], opts?: RunOptions): Promise<string> {
  return run('nsenter', nsenterArgs(ns, cmd, args), opts);
}

export function tryExecIn(ns: string, cmd: string, args: string[], opts?: RunOptions): Promise<RunResult> {
  return tryRun('nsenter', nsenterArgs(ns, cmd, args), opts);
}

/**
 * Starts a command inside a namespace. nsenter only forks when entering a PID namespace, so the
 * child's PID is the command's own PID (what `stopProcess` later signals).
 */
export function spawnIn(ns: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn('nsenter', nsenterArgs(ns, cmd, args), opts);
}
