// The kubelet's node half (upstream: kubelet.go syncNodeStatus + kubelet_node_status.go
// updateNodeStatus, and the node lease controller): register the Node, then every 10 s gather
// the readings, build the status, and send it only when it changed or a minute has passed; the
// Lease is renewed on its own loop every 10 s. Each loop is level-triggered: a sync reads the
// Node fresh and converges it, so a missed or failed sync is healed by the next.
import { type NodeStatus, type Taint } from 'kubernetes-types/core/v1.js';
import { createEventRecorder } from '../../../controlplane/client/eventRecorder.ts';
import { isConflict, isNotFound, type Client, type EventRecorder } from '../../../controlplane/client/types.ts';
import type { Logger } from '../../../controlplane/client/log.ts';
import { firstHostIPv4, readMachineInfo, readNodeUsage, type MachineInfo } from './machineInfo.ts';
import type { ReservedResources } from './nodeCapacity.ts';
import type { ConditionTransition, RuntimeHealth } from './nodeConditions.ts';
import { runNodeLease } from './nodeLease.ts';
import { buildNodeStatus, NODE_STATUS_REPORT_FREQUENCY_MS, NODE_STATUS_UPDATE_FREQUENCY_MS, shouldReportStatus, type BuiltStatus, type RuntimeImage } from './nodeStatus.ts';
import { registerNode, type KubeNode } from './registration.ts';
import { abortableSleep } from './sleep.ts';

/** nodeStatusUpdateRetry upstream: conflicts are retried from a fresh read this many times. */
const NODE_STATUS_UPDATE_RETRY = 5;
/**
 * Until the node is first Ready, sync every second: upstream's fastStatusUpdateOnce polls every
 * 100 ms after start so a node turns Ready as soon as its runtime does, not up to 10 s later,
 * and gives up after nodeReadyGracePeriod (2 min).
 */
const FAST_STATUS_UPDATE_MS = 1_000;
const NODE_READY_GRACE_PERIOD_MS = 120_000;

export interface NodeStatusOptions {
  client: Client;
  nodeName: string;
  /** --node-ip; empty → the first non-loopback IPv4 of the host (see firstHostIPv4). */
  nodeIP?: string;
  /** The control-plane node: role label + node-role.kubernetes.io/control-plane:NoSchedule. */
  master?: boolean;
  /** --register-with-taints. */
  registerWithTaints?: Taint[];
  /** --node-labels. */
  nodeLabels?: Record<string, string>;
  /** The kubelet server's port, reported in daemonEndpoints (the API server proxies logs/exec there). */
  kubeletPort: number;
  /** CRI Version → "containerd://1.6.20" (runtime_name + "://" + runtime_version). */
  runtimeVersion(): Promise<string>;
  /** CRI Status: ok, or the reason the node is not ready ("container runtime network not ready: ..."). */
  runtimeReady(): Promise<RuntimeHealth>;
  /** CRI ListImages. */
  images(): Promise<RuntimeImage[]>;
  /** The kubelet's root dir; its filesystem is the node's ephemeral storage (nodefs). */
  rootDir: string;
  signal: AbortSignal;
  log: Logger;
  now?: () => Date;
  /** --kube-reserved + --system-reserved. */
  reserved?: ReservedResources;
  maxPods?: number;
  recorder?: EventRecorder;
  /** Overrides of the upstream periods (tests). */
  statusUpdateFrequencyMs?: number;
  statusReportFrequencyMs?: number;
  leaseRenewIntervalMs?: number;
}

export interface NodeStatusHandle {
  /** Resolves with the Node once registered (undefined if stopped first). */
  registered: Promise<KubeNode | undefined>;
  /** Resolves when both loops have ended after the signal aborted. */
  done: Promise<void>;
}

export function startNodeStatus(o: NodeStatusOptions): NodeStatusHandle {
  const now = o.now ?? (() => new Date());
  const log = o.log.child({ component: 'node-status', node: o.nodeName });
  const recorder = o.recorder ?? createEventRecorder(o.client, { component: 'kubelet', host: o.nodeName }, { logger: log });
  const updateEveryMs = o.statusUpdateFrequencyMs ?? NODE_STATUS_UPDATE_FREQUENCY_MS;
  const reportEveryMs = o.statusReportFrequencyMs ?? NODE_STATUS_REPORT_FREQUENCY_MS;
  const nodes = o.client.r<KubeNode>('v1', 'nodes');
  let lastImages: RuntimeImage[] = [];
  let lastReportMs: number | undefined;
  let everReady = false;

  const recordTransitions = (node: KubeNode, transitions: ConditionTransition[]) => {
    for (const t of transitions) recorder.event(node, 'Normal', t.event, `Node ${o.nodeName} status is now: ${t.event}`);
  };

  // Step 1 of every sync: read what the node is now. A callback that fails degrades the
  // status (empty version, NotReady, last known images) instead of stopping the sync.
  const gather = async (machine: MachineInfo, nodeIP: string, existing: NodeStatus | undefined): Promise<BuiltStatus> => {
    const [usage, runtimeVersion, runtime, images] = await Promise.all([
      readNodeUsage(o.rootDir),
      o.runtimeVersion().catch(() => ''),
      o.runtimeReady().catch((e): RuntimeHealth => ({ ok: false, reason: `container runtime is down: ${e instanceof Error ? e.message : String(e)}` })),
      o.images().catch(() => lastImages),
    ]);
    lastImages = images;
    const built = buildNodeStatus(existing, { nodeName: o.nodeName, nodeIP, kubeletPort: o.kubeletPort, machine, usage, reserved: o.reserved, maxPods: o.maxPods, runtimeVersion, runtime, images }, now());
    everReady ||= built.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return built;
  };

  // Step 2: send it if the API server needs it. A conflict (the node lifecycle controller
  // wrote the Node meanwhile) is retried from a fresh read.
  const syncNodeStatus = async (machine: MachineInfo, nodeIP: string) => {
    for (let attempt = 0; attempt < NODE_STATUS_UPDATE_RETRY; attempt++) {
      const node = await nodes.get(o.nodeName);
      const built = await gather(machine, nodeIP, node.status);
      if (!shouldReportStatus(node.status, built.status, lastReportMs, now().getTime(), reportEveryMs)) return;
      try {
        const updated = await nodes.updateStatus({ ...node, status: built.status });
        lastReportMs = now().getTime();
        recordTransitions(updated, built.transitions);
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw new Error(`update node status exceeds retry count (${NODE_STATUS_UPDATE_RETRY})`);
  };

  const statusLoop = async (): Promise<KubeNode | undefined> => {
    const machine = await readMachineInfo();
    const nodeIP = o.nodeIP || firstHostIPv4();
    if (!nodeIP) throw new Error('no --node-ip given and the host has no non-loopback IPv4 address');
    if (!o.nodeIP) log.warn({ nodeIP }, 'no --node-ip given: using the first non-loopback IPv4 address; set --node-ip on a host with several interfaces');
    const reg = await registerNode({
      client: o.client,
      identity: { nodeName: o.nodeName, operatingSystem: machine.operatingSystem, architecture: machine.architecture, master: o.master, registerWithTaints: o.registerWithTaints, extraLabels: o.nodeLabels },
      initialStatus: () => gather(machine, nodeIP, undefined),
      signal: o.signal,
      log,
    });
    if (!reg) return undefined;
    if (reg.created) {
      lastReportMs = now().getTime();
      recordTransitions(reg.node, reg.built?.transitions ?? []);
    }
    resolveRegistered(reg.node);
    const fastUntilMs = now().getTime() + NODE_READY_GRACE_PERIOD_MS;
    while (!o.signal.aborted) {
      try {
        await syncNodeStatus(machine, nodeIP);
      } catch (e) {
        if (isNotFound(e)) log.error({ err: String(e) }, 'the Node object is gone; the kubelet registers only at start, restart it to register again');
        else log.warn({ err: String(e) }, 'error updating node status, will retry');
      }
      const fast = !everReady && now().getTime() < fastUntilMs;
      await abortableSleep(fast ? Math.min(updateEveryMs, FAST_STATUS_UPDATE_MS) : updateEveryMs, o.signal);
    }
    return reg.node;
  };

  let resolveRegistered!: (n: KubeNode | undefined) => void;
  const registered = new Promise<KubeNode | undefined>((r) => (resolveRegistered = r));
  const status = statusLoop().then(
    (n) => resolveRegistered(n),
    (e) => {
      log.error({ err: String(e) }, 'node status loop failed');
      resolveRegistered(undefined);
      throw e;
    },
  );
  // The Lease loop starts at once, as upstream: it creates the Lease without an owner if the Node
  // is not there yet and adds the owner reference on a later renewal.
  const lease = runNodeLease({ client: o.client, nodeName: o.nodeName, signal: o.signal, log, now, renewIntervalMs: o.leaseRenewIntervalMs });
  return { registered, done: Promise.all([status, lease]).then(() => undefined) };
}
