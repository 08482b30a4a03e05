// The exec probe (upstream pkg/probe/exec): run the command in the container through CRI
// ExecSync; exit 0 succeeds, any other exit code fails with the command's output as the message.
import type { EnvVar } from 'kubernetes-types/core/v1.js';
import { ExecTimeoutError, type ExecSync, type ProbeOutcome } from './types.ts';

/** Output kept for the event message; upstream pkg/probe/exec maxReadLength (10 KiB). */
export const MAX_EXEC_OUTPUT_BYTES = 10 * 1024;

function limitedOutput(stdout: Buffer | string, stderr: Buffer | string): string {
  // Upstream's runtime client hands the probe stdout followed by stderr, cut at 10 KiB.
  const all = Buffer.concat([Buffer.from(stdout), Buffer.from(stderr)]);
  return all.subarray(0, MAX_EXEC_OUTPUT_BYTES).toString('utf8');
}

export async function execProbe(execSync: ExecSync, containerId: string, cmd: string[], timeoutSeconds: number): Promise<ProbeOutcome> {
  try {
    const res = await execSync(containerId, cmd, timeoutSeconds);
    const output = limitedOutput(res.stdout, res.stderr);
    return { result: res.exitCode === 0 ? 'success' : 'failure', output };
  } catch (err) {
    // A command that outlives timeoutSeconds is a failure (feature ExecProbeTimeout, GA since
    // 1.20); the timeout's text is the output since the command left none.
    if (err instanceof ExecTimeoutError) return { result: 'failure', output: err.message };
    return { result: 'unknown', output: '', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Expands $(VAR) in a probe command from the container's env entries that have a plain value
 * (upstream ExpandContainerCommandOnlyStatic: probes get no downward API or secret values).
 * `$$` is a literal `$`; an unknown $(VAR) stays as written.
 */
export function expandStaticCommand(cmd: string[], env: EnvVar[] | undefined): string[] {
  const values = new Map<string, string>();
  for (const e of env ?? []) if (!e.valueFrom) values.set(e.name, e.value ?? '');
  return cmd.map((arg) => expandOne(arg, values));
}

function expandOne(input: string, values: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += values.has(name) ? values.get(name) : `$(${name})`;
      i = close;
    } else {
      out += c + next;
      i++;
    }
  }
  return out;
}
