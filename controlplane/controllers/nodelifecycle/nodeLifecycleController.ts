// The node lifecycle controller (upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go
// with its NoExecute taint manager, pkg/controller/tainteviction). Two loops:
// - monitorNodeHealth, every nodeMonitorPeriodMs: a node whose Lease (kube-node-lease/<node>) and
//   Ready heartbeat have not moved for nodeMonitorGracePeriodMs gets its conditions set to Unknown
//   and the node.kubernetes.io/unreachable:NoExecute taint; once the kubelet is heard again the
//   taint goes (Ready=False from the kubelet gives node.kubernetes.io/not-ready instead).
// - the eviction queue, keyed by node name: pods on a node with NoExecute taints they do not
//   tolerate are deleted, at once or when their tolerationSeconds run out.
// Control-plane nodes are treated like any other.
import { findResource } from '../../api/resources.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import { createWorkQueue } from '../../client/workqueue.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { errorText, runController, waitForCacheSync } from '../controllerUtils/runController.ts';
import {
  conditionsAfterLostContact,
  DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
  DEFAULT_NODE_MONITOR_PERIOD_MS,
  desiredHealthTaint,
  NodeHealthTracker,
  readyStatus,
  taintsWithHealth,
} from './nodeHealth.ts';
import { planEvictions, type Taint } from './taints.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export type NodeLifecycleControllerDeps = ControllerDeps & {
  /** --node-monitor-grace-period; default 40 s. */
  nodeMonitorGracePeriodMs?: number;
  /** --node-monitor-period; default 5 s. */
  nodeMonitorPeriodMs?: number;
  /** Clock seam for tests (health probes, taint times, toleration deadlines). */
  now?: () => number;
  queue?: WorkQueue<string>;
};

export interface NodeLifecycleController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** One health pass over every node (exported for tests). */
  monitorNodeHealth(): Promise<void>;
  /** The eviction pass for one node (exported for tests). */
  syncEvictions(nodeName: string): Promise<void>;
}

/** Kubernetes timestamps have whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function newNodeLifecycleController(deps: NodeLifecycleControllerDeps): NodeLifecycleController {
  const { client, informers, recorder } = deps;
  const log = deps.log.child({ controller: 'nodelifecycle' });
  const now = deps.now ?? Date.now;
  const gracePeriodMs = deps.nodeMonitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS;
  const periodMs = deps.nodeMonitorPeriodMs ?? DEFAULT_NODE_MONITOR_PERIOD_MS;
  const queue = deps.queue ?? createWorkQueue();
  const nodesResource = findResource('', 'v1', 'nodes')!;
  const podsResource = findResource('', 'v1', 'pods')!;
  const leasesResource = findResource('coordination.k8s.io', 'v1', 'leases')!;
  const nodes: Informer<KubeObject> = informers.informerFor(nodesResource);
  const pods: Informer<KubeObject> = informers.informerFor(podsResource);
  const leases: Informer<KubeObject> = informers.informerFor(leasesResource, NODE_LEASE_NAMESPACE);
  const nodeClient = client.resource(nodesResource);
  const tracker = new NodeHealthTracker();

  nodes.addEventHandler({
    onAdd: (n) => queue.add(n.metadata.name),
    onUpdate: (_o, n) => queue.add(n.metadata.name),
    onDelete: (n) => tracker.forget(n.metadata.name),
  });
  const enqueuePodNode = (p: KubeObject) => {
    if (typeof p.spec?.nodeName === 'string' && p.spec.nodeName) queue.add(p.spec.nodeName);
  };
  pods.addEventHandler({ onAdd: enqueuePodNode, onUpdate: (_o, p) => enqueuePodNode(p) });

  async function checkNode(cached: KubeObject): Promise<void> {
    const name = cached.metadata.name;
    const lease = leases.lister.get(NODE_LEASE_NAMESPACE, name);
    const nowMs = now();
    const stale = nowMs - tracker.observe(cached, lease, nowMs) > gracePeriodMs;
    let node = cached;
    if (stale) {
      const conditions = conditionsAfterLostContact(node, rfc3339(nowMs));
      if (conditions) {
        const copy = structuredClone(node);
        copy.status = { ...(copy.status ?? {}), conditions };
        node = await nodeClient.updateStatus(copy);
        log.info({ node: name, silentForMs: nowMs - tracker.observe(node, lease, nowMs) }, 'node stopped posting status; conditions set to Unknown');
        recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const taints = taintsWithHealth(node.spec?.taints ?? [], desiredHealthTaint(readyStatus(node), stale), rfc3339(nowMs));
    if (taints) {
      await nodeClient.patch(name, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } });
      log.info({ node: name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'node health taints updated');
    }
  }

  async function monitorNodeHealth(): Promise<void> {
    const seen = new Set<string>();
    for (const node of nodes.lister.list()) {
      seen.add(node.metadata.name);
      try {
        await checkNode(node);
      } catch (e) {
        // A conflict means the kubelet (or someone) wrote meanwhile: the next pass sees it.
        if (!isConflict(e) && !isNotFound(e)) log.warn({ node: node.metadata.name, err: errorText(e) }, 'updating node health failed');
      }
    }
    for (const name of tracker.names()) if (!seen.has(name)) tracker.forget(name);
  }

  async function syncEvictions(nodeName: string): Promise<void> {
    const node = nodes.lister.get(undefined, nodeName);
    if (!node) return; // pods of deleted nodes are the pod GC's
    const taints: Taint[] = node.spec?.taints ?? [];
    const nowMs = now();
    const plan = planEvictions(pods.lister.byIndex('nodeName', nodeName), taints, nowMs);
    const errors: unknown[] = [];
    for (const pod of plan.evictNow) {
      const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
      recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ref}`);
      try {
        await client.resource(podsResource, pod.metadata.namespace).delete(pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
        log.info({ pod: ref, node: nodeName }, 'evicted pod from tainted node');
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) errors.push(e);
      }
    }
    if (plan.nextAtMs !== undefined) queue.addAfter(nodeName, Math.max(0, plan.nextAtMs - nowMs));
    if (errors.length) throw errors[0];
  }

  return {
    monitorNodeHealth,
    syncEvictions,
    async run(workers, signal) {
      const monitor = (async () => {
        if (!(await waitForCacheSync([nodes, leases, pods], signal))) return;
        while (!signal.aborted) {
          await monitorNodeHealth();
          await sleep(periodMs, signal);
        }
      })();
      await Promise.all([runController({ name: 'nodelifecycle', queue, log, informers: [nodes, leases, pods], sync: syncEvictions }, workers, signal), monitor]);
    },
  };
}
