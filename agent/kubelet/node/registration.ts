// Registering the node with the API server (upstream: kubelet_node_status.go
// registerWithAPIServer / tryRegisterWithAPIServer). Create the Node with its first status; if
// it already exists — a restarted kubelet, a reinstalled machine — adopt it, bringing back the
// labels this kubelet owns. Retries forever with a doubling backoff, as upstream: a kubelet
// that cannot register has nothing else useful to do.
import type { Node, NodeStatus } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, type Client, type KubeObject } from '../../../controlplane/client/types.ts';
import type { Logger } from '../../../controlplane/client/log.ts';
import { initialNode, reconcileLabels, type NodeIdentity } from './initialNode.ts';
import type { BuiltStatus } from './nodeStatus.ts';
import { abortableSleep } from './sleep.ts';

// registerWithAPIServer: 100 ms doubling, capped at 7 s.
const REGISTER_RETRY_INITIAL_MS = 100;
const REGISTER_RETRY_MAX_MS = 7_000;

export type KubeNode = Node & KubeObject;

export interface Registered {
  node: KubeNode;
  /** True when this call created the Node (its condition flips are worth events). */
  created: boolean;
  built?: BuiltStatus;
}

export async function registerNode(o: {
  client: Client;
  identity: NodeIdentity;
  /** The status of a Node about to be created. */
  initialStatus(): Promise<BuiltStatus>;
  signal: AbortSignal;
  log: Logger;
}): Promise<Registered | undefined> {
  const nodes = o.client.r<KubeNode>('v1', 'nodes');
  let step = REGISTER_RETRY_INITIAL_MS;
  while (!o.signal.aborted) {
    try {
      return await tryRegister();
    } catch (e) {
      o.log.warn({ err: String(e), retryInMs: step }, 'unable to register node with API server');
      await abortableSleep(step, o.signal);
      step = Math.min(step * 2, REGISTER_RETRY_MAX_MS);
    }
  }
  return undefined;

  async function tryRegister(): Promise<Registered> {
    const built = await o.initialStatus();
    const node = { ...initialNode(o.identity), status: built.status as NodeStatus } as KubeNode;
    o.log.info({ node: o.identity.nodeName }, 'attempting to register node');
    try {
      const created = await nodes.create(node);
      o.log.info({ node: o.identity.nodeName }, 'successfully registered node');
      return { node: created, created: true, built };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    const existing = await nodes.get(o.identity.nodeName);
    const labels = reconcileLabels(existing, o.identity);
    const adopted = labels ? await nodes.patch(o.identity.nodeName, 'merge', { metadata: { labels } }) : existing;
    o.log.info({ node: o.identity.nodeName, labelsUpdated: !!labels }, 'node was previously registered');
    return { node: adopted, created: false };
  }
}
