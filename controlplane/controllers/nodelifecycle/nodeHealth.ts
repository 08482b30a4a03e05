// Node health as the node lifecycle controller sees it (upstream:
// pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth and
// doNoExecuteTaintingPass). A node is healthy while its kubelet renews its Lease in
// kube-node-lease (or posts a new Ready heartbeat); the time is the controller's own clock at
// the moment it saw a renewal, never the kubelet's timestamp, so clock skew does not matter.
import type { KubeObject } from '../../client/types.ts';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, type Taint } from './taints.ts';

/** kube-controller-manager --node-monitor-grace-period default. */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
/** --node-monitor-period default: how often node health is checked. */
export const DEFAULT_NODE_MONITOR_PERIOD_MS = 5_000;

/** The conditions the controller sets to Unknown (nodeConditionTypes upstream). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface Probe {
  /** What was last seen: lease renewTime + Ready heartbeat. */
  fingerprint: string;
  /** Controller clock when it last changed. */
  atMs: number;
}

/** The probe timestamps of every node (upstream's nodeHealthMap). */
export class NodeHealthTracker {
  private readonly probes = new Map<string, Probe>();

  /** Records what the node and its lease show now; returns the last time either changed. */
  observe(node: KubeObject, lease: KubeObject | undefined, nowMs: number): number {
    const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    const fingerprint = `${node.metadata.uid}|${lease?.spec?.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}`;
    const prev = this.probes.get(node.metadata.name);
    if (!prev || prev.fingerprint !== fingerprint) {
      // A node first seen (or this process just started) gets a full grace period.
      this.probes.set(node.metadata.name, { fingerprint, atMs: nowMs });
      return nowMs;
    }
    return prev.atMs;
  }

  forget(nodeName: string): void {
    this.probes.delete(nodeName);
  }

  names(): string[] {
    return [...this.probes.keys()];
  }
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export function readyStatus(node: KubeObject): string | undefined {
  return (node.status?.conditions ?? []).find((c: NodeCondition) => c.type === 'Ready')?.status;
}

/**
 * The node's conditions with every monitored one set to Unknown: reason NodeStatusUnknown ("Kubelet
 * stopped posting node status.") for conditions the kubelet had posted, NodeStatusNeverUpdated for
 * ones it never did. Returns undefined when nothing changes. Other conditions are kept as they are.
 */
export function conditionsAfterLostContact(node: KubeObject, nowIso: string): NodeCondition[] | undefined {
  const current: NodeCondition[] = node.status?.conditions ?? [];
  const out = current.map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = out.find((x) => x.type === type);
    if (!c) {
      out.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: nowIso });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowIso;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/**
 * The NoExecute taint the node should carry: unreachable while its kubelet is silent; not-ready when
 * the kubelet says Ready=False; none when it says Ready=True — or, once the lease is renewed again,
 * while Ready is still the Unknown this controller wrote (the kubelet's next status decides).
 */
export function desiredHealthTaint(ready: string | undefined, stale: boolean): string | undefined {
  if (stale) return TAINT_NODE_UNREACHABLE;
  if (ready === 'False') return TAINT_NODE_NOT_READY;
  return undefined;
}

/**
 * Each health condition taints a node twice (upstream doNoScheduleTaintingPass and
 * doNoExecuteTaintingPass): NoSchedule keeps new pods off it, even pods that tolerate the
 * NoExecute taint for a while (they would be evicted again at once); NoExecute evicts the pods on it.
 */
export const HEALTH_TAINT_EFFECTS = ['NoSchedule', 'NoExecute'];

/** The node's taints with the health taints set to `want`; undefined when nothing changes. */
export function taintsWithHealth(current: Taint[], want: string | undefined, nowIso: string): Taint[] | undefined {
  const isHealth = (t: Taint) => HEALTH_TAINT_EFFECTS.includes(t.effect) && (t.key === TAINT_NODE_UNREACHABLE || t.key === TAINT_NODE_NOT_READY);
  const keep = current.filter((t) => !isHealth(t));
  const present = current.filter(isHealth);
  if (want === undefined) return present.length ? keep : undefined;
  const wanted = HEALTH_TAINT_EFFECTS.map((effect) => present.find((t) => t.key === want && t.effect === effect) ?? { key: want, effect, timeAdded: nowIso });
  if (present.length === wanted.length && wanted.every((t) => present.includes(t))) return undefined;
  return [...keep, ...wanted];
}
