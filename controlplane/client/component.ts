// What every control-plane component does first: connect with its kubeconfig, share one informer
// factory and one event recorder, and act only while it holds its leader Lease (upstream:
// cmd/kube-scheduler and cmd/kube-controller-manager with --leader-elect, the default).
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadKubeconfig } from './kubeconfig.ts';
import { createClient, type ClosableClient } from './resourceClient.ts';
import { createInformerFactory } from './informerFactory.ts';
import { createEventRecorder } from './eventRecorder.ts';
import { runLeaderElection } from './leaderElection.ts';
import type { EventRecorder, InformerFactory } from './types.ts';

export interface ComponentConnection {
  client: ClosableClient;
  informers: InformerFactory;
  recorder: EventRecorder;
}

/** Every informer, watch and worker listens on one abort signal: far more than Node's default 10. */
export function allowManyListeners(signal: AbortSignal): void {
  setMaxListeners(0, signal);
}

export function connectComponent(kubeconfigPath: string, component: string, log: Logger): ComponentConnection {
  const client = createClient(loadKubeconfig(kubeconfigPath), { userAgent: `${component}/v1.32.4-k8ts` });
  return {
    client,
    informers: createInformerFactory(client, { logger: log }),
    recorder: createEventRecorder(client, { component, host: hostname() }, { logger: log }),
  };
}

export interface LeaderElectedOptions {
  conn: ComponentConnection;
  /** The Lease name in kube-system: kube-scheduler, kube-controller-manager. */
  lease: string;
  leaderElect: boolean;
  signal: AbortSignal;
  log: Logger;
  /** Runs while this instance leads; its signal aborts when leadership is lost. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs `run` under leader election. Losing the lease ends the process's work for good, as
 * upstream components exit ("leaderelection lost") and let their supervisor restart them.
 */
export async function runLeaderElected(o: LeaderElectedOptions): Promise<void> {
  allowManyListeners(o.signal);
  if (!o.leaderElect) {
    await o.run(o.signal);
    return;
  }
  // upstream identity: hostname + "_" + a random UUID
  const identity = `${hostname()}_${randomBytes(8).toString('hex')}`;
  let lost = false;
  await runLeaderElection({
    client: o.conn.client,
    namespace: 'kube-system',
    name: o.lease,
    identity,
    signal: o.signal,
    logger: o.log,
    releaseOnCancel: true,
    onStartedLeading: async (signal) => {
      allowManyListeners(signal);
      o.log.info({ lease: o.lease, identity }, 'became leader');
      await o.run(signal);
    },
    onStoppedLeading: () => {
      if (!o.signal.aborted) lost = true;
    },
  });
  if (lost) throw new Error(`leaderelection lost for ${o.lease}`);
}
