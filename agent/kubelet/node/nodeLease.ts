// The node's heartbeat: a Lease named after the node in kube-node-lease, renewed every 10 s
// (upstream: component-helpers/apimachinery/lease/controller.go, started by the kubelet from
// pkg/kubelet/nodelease). The node lifecycle controller watches renewTime; a node whose Lease
// stops moving for --node-monitor-grace-period becomes NotReady/Unknown. A Lease write is tiny
// compared with a Node status, which is why the status itself is only re-sent when it changes.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound, type Client, type KubeObject } from '../../../controlplane/client/types.ts';
import type { Logger } from '../../../controlplane/client/log.ts';
import { abortableSleep } from './sleep.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** KubeletConfiguration.nodeLeaseDurationSeconds default. */
export const NODE_LEASE_DURATION_SECONDS = 40;
/** Renew at a quarter of the duration (NodeLeaseRenewIntervalFraction = 0.25): every 10 s. */
export const NODE_LEASE_RENEW_INTERVAL_MS = NODE_LEASE_DURATION_SECONDS * 1000 * 0.25;
/** The lease controller's retry backoff: 100 ms doubling, at most maxBackoff = 7 s. */
export const LEASE_RETRY_INITIAL_MS = 100;
export const LEASE_RETRY_MAX_MS = 7_000;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

/**
 * The Lease to write: `base` (or a new one) renewed at `now`. The owner reference to the Node —
 * so deleting the Node garbage-collects its Lease — is added as soon as the Node's UID is known,
 * on whichever renewal that is (upstream retries it on every renewal until it sticks).
 */
export function renewedLease(base: Lease | undefined, nodeName: string, now: Date, nodeUID?: string): Lease {
  const lease: Lease = base
    ? structuredClone(base)
    : {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE },
        spec: { holderIdentity: nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS },
      };
  lease.spec = { ...lease.spec, renewTime: microTime(now) };
  if (!lease.metadata?.ownerReferences?.length && nodeUID) {
    lease.metadata = { ...lease.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID }] };
  }
  return lease;
}

/** Wait before the next sync: the renew interval after a success, a doubling backoff after failures. */
export function nextLeaseSyncDelay(consecutiveFailures: number, renewIntervalMs = NODE_LEASE_RENEW_INTERVAL_MS): number {
  if (consecutiveFailures <= 0) return renewIntervalMs;
  return Math.min(LEASE_RETRY_INITIAL_MS * 2 ** consecutiveFailures, LEASE_RETRY_MAX_MS);
}

export interface NodeLeaseOptions {
  client: Client;
  nodeName: string;
  signal: AbortSignal;
  log: Logger;
  now: () => Date;
  renewIntervalMs?: number;
}

/** Renews the Lease until the signal aborts. */
export async function runNodeLease(o: NodeLeaseOptions): Promise<void> {
  const leases = o.client.r<Lease & KubeObject>('coordination.k8s.io/v1', 'leases', NODE_LEASE_NAMESPACE);
  const nodes = o.client.r<Node & KubeObject>('v1', 'nodes');
  let latest: (Lease & KubeObject) | undefined;
  let failures = 0;

  const nodeUID = async (lease: Lease | undefined) => {
    if (lease?.metadata?.ownerReferences?.length) return undefined;
    return (await nodes.get(o.nodeName).catch(() => undefined))?.metadata.uid;
  };

  // One renewal. The cached Lease is tried first (one request per renewal, as upstream); on a
  // conflict or a missing Lease, re-read (or create) and write again.
  const sync = async () => {
    if (latest) {
      try {
        latest = await leases.update(renewedLease(latest, o.nodeName, o.now(), await nodeUID(latest)) as Lease & KubeObject);
        return;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        latest = undefined;
      }
    }
    let current: (Lease & KubeObject) | undefined;
    try {
      current = await leases.get(o.nodeName);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const next = renewedLease(current, o.nodeName, o.now(), await nodeUID(current)) as Lease & KubeObject;
    latest = current ? await leases.update(next) : await leases.create(next);
  };

  while (!o.signal.aborted) {
    try {
      await sync();
      failures = 0;
    } catch (e) {
      failures++;
      if (!o.signal.aborted) o.log.warn({ err: String(e), retryInMs: nextLeaseSyncDelay(failures) }, 'failed to renew the node lease, will retry');
    }
    await abortableSleep(nextLeaseSyncDelay(failures, o.renewIntervalMs), o.signal);
  }
}
