// Starts `k8ts server` as its own process on a free loopback port with a fresh data dir, the way a
// user does, and gives tests its kubeconfig and a kubectl runner. stop() ends it by PID.
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
export const K8TS_BIN = join(ROOT, 'bin/k8ts.mjs');

export interface ControlPlane {
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; allowFail?: boolean }): Promise<{ stdout: string; stderr: string; code: number }>;
  stop(): Promise<void>;
  /** kill -9: what a crash looks like. */
  crash(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  keepDataDir?: boolean;
  /** Also run the scheduler and controller-manager (default: the API server alone). */
  full?: boolean;
}

export async function startControlPlane(o: StartOptions = {}): Promise<ControlPlane> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-cp-'));
  const proc = spawn(process.execPath, [K8TS_BIN, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', '--log-level', 'warn', ...(o.full ? [] : ['--disable', 'scheduler', '--disable', 'controller-manager']), ...(o.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`k8ts server did not become ready:\n${stderr}`)), 90_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/apiserver ready at (https:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`k8ts server exited with ${code}:\n${stderr}`));
    });
  });
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  const cacheDir = join(dataDir, 'kubectl-cache');
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const kill = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      await exited;
    }
  };
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    kubeconfig,
    proc,
    async kubectl(args, opts = {}) {
      const child = execFileP('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
        env: { ...process.env, ...opts.env },
        maxBuffer: 32 * 1024 * 1024,
        timeout: 60_000,
      });
      if (opts.input !== undefined) {
        child.child.stdin!.end(opts.input);
      }
      try {
        const { stdout, stderr } = await child;
        return { stdout, stderr, code: 0 };
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; code?: number };
        if (!opts.allowFail) throw new Error(`kubectl ${args.join(' ')} failed (${err.code}):\n${err.stderr}${err.stdout}`);
        return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: typeof err.code === 'number' ? err.code : 1 };
      }
    },
    async stop() {
      await kill('SIGTERM');
      if (!o.keepDataDir && !o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async crash() {
      await kill('SIGKILL');
    },
  };
}
