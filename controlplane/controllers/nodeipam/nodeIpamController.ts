// Node IPAM, range allocator (upstream: pkg/controller/nodeipam/ipam/range_allocator.go): every
// Node without spec.podCIDR gets the lowest free block of the cluster CIDR (10.244.0.0/24,
// 10.244.1.0/24, ...). The set of held blocks is recomputed from the node cache on every sync,
// plus the blocks this process has assigned but not yet seen come back through the informer, so a
// restart or a missed event never hands one block to two nodes.
import { findResource } from '../../api/resources.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import { createWorkQueue } from '../../client/workqueue.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { runController } from '../controllerUtils/runController.ts';
import { CidrSet, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE } from './cidrSet.ts';

/** Retries per key before waiting for the next event (the controllers' usual 15). */
const MAX_RETRIES = 15;

export type NodeIpamControllerDeps = ControllerDeps & {
  /** Defaults to a new rate-limited queue. */
  queue?: WorkQueue<string>;
  /** --cluster-cidr; default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** --node-cidr-mask-size; default 24. */
  nodeCIDRMaskSize?: number;
};

export interface NodeIpamController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  /** One reconcile of one node (exported for tests). */
  sync(nodeName: string): Promise<void>;
}

/** All CIDRs a node holds: spec.podCIDR and spec.podCIDRs. */
export function nodeCidrs(node: KubeObject): string[] {
  const out = new Set<string>();
  if (typeof node.spec?.podCIDR === 'string' && node.spec.podCIDR) out.add(node.spec.podCIDR);
  for (const c of node.spec?.podCIDRs ?? []) if (typeof c === 'string') out.add(c);
  return [...out];
}

export function newNodeIpamController(deps: NodeIpamControllerDeps): NodeIpamController {
  const { client, informers, recorder } = deps;
  const queue = deps.queue ?? createWorkQueue();
  const log = deps.log.child({ controller: 'nodeipam' });
  const cidrs = new CidrSet(deps.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, deps.nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE);
  const nodesResource = findResource('', 'v1', 'nodes')!;
  const nodes: Informer<KubeObject> = informers.informerFor(nodesResource);
  const nodeClient = client.resource(nodesResource);
  /** nodeName → block assigned by this process and not yet seen on the node in the cache. */
  const inFlight = new Map<string, string>();

  nodes.addEventHandler({
    onAdd: (n) => queue.add(n.metadata.name),
    onUpdate: (_old, n) => queue.add(n.metadata.name),
    onDelete: (n) => {
      queue.add(n.metadata.name);
      // Its block is free again: nodes still waiting for one may get it.
      for (const other of nodes.lister.list()) if (nodeCidrs(other).length === 0) queue.add(other.metadata.name);
    },
  });

  async function sync(name: string): Promise<void> {
    const node = nodes.lister.get(undefined, name);
    if (!node || nodeCidrs(node).length > 0) {
      inFlight.delete(name);
      return;
    }
    let cidr = inFlight.get(name);
    if (!cidr) {
      const used: string[] = [];
      for (const n of nodes.lister.list()) used.push(...nodeCidrs(n));
      for (const [other, c] of inFlight) if (other !== name) used.push(c);
      cidr = cidrs.nextFree(used);
      if (!cidr) {
        recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`no free /${cidrs.maskSize} left in the cluster CIDR for node ${name}`);
      }
      // Reserved before the first await: no other worker can pick it meanwhile.
      inFlight.set(name, cidr);
    }
    try {
      await nodeClient.patch(name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      log.info({ node: name, podCIDR: cidr }, 'set node PodCIDR');
    } catch (e) {
      inFlight.delete(name);
      if (isNotFound(e)) return;
      recorder.event(node, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw e;
    }
  }

  return {
    sync,
    run(workers, signal) {
      return runController({ name: 'nodeipam', queue, log, informers: [nodes], sync, maxRetries: MAX_RETRIES }, workers, signal);
    },
  };
}
