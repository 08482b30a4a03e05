// exec probes through an ExecSync that answers like CRI: exit codes, output, timeouts, errors,
// and $(VAR) expansion from the container's literal env.
import { describe, expect, it } from 'vitest';
import { criExecSync } from './criExec.ts';
import { execProbe, expandStaticCommand, MAX_EXEC_OUTPUT_BYTES } from './execProbe.ts';
import { ExecTimeoutError, type ExecSync } from './types.ts';

describe('exec probe', () => {
  it('succeeds on exit 0 and fails on any other code with stdout then stderr as output', async () => {
    const calls: unknown[][] = [];
    const execSync: ExecSync = async (id, cmd, timeout) => {
      calls.push([id, cmd, timeout]);
      return cmd[0] === 'ok' ? { exitCode: 0, stdout: 'fine\n', stderr: '' } : { exitCode: 2, stdout: Buffer.from('out;'), stderr: Buffer.from('cat: /tmp/healthy: No such file or directory\n') };
    };
    expect(await execProbe(execSync, 'c1', ['ok'], 3)).toEqual({ result: 'success', output: 'fine\n' });
    expect(await execProbe(execSync, 'c1', ['cat', '/tmp/healthy'], 1)).toEqual({
      result: 'failure',
      output: 'out;cat: /tmp/healthy: No such file or directory\n',
    });
    expect(calls[0]).toEqual(['c1', ['ok'], 3]);
  });

  it('keeps at most 10 KiB of output', async () => {
    const out = await execProbe(async () => ({ exitCode: 1, stdout: 'a'.repeat(MAX_EXEC_OUTPUT_BYTES), stderr: 'b'.repeat(10) }), 'c1', ['x'], 1);
    expect(out.output).toBe('a'.repeat(MAX_EXEC_OUTPUT_BYTES));
  });

  it('fails on a timeout with the runtime client wording, and errors on other runtime failures', async () => {
    const cri = {
      async execSync(_id: string, cmd: string[]) {
        throw Object.assign(new Error('ExecSync: DeadlineExceeded: timeout 1s exceeded'), { code: cmd[0] === 'slow' ? 'DeadlineExceeded' : 'NotFound' });
      },
    };
    const execSync = criExecSync(cri);
    expect(await execProbe(execSync, 'c1', ['slow', '10'], 1)).toEqual({ result: 'failure', output: 'command "slow 10" timed out' });
    expect(await execProbe(execSync, 'c1', ['gone'], 1)).toEqual({ result: 'unknown', output: '', error: 'ExecSync: DeadlineExceeded: timeout 1s exceeded' });
    expect(new ExecTimeoutError(['sh', '-c', 'sleep 5'], 1).message).toBe('command "sh -c sleep 5" timed out');
  });

  it('maps the CRI answer (exit_code, buffers) to the probe result', async () => {
    const execSync = criExecSync({ execSync: async () => ({ exit_code: 1, stdout: Buffer.from('no'), stderr: Buffer.alloc(0) }) });
    expect(await execProbe(execSync, 'c1', ['x'], 1)).toEqual({ result: 'failure', output: 'no' });
  });

  it.each([
    ['$(FILE)', '/tmp/healthy'],
    ['cat $(FILE) $(MISSING)', 'cat /tmp/healthy $(MISSING)'],
    ['$$(FILE) costs $$5 $', '$(FILE) costs $5 $'],
    ['$(FROM_SECRET)', '$(FROM_SECRET)'],
    ['$(UNCLOSED', '$(UNCLOSED'],
  ])('expands %s to %s from literal env values only', (arg, want) => {
    const env = [
      { name: 'FILE', value: '/tmp/healthy' },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ];
    expect(expandStaticCommand([arg], env)).toEqual([want]);
  });
});
