// Starts a real single-member etcd (Debian's etcd-server) on loopback for tests, on free ports and
// a temporary data dir. Installs the package when it is missing, so tests run on a fresh machine.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ETCD_BIN = '/usr/bin/etcd';
const HEALTH_POLL_MS = 50;
const START_ATTEMPTS = 400; // 20 s of polling before giving up on a start

export interface EtcdServer {
  /** http://127.0.0.1:<port>, for EtcdBackend({ endpoints: [endpoint] }). */
  endpoint: string;
  dataDir: string;
  /** Stops etcd (by PID) and removes its data dir. */
  stop(): Promise<void>;
  /** kill -9, leaving the data dir as a crash leaves it. */
  kill(): Promise<void>;
  /** Starts etcd again on the same ports and data dir (after kill()). */
  restart(): Promise<void>;
}

export function ensureEtcdInstalled(): void {
  if (existsSync(ETCD_BIN)) return;
  const install = () => execFileSync('apt-get', ['install', '-y', 'etcd-server'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    install();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// etcd refuses to run on architectures other than amd64 unless told to (etcd 3.4 checkArch).
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export async function startEtcd(): Promise<EtcdServer> {
  ensureEtcdInstalled();
  const root = mkdtempSync(join(tmpdir(), 'k8ts-etcd-'));
  const dataDir = join(root, 'data');
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`, '--initial-cluster-state', 'new',
  ];
  const env = { ...process.env };
  if (process.arch !== 'x64') env.ETCD_UNSUPPORTED_ARCH = GOARCH[process.arch] ?? process.arch;

  let child: ChildProcess | undefined;
  const killOnExit = () => child?.pid && tryKill(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  const launch = async () => {
    const log = openSync(join(root, 'etcd.log'), 'a');
    child = spawn(ETCD_BIN, args, { env, stdio: ['ignore', log, log] });
    closeSync(log);
    const proc = child;
    for (let i = 0; i < START_ATTEMPTS; i++) {
      if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}; see ${join(root, 'etcd.log')}`);
      if (await healthy(client)) return;
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
    throw new Error(`etcd did not become healthy on ${client}; see ${join(root, 'etcd.log')}`);
  };

  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    tryKill(proc.pid, signal);
    await exited;
  };

  await launch();
  return {
    endpoint: client,
    dataDir,
    kill: () => kill('SIGKILL'),
    restart: launch,
    async stop() {
      await kill('SIGTERM');
      process.off('exit', killOnExit);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function healthy(client: string): Promise<boolean> {
  try {
    const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}
