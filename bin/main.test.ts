// The `k8ts` command line: help for every component, clear errors for bad usage.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, 'k8ts.mjs');

async function k8ts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('k8ts command line', () => {
  it('lists the components', async () => {
    const { code, stdout } = await k8ts('--help');
    expect(code).toBe(0);
    for (const c of ['server', 'apiserver', 'scheduler', 'controller-manager', 'kubelet', 'proxy', 'lab']) expect(stdout).toContain(`  ${c} `);
  });

  it.each(['server', 'apiserver', 'scheduler', 'controller-manager', 'kubelet', 'proxy', 'lab'])('%s --help prints its usage', async (c) => {
    const { code, stdout } = await k8ts(c, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(c === 'lab' ? 'Usage: k8ts lab <command>' : `Usage: k8ts ${c} [flags]`);
  });

  it('server --help names the storage flags', async () => {
    const { stdout } = await k8ts('server', '--help');
    for (const f of ['--data-dir', '--bind-address', '--secure-port', '--storage', '--etcd-servers']) expect(stdout).toContain(f);
  });

  it('an unknown component or flag is exit code 2 with usage', async () => {
    const unknown = await k8ts('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown component "frobnicate"');
    const badFlag = await k8ts('server', '--no-such-flag');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("Unknown option '--no-such-flag'");
  });

  it('a bad flag value fails with a message, before anything starts', async () => {
    const r = await k8ts('server', '--storage', 'mongodb', '--data-dir', '/nonexistent/k8ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--storage must be sqlite or etcd');
    const port = await k8ts('server', '--secure-port', 'abc', '--data-dir', '/nonexistent/k8ts');
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('--secure-port must be a non-negative number');
  });

  it('lab with an unknown subcommand says what it takes', async () => {
    const r = await k8ts('lab', 'frobnicate');
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/up|down|status/);
  });
});
