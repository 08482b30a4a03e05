// Network namespaces owned by one benchmark run, and a command runner that times every command
// it runs inside one. Names carry the run's PID, so a later run removes what a killed run left
// behind (and only that); Ctrl-C and SIGTERM end the commands still running and remove the
// namespaces before the process exits.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { CommandResult, CommandRunner } from '../../agent/proxy/exec.ts';

const PREFIX = 'kbench-proxy-';

const owned = new Set<string>();
const running = new Set<ChildProcess>();
let counter = 0;
let handlersInstalled = false;

function tryIp(...args: string[]): string | undefined {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces of earlier runs whose process is gone. */
export function removeLeftoverNamespaces(): string[] {
  const removed: string[] = [];
  for (const line of (tryIp('netns', 'list') ?? '').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-\\d+$`).exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      tryIp('netns', 'del', name);
      removed.push(name);
    }
  }
  return removed;
}

/** Kills the commands still running and removes every namespace this run created. */
export function removeAllNamespaces(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const ns of owned) tryIp('netns', 'del', ns);
  owned.clear();
}

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: removing the benchmark's namespaces`);
      removeAllNamespaces();
      process.exit(code);
    });
  }
  // Last resort for an uncaught error: synchronous, so it works inside 'exit'.
  process.once('exit', removeAllNamespaces);
}

/** A fresh, empty network namespace (only a loopback that is down: nothing can send). */
export function createNamespace(): string {
  installSignalHandlers();
  const name = `${PREFIX}${process.pid}-${counter++}`;
  tryIp('netns', 'del', name);
  execFileSync('ip', ['netns', 'add', name], { stdio: ['ignore', 'pipe', 'pipe'] });
  owned.add(name);
  return name;
}

export function deleteNamespace(name: string): void {
  tryIp('netns', 'del', name);
  owned.delete(name);
}

/** Runs fn with a fresh namespace and removes it afterwards, whatever happens. */
export async function withNamespace<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = createNamespace();
  try {
    return await fn(ns);
  } finally {
    deleteNamespace(ns);
  }
}

export interface CommandRecord {
  argv: string[];
  input: string;
  ms: number;
  code: number;
}

export interface TimedRunner {
  run: CommandRunner;
  /** Every command since the last reset, in order. */
  records: CommandRecord[];
  reset(): void;
  /** Milliseconds spent in commands whose program is one of these. */
  msIn(...programs: string[]): number;
}

/**
 * A CommandRunner for the proxiers that runs inside `ns` through nsenter, kills a command that
 * outlives timeoutMs (its result is then a failure, as any other), and records each command's
 * argv, input and wall time.
 */
export function timedRunner(ns: string, timeoutMs: number): TimedRunner {
  const records: CommandRecord[] = [];
  const run: CommandRunner = (argv, opts = {}) =>
    new Promise<CommandResult>((resolve) => {
      const input = opts.input ?? '';
      const t0 = performance.now();
      const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', ...argv], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
      running.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      let done = false;
      const finish = (code: number, extra = '') => {
        if (done) return; // 'error' may come before 'close'
        done = true;
        running.delete(child);
        records.push({ argv, input, ms: performance.now() - t0, code });
        resolve({ code, stdout, stderr: stderr + extra });
      };
      child.on('error', (e) => finish(127, e.message));
      child.on('close', (code, signal) => finish(code ?? 1, signal ? ` (killed by ${signal} after the ${timeoutMs / 1000} s limit)` : ''));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    });
  return {
    run,
    records,
    reset: () => void records.splice(0),
    msIn: (...programs) => records.filter((r) => programs.includes(r.argv[0]!)).reduce((s, r) => s + r.ms, 0),
  };
}
