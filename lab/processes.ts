// Long-running lab processes (containerd, the registry, later the kubelet and proxy): started
// inside a node's namespace, detached so they outlive `k8ts lab up`, their PID written to a file,
// and stopped by that PID only.
//
//   startDaemon({ ns, cmd, args, logFile, pidFile })  → pid
//   stopDaemon(pidFile, marker)   SIGTERM, then SIGKILL after a grace period; removes the pid file
//   daemonPid(pidFile, marker)    the recorded PID if that process is still running, else undefined
//   waitFor(what, check)          bounded polling (never a timed assertion)
//
// `marker` is a string the process's command line must contain (e.g. its config file path): a PID
// recycled by an unrelated process is then never signalled.

import { spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnIn } from './netns.ts';

/** Between SIGTERM and SIGKILL; containerd and the registry stop in well under a second. */
const STOP_GRACE_MS = 10_000;
const POLL_MS = 50;

export interface DaemonSpec {
  /** Network namespace to run in; absent: the root namespace (the lab's loopback relay). */
  ns?: string;
  cmd: string;
  args: string[];
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function startDaemon(spec: DaemonSpec): number {
  const log = openSync(spec.logFile, 'a');
  const options: SpawnOptions = { detached: true, stdio: ['ignore', log, log], env: spec.env ?? process.env, cwd: spec.cwd };
  const child = spec.ns === undefined ? spawn(spec.cmd, spec.args, options) : spawnIn(spec.ns, spec.cmd, spec.args, options);
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${spec.cmd} in ${spec.ns ?? 'the root namespace'}`);
  child.unref();
  writeFileSync(spec.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** True when pid runs and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export function daemonPid(pidFile: string, marker: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (!processAlive(pid) || !commandLine(pid).includes(marker)) return undefined;
  return pid;
}

export async function stopDaemon(pidFile: string, marker: string): Promise<void> {
  const pid = daemonPid(pidFile, marker);
  if (pid !== undefined) await stopPid(pid);
  rmSync(pidFile, { force: true });
}

export async function stopPid(pid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await sleep(POLL_MS);
  if (!processAlive(pid)) return;
  signal(pid, 'SIGKILL');
  await waitFor(`process ${pid} to exit after SIGKILL`, () => !processAlive(pid));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls check until it returns true (or a value); throws after `attempts` polls. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, opts: { attempts?: number; intervalMs?: number } = {}): Promise<NonNullable<T>> {
  const attempts = opts.attempts ?? 400;
  const interval = opts.intervalMs ?? POLL_MS;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    await sleep(interval);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
