// The processes of a one-machine cluster inside one network namespace, for the kubelet's
// integration tests: `k8ts server` (API server, scheduler, controllers) bound to the namespace's
// loopback, the kubelet (`k8ts kubelet`), and kubectl — all entered with nsenter, so the
// API server, the node's pods and every client share one network and nothing leaves it.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnIn, tryExecIn } from '../../../lab/netns.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const K8TS_BIN = join(ROOT, 'bin/k8ts.mjs');
/** A first start creates the SQLite store and certificates. */
const SERVER_READY_TIMEOUT_MS = 90_000;

export interface NodeProcess {
  proc: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

function track(proc: ChildProcess): NodeProcess {
  let out = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export interface NamespacedControlPlane extends NodeProcess {
  dataDir: string;
  kubeconfig: string;
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
}

export async function startControlPlaneIn(ns: string): Promise<NamespacedControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-cp-'));
  const p = track(spawnIn(ns, process.execPath, [K8TS_BIN, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`k8ts server did not become ready:\n${p.output()}`)), SERVER_READY_TIMEOUT_MS);
    p.proc.stdout!.on('data', () => {
      if (/apiserver ready at/.test(p.output())) {
        clearTimeout(timer);
        ready();
      }
    });
    p.proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`k8ts server exited with ${code}:\n${p.output()}`));
    });
  });
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  return {
    ...p,
    dataDir,
    kubeconfig,
    kubectl: (args, input) => tryExecIn(ns, 'kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dataDir, 'kubectl-cache'), ...args], { input, timeoutMs: 60_000 }),
    async stop() {
      await p.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the kubelet in the namespace; flags as `k8ts kubelet` takes them. */
export function startKubeletIn(ns: string, flags: Record<string, string | boolean>): NodeProcess {
  const args = Object.entries(flags).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false ? [] : [`--${k}`, v]));
  return track(spawnIn(ns, process.execPath, [K8TS_BIN, 'kubelet', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT }));
}
