// Resources → what cgroups enforce: the pod's QoS class and cgroup parent, and per container CPU
// shares, CFS quota, memory limit and OOM score (upstream pkg/apis/core/v1/helper/qos GetPodQOS,
// pkg/kubelet/cm (pod cgroup names, cgroupfs driver), kuberuntime_container_linux.go
// calculateLinuxResources, pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../controlplane/api/validation/quantity.ts';
import type { LinuxContainerResources } from '../cri/criTypes.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** cgroup v1 cpu.shares bounds (upstream MinShares/MaxShares) and 1 CPU = 1024 shares. */
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
/** CFS period 100 ms (upstream QuotaPeriod) and the smallest quota the kernel takes (1 ms). */
export const CPU_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1_000;
/** OOM scores (pkg/kubelet/qos/policy.go). */
const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

function quantity(map: Record<string, string> | undefined, name: string): number | undefined {
  const v = parseQuantity(map?.[name]);
  return v === undefined ? undefined : v;
}

/** Upstream GetPodQOS (cpu and memory only). */
export function podQOSClass(pod: Pod): QOSClass {
  if (pod.status?.qosClass) return pod.status.qosClass as QOSClass;
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    for (const r of ['cpu', 'memory']) {
      const req = quantity(c.resources?.requests, r);
      const lim = quantity(c.resources?.limits, r);
      if ((req ?? 0) > 0 || (lim ?? 0) > 0) any = true;
      // Requests default to limits (API defaulting), so a missing request equals the limit.
      if (lim === undefined || (req !== undefined && req !== lim)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * The pod's cgroup under the cgroupfs driver: <root>/kubepods/pod<uid> for Guaranteed,
 * <root>/kubepods/{burstable,besteffort}/pod<uid> otherwise. `cgroupRoot` is --cgroup-root ("/").
 */
export function podCgroupParent(pod: Pod, cgroupRoot = '/'): string {
  const root = cgroupRoot.replace(/\/+$/, '');
  const qos = podQOSClass(pod);
  const tier = qos === 'Guaranteed' ? '' : `/${qos.toLowerCase()}`;
  return `${root}/kubepods${tier}/pod${pod.metadata?.uid ?? ''}`;
}

export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU <= 0) return MIN_SHARES;
  const shares = Math.floor((milliCPU * SHARES_PER_CPU) / 1000);
  return Math.min(Math.max(shares, MIN_SHARES), MAX_SHARES);
}

export function milliCPUToQuota(milliCPU: number, periodUs = CPU_PERIOD_US): number {
  if (milliCPU <= 0) return 0;
  return Math.max(Math.floor((milliCPU * periodUs) / 1000), MIN_QUOTA_US);
}

/** Upstream GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: Pod, container: Container, memoryCapacity: number): number {
  const qos = podQOSClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const request = quantity(container.resources?.requests, 'memory') ?? 0;
  const adj = memoryCapacity > 0 ? 1000 - Math.floor((1000 * request) / memoryCapacity) : 1000;
  // Burstable stays strictly between Guaranteed and BestEffort.
  if (adj < 2) return 2;
  if (adj >= BEST_EFFORT_OOM_SCORE_ADJ) return BEST_EFFORT_OOM_SCORE_ADJ - 1;
  return adj;
}

/** CRI LinuxContainerResources for a container (shares from the request, quota from the limit). */
export function linuxContainerResources(pod: Pod, container: Container, memoryCapacity: number): LinuxContainerResources {
  const cpuRequest = Math.round((quantity(container.resources?.requests, 'cpu') ?? 0) * 1000);
  const cpuLimit = Math.round((quantity(container.resources?.limits, 'cpu') ?? 0) * 1000);
  const memoryLimit = Math.round(quantity(container.resources?.limits, 'memory') ?? 0);
  const resources: LinuxContainerResources = {
    // Only a limit: shares follow the limit (the request defaults to it).
    cpu_shares: milliCPUToShares(cpuRequest === 0 && cpuLimit > 0 ? cpuLimit : cpuRequest),
    cpu_period: CPU_PERIOD_US,
    cpu_quota: milliCPUToQuota(cpuLimit),
    oom_score_adj: oomScoreAdj(pod, container, memoryCapacity),
  };
  if (memoryLimit > 0) resources.memory_limit_in_bytes = memoryLimit;
  return resources;
}
