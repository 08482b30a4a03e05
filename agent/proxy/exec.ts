// Runs the rule tools (iptables-restore, nft, ipvsadm, conntrack, ip, sysctl). With a network
// namespace set, every command runs inside it through nsenter — how a test, or a lab node that is
// a namespace, points the proxy at its node while the proxy itself runs outside.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (argv: string[], opts?: { input?: string }) => Promise<CommandResult>;

export function createCommandRunner(netns?: string): CommandRunner {
  const prefix = netns ? ['nsenter', `--net=${netns.includes('/') ? netns : `/run/netns/${netns}`}`, '--'] : [];
  return (argv, opts = {}) =>
    new Promise((resolve) => {
      const full = [...prefix, ...argv];
      const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (e) => resolve({ code: 127, stdout, stderr: stderr + e.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
    });
}

/** Runs a command that must succeed; the error carries its stderr. */
export async function mustRun(run: CommandRunner, argv: string[], input?: string): Promise<string> {
  const r = await run(argv, { input });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
