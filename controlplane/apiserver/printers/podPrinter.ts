// `kubectl get pods`: NAME READY STATUS RESTARTS AGE, and with -o wide IP NODE NOMINATED NODE
// READINESS GATES. The STATUS cell is the most involved cell kubectl shows; this follows
// upstream printPod (pkg/printers/internalversion/printers.go) step by step.

import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './age.ts';
import {
  ageColumn,
  column,
  nameColumn,
  type PrintedRow,
  type Printer,
  type TableRowCondition,
} from './table.ts';

// The reason the node lifecycle controller gives pods on a node that stopped reporting
// (pkg/util/node NodeUnreachablePodReason).
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';
// The PodScheduled condition reason while scheduling gates hold a pod back.
const SCHEDULING_GATED_REASON = 'SchedulingGated';

const POD_SUCCEEDED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const POD_FAILED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

/** A sidecar: an init container with restartPolicy Always keeps running beside the app containers. */
function isRestartableInitContainer(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

const isTerminalPhase = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

function hasCondition(conditions: PodCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Milliseconds of the last termination of a container, or 0 (Go's zero time) when none. */
function lastTerminatedAt(status: ContainerStatus): number {
  return parseTimestamp(status.lastState?.terminated?.finishedAt) ?? 0;
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestartMs: number; // 0 when no container ever restarted
}

/** READY, STATUS and RESTARTS of a pod, computed as upstream printPod does. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];
  const initByName = new Map(initSpecs.map((c) => [c.name, c]));

  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestartMs = 0;
  let lastSidecarRestartMs = 0;
  let ready = 0;
  let total = (spec.containers ?? []).length + initSpecs.filter(isRestartableInitContainer).length;

  // Step 1: the phase, or the pod-level reason (Evicted, NodeLost, ...), is the starting point.
  let reason = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === SCHEDULING_GATED_REASON) reason = SCHEDULING_GATED_REASON;
  }

  // Step 2: init containers, in order; the first one not yet done decides the status.
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartableInitContainer(initByName.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestartMs = Math.max(lastRestartMs, lastTerminatedAt(cs));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestartMs = Math.max(lastSidecarRestartMs, lastTerminatedAt(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  // Step 3: once initialized, app containers decide; the last container listed wins, so the
  // loop runs backwards and the first container's state is the one shown.
  if (!initializing || hasCondition(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestartMs = lastSidecarRestartMs;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestartMs = Math.max(lastRestartMs, lastTerminatedAt(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose first container completed while another still runs is not "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  // Step 4: deletion overrides everything, unless the pod already finished.
  const deleting = Boolean(pod.metadata?.deletionTimestamp);
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && !isTerminalPhase(status.phase)) {
    reason = 'Terminating';
  }

  return { ready, total, reason, restarts, lastRestartMs };
}

/** "<n>/<m>" of readiness gates whose condition is True, or "<none>". */
function readinessGatesCell(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueCount = 0;
  for (const gate of gates) {
    const cond = (pod.status?.conditions ?? []).find((c) => c.type === gate.conditionType);
    if (cond?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

function printPod(pod: Pod, now: Date): PrintedRow {
  const s = summarizePod(pod);
  let restarts = String(s.restarts);
  if (s.restarts !== 0 && s.lastRestartMs !== 0) {
    restarts = `${s.restarts} (${humanDuration(now.getTime() - s.lastRestartMs)} ago)`;
  }
  // Upstream reads status.podIPs; the v1 → internal conversion fills it from podIP when empty.
  const podIP = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
  const row: PrintedRow = {
    cells: [
      pod.metadata?.name ?? '',
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      translateTimestampSince(pod.metadata?.creationTimestamp, now),
      podIP,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGatesCell(pod),
    ],
  };
  if (pod.status?.phase === 'Succeeded') row.conditions = POD_SUCCEEDED_CONDITIONS;
  if (pod.status?.phase === 'Failed') row.conditions = POD_FAILED_CONDITIONS;
  return row;
}

export const podPrinter: Printer<Pod> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
    column('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
    column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { priority: 1 }),
    column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
  ],
  print: printPod,
};
