// Building the Node's status and deciding when to send it (upstream: kubelet_node_status.go
// setNodeStatus / tryUpdateNodeStatus and nodestatus/setters.go). Pure: the status loop gathers
// the readings, these functions turn them into a status and say whether the API server needs it.
//
// When to send (upstream's two frequencies): the status is computed every
// nodeStatusUpdateFrequency, but sent only if something other than heartbeat times changed, or
// if nodeStatusReportFrequency has passed since the last report. Liveness is the Lease's job
// (nodeLease.ts); the status carries what the node is, not that it is alive.
import type { NodeStatus } from 'kubernetes-types/core/v1.js';
import { nodeResources, type ReservedResources } from './nodeCapacity.ts';
import { applyConditions, desiredConditions, type ConditionTransition, type NodeCondition, type RuntimeHealth } from './nodeConditions.ts';
import type { MachineInfo, NodeUsage } from './machineInfo.ts';

/** --node-status-update-frequency default. */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
/**
 * nodeStatusReportFrequency: upstream's default is 5 min since node leases carry the heartbeat;
 * here 1 min, so the heartbeat times in `kubectl describe node` move while a learner watches.
 */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 60_000;
/** nodeStatusMaxImages and MaxNamesPerImageInNodeStatus upstream. */
export const MAX_IMAGES_IN_NODE_STATUS = 50;
export const MAX_NAMES_PER_IMAGE = 5;

/** The version this kubelet reports (nodeInfo.kubeletVersion), the API server's gitVersion. */
export const KUBELET_VERSION = 'v1.32.4-k8ts';

/** An image the runtime holds, as CRI ListImages describes it. */
export interface RuntimeImage {
  repoTags?: string[];
  repoDigests?: string[];
  sizeBytes: number;
}

/** Everything one status sync knows about the node. */
export interface NodeStatusInputs {
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  machine: MachineInfo;
  usage: NodeUsage;
  reserved?: ReservedResources;
  maxPods?: number;
  /** "containerd://1.6.20"; empty while the runtime has not answered. */
  runtimeVersion: string;
  runtime: RuntimeHealth;
  images: RuntimeImage[];
}

/** RFC 3339 with whole seconds: how metav1.Time serializes. */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The images list of the status: biggest first, at most 50, each with at most 5 names. */
export function nodeImages(images: RuntimeImage[]): NonNullable<NodeStatus['images']> {
  return [...images]
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MAX_IMAGES_IN_NODE_STATUS)
    .map((i) => ({ names: [...(i.repoDigests ?? []), ...(i.repoTags ?? [])].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: i.sizeBytes }));
}

export interface BuiltStatus {
  status: NodeStatus;
  transitions: ConditionTransition[];
}

/**
 * The status the node should have now, starting from what it has: every field the kubelet owns
 * is set from the inputs; fields it does not own (volumesAttached, conditions of others) stay.
 */
export function buildNodeStatus(existing: NodeStatus | undefined, inputs: NodeStatusInputs, now: Date): BuiltStatus {
  const { capacity, allocatable } = nodeResources(inputs.machine, inputs.usage, inputs.reserved, inputs.maxPods);
  const missing = ['cpu', 'memory', 'pods', 'ephemeral-storage'].filter((r) => !capacity[r] || capacity[r] === '0');
  const { conditions, transitions } = applyConditions((existing?.conditions ?? []) as NodeCondition[], desiredConditions(inputs.usage, inputs.runtime, missing), metaTime(now));
  const status: NodeStatus = {
    ...existing,
    capacity,
    allocatable,
    conditions,
    addresses: [
      { type: 'InternalIP', address: inputs.nodeIP },
      { type: 'Hostname', address: inputs.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: inputs.kubeletPort } },
    nodeInfo: {
      machineID: inputs.machine.machineID,
      systemUUID: inputs.machine.systemUUID,
      bootID: inputs.machine.bootID,
      kernelVersion: inputs.machine.kernelVersion,
      osImage: inputs.machine.osImage,
      containerRuntimeVersion: inputs.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      // Deprecated; upstream stopped filling it in 1.31 (DisableNodeKubeProxyVersion).
      kubeProxyVersion: '',
      operatingSystem: inputs.machine.operatingSystem,
      architecture: inputs.machine.architecture,
    },
    images: nodeImages(inputs.images),
  };
  return { status, transitions };
}

/** Conditions without their heartbeat times, which change on every sync by design. */
function withoutHeartbeats(status: NodeStatus | undefined): unknown {
  return { ...status, conditions: (status?.conditions ?? []).map(({ lastHeartbeatTime: _, ...c }) => c) };
}

/** Order-sensitive deep equality on JSON values (a status is plain JSON). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as any)[k], (b as any)[k]));
}

/** upstream nodeStatusHasChanged: anything but the conditions' lastHeartbeatTime differs. */
export function nodeStatusChanged(before: NodeStatus | undefined, after: NodeStatus): boolean {
  return !jsonEqual(withoutHeartbeats(before), withoutHeartbeats(after));
}

/**
 * Whether to send `after`: always when it changed; otherwise only once the report frequency has
 * passed since the last report (never reported → send).
 */
export function shouldReportStatus(before: NodeStatus | undefined, after: NodeStatus, lastReportMs: number | undefined, nowMs: number, reportFrequencyMs = NODE_STATUS_REPORT_FREQUENCY_MS): boolean {
  if (nodeStatusChanged(before, after)) return true;
  return lastReportMs === undefined || nowMs - lastReportMs >= reportFrequencyMs;
}
