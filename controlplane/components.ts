// The control-plane components as runnable units, and `k8ts server` that runs them all in one
// process, each started when what it needs is ready: storage → apiserver → scheduler and
// controller-manager (upstream analogue: k3s pkg/daemons/executor/embed.go). The scheduler and
// controller-manager talk to the API server over HTTPS with their own kubeconfigs, exactly as
// when they run as separate processes; if one fails, the whole server stops and says why.
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { connectComponent, runLeaderElected } from './client/component.ts';
import { runApiServer, type ApiServerConfig, type RunningControlPlaneApi } from './apiserver/run.ts';
import { runScheduler } from './scheduler/index.ts';
import { runControllerManager, type ControllerManagerOptions } from './controllers/manager.ts';

export interface ComponentOptions {
  kubeconfig: string;
  leaderElect: boolean;
  signal: AbortSignal;
  log: Logger;
}

export async function runSchedulerComponent(o: ComponentOptions): Promise<void> {
  const conn = connectComponent(o.kubeconfig, 'default-scheduler', o.log);
  try {
    await runLeaderElected({
      conn,
      lease: 'kube-scheduler',
      leaderElect: o.leaderElect,
      signal: o.signal,
      log: o.log,
      run: async (signal) => {
        conn.informers.start(signal);
        await runScheduler({ client: conn.client, informers: conn.informers, recorder: conn.recorder, signal, log: o.log });
      },
    });
  } finally {
    conn.client.close();
  }
}

export async function runControllerManagerComponent(o: ComponentOptions & ControllerManagerOptions): Promise<void> {
  const conn = connectComponent(o.kubeconfig, 'kube-controller-manager', o.log);
  try {
    await runLeaderElected({
      conn,
      lease: 'kube-controller-manager',
      leaderElect: o.leaderElect,
      signal: o.signal,
      log: o.log,
      run: (signal) => runControllerManager({ client: conn.client, informers: conn.informers, recorder: conn.recorder, log: o.log }, o, signal),
    });
  } finally {
    conn.client.close();
  }
}

export interface ServerConfig extends ApiServerConfig, ControllerManagerOptions {
  /** Run only the API server (no scheduler, no controllers). */
  disable?: ('scheduler' | 'controller-manager')[];
}

export interface RunningServer {
  api: RunningControlPlaneApi;
  /** Settles when a component stops on its own (with its error) — the process should exit then. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function runServer(c: ServerConfig): Promise<RunningServer> {
  const api = await runApiServer(c);
  const controller = new AbortController();
  const log = pino({ level: c.logLevel ?? 'info' });
  const components: Promise<void>[] = [];
  const common = { leaderElect: true, signal: controller.signal };
  if (!c.disable?.includes('scheduler')) {
    components.push(runSchedulerComponent({ ...common, kubeconfig: join(c.dataDir, 'scheduler.kubeconfig'), log: log.child({ name: 'scheduler' }) }));
  }
  if (!c.disable?.includes('controller-manager')) {
    components.push(
      runControllerManagerComponent({
        ...common,
        kubeconfig: join(c.dataDir, 'controller-manager.kubeconfig'),
        log: log.child({ name: 'controller-manager' }),
        clusterCIDR: c.clusterCIDR,
        nodeMonitorGracePeriodMs: c.nodeMonitorGracePeriodMs,
        controllers: c.controllers,
      }),
    );
  }
  const done = Promise.race(components.map((p) => p.then(() => {
    if (!controller.signal.aborted) throw new Error('a control-plane component stopped');
  })));
  return {
    api,
    done,
    async stop() {
      controller.abort();
      await Promise.allSettled(components);
      await api.stop();
    },
  };
}
