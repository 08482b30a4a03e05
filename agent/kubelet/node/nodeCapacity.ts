// Node capacity and allocatable (upstream: nodestatus/setters.go MachineInfo, and
// cm/node_container_manager_linux.go GetNodeAllocatableReservation). Capacity is what the machine
// has; allocatable is what the scheduler may hand out to pods: capacity minus kube-reserved,
// system-reserved and the hard eviction thresholds — the kubelet starts evicting before the node
// runs dry, so that headroom is never schedulable.
import { EVICTION_HARD } from './nodeConditions.ts';
import type { MachineInfo, NodeUsage } from './machineInfo.ts';

/** --max-pods default (KubeletConfiguration.MaxPods). */
export const DEFAULT_MAX_PODS = 110;

/** --kube-reserved plus --system-reserved, summed; upstream's defaults are all zero. */
export interface ReservedResources {
  cpuMillis?: number;
  memoryBytes?: number;
  ephemeralStorageBytes?: number;
}

export type ResourceList = Record<string, string>;

const BINARY_SUFFIXES: [string, number][] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];
const DECIMAL_SUFFIXES: [string, number][] = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];

/**
 * A byte count the way a BinarySI quantity prints (resource.Quantity.String): the largest
 * power-of-1024 suffix that divides it exactly ("16365028Ki"); a count no such suffix divides
 * prints in decimal form, with the largest power-of-1000 suffix that divides it, or bare.
 */
export function formatBytes(bytes: number): string {
  const n = Math.floor(bytes);
  if (n === 0) return '0';
  if (Math.abs(n) >= 1024) {
    for (const [suffix, size] of BINARY_SUFFIXES) if (n % size === 0) return `${n / size}${suffix}`;
  }
  for (const [suffix, size] of DECIMAL_SUFFIXES) if (n % size === 0) return `${n / size}${suffix}`;
  return String(n);
}

/** CPU millicores as a quantity: whole cores bare ("2"), otherwise millis ("1900m"). */
export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export interface NodeResources {
  capacity: ResourceList;
  allocatable: ResourceList;
}

export function nodeResources(machine: MachineInfo, usage: Pick<NodeUsage, 'fsCapacityBytes'>, reserved: ReservedResources = {}, maxPods = DEFAULT_MAX_PODS): NodeResources {
  const cpuMillis = machine.cpuCores * 1000;
  // The hard eviction thresholds count as reserved: memory.available<100Mi keeps 100Mi back, and
  // nodefs.available<10% keeps 10% of the filesystem back (a percentage of capacity, as upstream).
  const evictionStorage = Math.floor(usage.fsCapacityBytes * EVICTION_HARD.nodefsAvailableFraction);
  const capacity: ResourceList = {
    cpu: formatCpuMillis(cpuMillis),
    'ephemeral-storage': formatBytes(usage.fsCapacityBytes),
    memory: formatBytes(machine.memoryBytes),
    pods: String(maxPods),
  };
  const allocatable: ResourceList = {
    cpu: formatCpuMillis(Math.max(0, cpuMillis - (reserved.cpuMillis ?? 0))),
    'ephemeral-storage': formatBytes(Math.max(0, usage.fsCapacityBytes - (reserved.ephemeralStorageBytes ?? 0) - evictionStorage)),
    memory: formatBytes(Math.max(0, machine.memoryBytes - (reserved.memoryBytes ?? 0) - EVICTION_HARD.memoryAvailableBytes)),
    pods: String(maxPods),
  };
  return { capacity, allocatable };
}
