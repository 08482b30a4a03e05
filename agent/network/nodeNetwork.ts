// The node's pod network: one level-triggered loop over the Nodes. Any Node event queues a
// single key; reconcile() then reads the informer cache and converges everything at once —
// the CNI conflist and masquerade rule for this node's podCIDR (once node IPAM has assigned
// one), and a route to every other node's podCIDR. A periodic resync heals what someone changed
// by hand. The kubelet runs this; nothing here needs the pods.
import type { Node } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../controlplane/api/resources.ts';
import { createInformerFactory } from '../../controlplane/client/informerFactory.ts';
import { createWorkQueue } from '../../controlplane/client/workqueue.ts';
import type { Client, KubeObject } from '../../controlplane/client/types.ts';
import type { Logger } from '../../controlplane/client/log.ts';
import { createCommandRunner } from '../proxy/exec.ts';
import { renderConflist, writeConflist } from './cniConfig.ts';
import { syncMasquerade } from './masquerade.ts';
import { desiredRoutes, syncRoutes } from './podRoutes.ts';

/** How often everything is re-checked without an event (flannel re-checks routes every 10 s). */
export const NETWORK_RESYNC_MS = 30_000;
/** Errors are retried with the queue's backoff, at most this far apart. */
const MAX_RETRY_DELAY_MS = 30_000;
const KEY = 'node-network';

export interface NodeNetworkOptions {
  client: Client;
  nodeName: string;
  /** containerd's CRI cni.conf_dir. */
  cniConfDir: string;
  /** host-local's dataDir for this node's address allocations. */
  cniDataDir: string;
  /** --cluster-cidr: every pod network; traffic leaving it is masqueraded. */
  clusterCIDR: string;
  /** Run ip/iptables inside this network namespace (a name under /run/netns or a path) via nsenter. */
  netns?: string;
  signal: AbortSignal;
  log: Logger;
  resyncMs?: number;
}

export interface NodeNetworkHandle {
  /** Resolves once the conflist has been written for the node's podCIDR. */
  cniReady: Promise<string>;
  done: Promise<void>;
}

export function startNodeNetwork(o: NodeNetworkOptions): NodeNetworkHandle {
  const log = o.log.child({ component: 'node-network', node: o.nodeName });
  const run = createCommandRunner(o.netns);
  const informers = createInformerFactory(o.client, { logger: log });
  const nodes = informers.informerFor<Node & KubeObject>(findResource('', 'v1', 'nodes')!);
  const queue = createWorkQueue<string>({ maxDelayMs: MAX_RETRY_DELAY_MS });
  const enqueue = () => queue.add(KEY);
  nodes.addEventHandler({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue });

  let resolveCni!: (podCIDR: string) => void;
  const cniReady = new Promise<string>((r) => (resolveCni = r));
  let podCIDRSeen: string | undefined;

  const reconcile = async () => {
    const all = nodes.lister.list();
    const self = all.find((n) => n.metadata.name === o.nodeName);
    const podCIDR = self?.spec?.podCIDR;
    // Step 1: this node's own pod network, once it has a range.
    if (podCIDR) {
      const result = await writeConflist(o.cniConfDir, renderConflist(podCIDR, o.cniDataDir), log);
      if (result !== 'unchanged') log.info({ podCIDR, confDir: o.cniConfDir, result }, 'wrote CNI config for the node\'s podCIDR');
      await syncMasquerade(run, podCIDR, o.clusterCIDR);
      if (podCIDRSeen !== podCIDR) {
        podCIDRSeen = podCIDR;
        resolveCni(podCIDR);
      }
    } else if (self) {
      log.debug('waiting for node IPAM to assign a podCIDR');
    }
    // Step 2: routes to every other node's pods.
    await syncRoutes(run, desiredRoutes(all, o.nodeName), log);
  };

  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile();
        queue.forget(key);
      } catch (e) {
        log.warn({ err: String(e), retry: queue.numRequeues(key) + 1 }, 'node network sync failed, will retry');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };

  const done = (async () => {
    informers.start(o.signal);
    const resync = setInterval(enqueue, o.resyncMs ?? NETWORK_RESYNC_MS);
    o.signal.addEventListener('abort', () => {
      clearInterval(resync);
      queue.shutDown();
    }, { once: true });
    try {
      await informers.waitForSync(o.signal);
    } catch {
      return; // stopped before the cache synced
    }
    enqueue();
    await worker();
  })();
  return { cniReady, done };
}
