// The node conditions the kubelet owns (upstream: nodestatus/setters.go MemoryPressureCondition,
// DiskPressureCondition, PIDPressureCondition, ReadyCondition; the pressure signals and their
// thresholds come from the eviction manager, pkg/kubelet/eviction). Each sync sets every owned
// condition's lastHeartbeatTime to now and moves lastTransitionTime only when its status flips;
// conditions written by others (NetworkUnavailable, ...) are kept as they are.
import type { NodeUsage } from './machineInfo.ts';

/**
 * The kubelet's default --eviction-hard on Linux (pkg/kubelet/apis/config/v1beta1
 * defaults_linux.go): memory.available<100Mi, nodefs.available<10%, nodefs.inodesFree<5%.
 * Upstream ships no default for pid.available, so PIDPressure only follows a configured
 * threshold there; here 5% of the pid limit, so the condition reflects a real reading.
 */
export const EVICTION_HARD = {
  memoryAvailableBytes: 100 * 2 ** 20,
  nodefsAvailableFraction: 0.1,
  nodefsInodesFreeFraction: 0.05,
  pidAvailableFraction: 0.05,
} as const;

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** A condition as the kubelet wants it now, with the event upstream records when it flips. */
export interface DesiredCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  event: string;
}

/** What the runtime and network say; a reason is required when not ok. */
export interface RuntimeHealth {
  ok: boolean;
  reason?: string;
}

export function memoryPressure(usage: NodeUsage): boolean {
  return usage.memoryAvailableBytes < EVICTION_HARD.memoryAvailableBytes;
}

export function diskPressure(usage: NodeUsage): boolean {
  const lowSpace = usage.fsAvailableBytes < usage.fsCapacityBytes * EVICTION_HARD.nodefsAvailableFraction;
  // Filesystems without inode accounting report 0 inodes: no signal, as upstream.
  const lowInodes = usage.fsInodes > 0 && usage.fsInodesFree < usage.fsInodes * EVICTION_HARD.nodefsInodesFreeFraction;
  return lowSpace || lowInodes;
}

export function pidPressure(usage: NodeUsage): boolean {
  return usage.pidAvailable < usage.pidMax * EVICTION_HARD.pidAvailableFraction;
}

/**
 * Every condition the kubelet owns, in upstream's setter order (which is the order
 * `kubectl describe node` shows): MemoryPressure, DiskPressure, PIDPressure, Ready.
 */
export function desiredConditions(usage: NodeUsage, runtime: RuntimeHealth, missingCapacity: string[] = []): DesiredCondition[] {
  const mem = memoryPressure(usage);
  const disk = diskPressure(usage);
  const pid = pidPressure(usage);
  const errors: string[] = [];
  if (!runtime.ok) errors.push(runtime.reason || 'container runtime is down');
  if (missingCapacity.length) errors.push(`missing node capacity for resources: ${missingCapacity.join(', ')}`);
  return [
    mem
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available', event: 'NodeHasInsufficientMemory' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', event: 'NodeHasSufficientMemory' },
    disk
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure', event: 'NodeHasDiskPressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', event: 'NodeHasNoDiskPressure' },
    pid
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available', event: 'NodeHasInsufficientPID' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', event: 'NodeHasSufficientPID' },
    errors.length === 0
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', event: 'NodeReady' }
      : // utilerrors.NewAggregate prints one error bare and several as "[a, b]".
        { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`, event: 'NodeNotReady' },
  ];
}

/** A status flip worth an event: "Node worker-0 status is now: NodeReady". */
export interface ConditionTransition {
  type: string;
  event: string;
}

/**
 * The node's conditions with the owned ones set as desired at `nowIso`; other conditions keep
 * their place and content. Returns the conditions and the flips (a condition seen for the first
 * time counts as one, as upstream records NodeHasSufficientMemory and friends at registration).
 */
export function applyConditions(existing: NodeCondition[], desired: DesiredCondition[], nowIso: string): { conditions: NodeCondition[]; transitions: ConditionTransition[] } {
  const conditions = existing.map((c) => ({ ...c }));
  const transitions: ConditionTransition[] = [];
  for (const d of desired) {
    const current = conditions.find((c) => c.type === d.type);
    const flipped = !current || current.status !== d.status;
    const next: NodeCondition = {
      type: d.type,
      status: d.status,
      reason: d.reason,
      message: d.message,
      lastHeartbeatTime: nowIso,
      lastTransitionTime: flipped ? nowIso : current!.lastTransitionTime ?? nowIso,
    };
    if (flipped) transitions.push({ type: d.type, event: d.event });
    if (current) Object.assign(current, next);
    else conditions.push(next);
  }
  return { conditions, transitions };
}
