// Shared by the integration tests of the namespace, garbage collector, service account, node IPAM,
// node lifecycle, pod GC and PV controllers: a real API server (its own process), a client, an
// informer factory and an event recorder, and the controllers under test run in this process.
import { setMaxListeners } from 'node:events';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../../test/support/controlPlane.ts';
import { createClient, createEventRecorder, createInformerFactory, loadKubeconfig, type ClosableClient, type FlushableEventRecorder, type InformerFactory } from '../../client/index.ts';

export interface Harness {
  cp: ControlPlane;
  client: ClosableClient;
  informers: InformerFactory;
  recorder: FlushableEventRecorder;
  log: pino.Logger;
  signal: AbortSignal;
  /** Starts the informers and the given controller runs (each `(signal) => controller.run(n, signal)`). */
  run(...runs: ((signal: AbortSignal) => Promise<void>)[]): void;
  stop(): Promise<void>;
}

/** The server runs without its own controller-manager: only the controllers under test act. */
export async function startHarness(): Promise<Harness> {
  const cp = await startControlPlane({ args: ['--disable', 'controller-manager'] });
  const client = createClient(loadKubeconfig(cp.kubeconfig), { userAgent: 'k8ts-controller-test' });
  const informers = createInformerFactory(client);
  const recorder = createEventRecorder(client, { component: 'controller-test' });
  const log = pino({ level: process.env.K8TS_TEST_LOG ?? 'silent' });
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // one abort listener per informer (the GC has one per resource)
  const running: Promise<void>[] = [];
  return {
    cp,
    client,
    informers,
    recorder,
    log,
    signal: ac.signal,
    run(...runs) {
      informers.start(ac.signal);
      for (const r of runs) running.push(r(ac.signal));
    },
    async stop() {
      ac.abort();
      await Promise.allSettled(running);
      await recorder.flush().catch(() => {});
      client.close();
      await cp.stop();
    },
  };
}

/** Polls until cond holds (bounded: about 30 s), then returns its value. */
export async function until<T>(cond: () => T | undefined | false | Promise<T | undefined | false>, what: string, tries = 600): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
