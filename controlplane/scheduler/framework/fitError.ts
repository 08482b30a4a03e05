// The FailedScheduling message (framework/types.go FitError.Error, v1.32 format):
//   "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
//    2 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
// Each node contributes the reasons of the plugin that rejected it; equal reasons are counted
// and the "<count> <reason>" strings sorted as text, like upstream's histogram.
import { statusMessage, type Status } from './status.ts';

export const NO_NODE_AVAILABLE = (n: number) => `0/${n} nodes are available`;

export interface FitError {
  numAllNodes: number;
  /** Set when a PreFilter plugin rejected the pod: then the per-node reasons are not repeated. */
  preFilterMsg?: string;
  nodeStatuses: Map<string, Status>;
  postFilterMsg?: string;
}

export function reasonHistogram(nodeStatuses: Map<string, Status>): string[] {
  const counts = new Map<string, number>();
  for (const s of nodeStatuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
}

export function fitErrorMessage(e: FitError): string {
  let msg = `${NO_NODE_AVAILABLE(e.numAllNodes)}:`;
  if (e.preFilterMsg) msg += ` ${e.preFilterMsg}.`;
  else {
    const hist = reasonHistogram(e.nodeStatuses);
    if (hist.length > 0) msg += ` ${hist.join(', ')}.`;
  }
  if (e.postFilterMsg) msg += ` ${e.postFilterMsg}`;
  return msg;
}

/** A PreFilter rejection applies to every node alike (schedule_one.go findNodesThatFitPod). */
export function preFilterRejection(status: Status, nodeNames: string[]): FitError {
  const nodeStatuses = new Map<string, Status>();
  for (const n of nodeNames) nodeStatuses.set(n, status);
  return { numAllNodes: nodeNames.length, preFilterMsg: statusMessage(status), nodeStatuses };
}
