// Running host tools (ip, sysctl, nsenter, ctr, skopeo, mmdebstrap) from the lab.
//
//   run(cmd, args, opts?)      → stdout; throws CommandError (with stderr) on a non-zero exit
//   tryRun(cmd, args, opts?)   → { code, stdout, stderr }, never throws on a non-zero exit
//   ensurePackages(pkgs)       → apt-get install of the Debian packages whose binaries are missing
//   timed(log, step, fn)       → runs fn, logging "step … done in 1.2s"
//
// Commands get no shell: arguments are passed as they are.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Progress output of the lab: one line per call. */
export type LabLogger = (line: string) => void;

export const silentLogger: LabLogger = () => {};

/** Large enough for `iptables-save` of a busy node or a `ctr` listing. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} exited with ${code}: ${stderr.trim() || stdout.trim()}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tryRun(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(new CommandError([cmd, ...args], null, stdout, `${stderr}${err.message}`));
          return;
        }
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const res = await tryRun(cmd, args, opts);
  if (res.code !== 0) throw new CommandError([cmd, ...args], res.code, res.stdout, res.stderr);
  return res.stdout;
}

/** Installs the Debian packages (key) whose binary (value) is missing; `apt-get update` once if needed. */
export async function ensurePackages(binaries: Record<string, string>, log: LabLogger = silentLogger): Promise<void> {
  const missing = Object.entries(binaries)
    .filter(([, bin]) => !existsSync(bin))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-q', ...missing], { env });
  try {
    await install();
  } catch {
    await run('apt-get', ['update', '-q'], { env });
    await install();
  }
}

export async function timed<T>(log: LabLogger, step: string, fn: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  log(`${step} …`);
  const result = await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`${step} done in ${seconds.toFixed(1)}s`);
  return result;
}
