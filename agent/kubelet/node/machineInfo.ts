// What the kubelet reads from the machine it runs on (upstream gets it from cAdvisor's MachineInfo
// and the eviction manager's summary stats): fixed facts read once at start — CPUs, memory,
// kernel, OS image, machine and boot IDs — and usage read on every status sync, which the
// pressure conditions are computed from. Everything here is I/O; the decisions are in
// nodeCapacity.ts and nodeConditions.ts.
import { readFile, statfs } from 'node:fs/promises';
import { networkInterfaces, release } from 'node:os';
import * as si from 'systeminformation';

export interface MachineInfo {
  cpuCores: number;
  memoryBytes: number;
  kernelVersion: string;
  /** PRETTY_NAME of /etc/os-release, as upstream's osImage. */
  osImage: string;
  /** Go's GOOS / GOARCH names: linux, amd64, arm64. */
  operatingSystem: string;
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

/** One reading of what the eviction manager watches (upstream's eviction signals). */
export interface NodeUsage {
  /** memory.available: what the kernel says can be allocated without swapping (MemAvailable). */
  memoryAvailableBytes: number;
  /** nodefs: the filesystem holding the kubelet's root dir. */
  fsCapacityBytes: number;
  fsAvailableBytes: number;
  fsInodes: number;
  fsInodesFree: number;
  /** pid.available: the pid limit minus the tasks that exist now. */
  pidMax: number;
  pidAvailable: number;
}

// Node's process.arch → Go's GOARCH, which is what upstream puts in nodeInfo.architecture and in
// the kubernetes.io/arch label (and what image manifests and nodeSelectors use).
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function goArch(nodeArch: string = process.arch): string {
  return GOARCH[nodeArch] ?? nodeArch;
}

async function readTrimmed(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    // Containers and minimal images may lack /etc/machine-id or DMI: upstream leaves the field empty.
    return '';
  }
}

/** PRETTY_NAME from an os-release file's text ("Debian GNU/Linux 12 (bookworm)"). */
export function prettyName(osRelease: string): string {
  const line = osRelease.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  if (!line) return 'Linux';
  return line.slice('PRETTY_NAME='.length).replace(/^"(.*)"$/, '$1');
}

export async function readMachineInfo(): Promise<MachineInfo> {
  const [cpu, mem, osRelease, machineID, systemUUID, bootID] = await Promise.all([
    si.cpu(),
    si.mem(),
    readTrimmed('/etc/os-release'),
    readTrimmed('/etc/machine-id'),
    readTrimmed('/sys/class/dmi/id/product_uuid'),
    readTrimmed('/proc/sys/kernel/random/boot_id'),
  ]);
  return {
    // cAdvisor's NumCores counts logical CPUs, which is what "cpu: 2" in capacity means.
    cpuCores: cpu.cores,
    memoryBytes: mem.total,
    kernelVersion: release(),
    osImage: prettyName(osRelease),
    operatingSystem: 'linux',
    architecture: goArch(),
    machineID,
    systemUUID,
    bootID,
  };
}

export async function readNodeUsage(rootDir: string): Promise<NodeUsage> {
  // statfs of the root dir itself names exactly its filesystem; matching systeminformation's
  // fsSize() mount list against the path would only approximate that.
  const [mem, fs, pidMaxText, loadavg] = await Promise.all([si.mem(), statfs(rootDir), readTrimmed('/proc/sys/kernel/pid_max'), readTrimmed('/proc/loadavg')]);
  const pidMax = Number(pidMaxText) || 32768;
  // /proc/loadavg's fourth field is "running/total" scheduling entities (threads), each holding a pid.
  const tasks = Number(loadavg.split(' ')[3]?.split('/')[1] ?? 0);
  return {
    memoryAvailableBytes: mem.available,
    fsCapacityBytes: fs.blocks * fs.bsize,
    fsAvailableBytes: fs.bavail * fs.bsize,
    fsInodes: fs.files,
    fsInodesFree: fs.ffree,
    pidMax,
    pidAvailable: Math.max(0, pidMax - tasks),
  };
}

/**
 * The first non-loopback IPv4 address of the host, for a kubelet started without --node-ip.
 * Explicit is better: a lab machine or a Vagrant VM has several interfaces (NAT, host-only,
 * bridges), and whichever comes first is often the one other nodes cannot reach — then logs,
 * exec and host-gw routes break. Upstream resolves the hostname, then falls back to the
 * default-route interface; both guess too.
 */
export function firstHostIPv4(ifaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): string | undefined {
  for (const addrs of Object.values(ifaces)) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return undefined;
}
