// The kubelet server end to end (root only): `kubectl logs -f`, `kubectl exec` (exit codes, stdin,
// and -it through a real pty), and `kubectl port-forward`, each going kubectl → API server →
// kubelet :10250 → containerd. kubectl runs inside the test's namespace, so the port it forwards
// listens on that namespace's loopback: the request is made there too.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGetIn } from '../../../lab/registry.ts';
import { busyboxPod, collect, inPty, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;
const FORWARDED_PORT = 18080;

const pod = (name: string, command: string, extra = '') => busyboxPod(name, command, { extra });

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  return exited;
}

describe.skipIf(!isRoot)('logs, exec and port-forward through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('kstr');
    await k.apply(pod('ticker', 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 0.5; done'));
    await k.apply(pod('shell', 'exec sleep 3600'));
    await k.apply(pod('web', 'mkdir -p /www && echo hello-through-the-tunnel > /www/index.html && exec httpd -f -p 80 -h /www', '    ports: [{ containerPort: 80 }]\n'));
    for (const name of ['ticker', 'shell', 'web']) await k.waitPod(name, (p) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  it('kubectl logs -f follows the container\'s output as it is written', async () => {
    const follow = k.spawnKubectl(['logs', '-f', 'ticker']);
    const out = collect(follow);
    try {
      await k.waitUntil('two lines', () => out().split('\n').length > 2);
      const lines = out().split('\n').filter(Boolean).length;
      // More lines arrive on the same stream: it follows rather than returning a snapshot.
      await k.waitUntil('more lines on the same stream', () => out().split('\n').filter(Boolean).length > lines + 2);
      expect(follow.exitCode).toBeNull();
      expect(out()).toMatch(/^line 0\nline 1\nline 2\n/);
    } finally {
      await stopChild(follow);
    }
    // tailLines and since work through the same path.
    expect((await k.kubectl(['logs', 'ticker', '--tail=1'])).stdout).toMatch(/^line \d+\n$/);
  }, 120_000);

  it('kubectl exec propagates the exit code and passes stdin', async () => {
    const failed = await k.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failed).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(failed.stderr).toContain('err\n');
    expect(await k.kubectl(['exec', 'shell', '--', 'true'])).toMatchObject({ code: 0 });
    // stdin reaches the command (stdin that ends: stdin.integration.test.ts).
    expect(await k.kubectl(['exec', '-i', 'shell', '--', 'head', '-n', '1'], 'from stdin\n')).toMatchObject({ code: 0, stdout: 'from stdin\n' });
    const missing = await k.kubectl(['exec', 'shell', '--', 'no-such-command']);
    expect(missing.code).not.toBe(0);
  }, 120_000);

  it('kubectl exec -it runs on a terminal inside the container', async () => {
    const kubectl = `kubectl --kubeconfig ${k.cp.kubeconfig} exec -it shell --`;
    const pty = inPty(`${kubectl} sh -c 'echo hi; tty; exit 4'`);
    const res = await k.execIn(pty.cmd, pty.args);
    // A terminal turns \n into \r\n; the command's tty is a pseudo-terminal of the container.
    expect(res.stdout).toContain('hi\r\n');
    expect(res.stdout).toMatch(/\/dev\/pts\/\d+\r\n/);
    expect(res.code).toBe(4);
    // Typed input reaches the shell through the pty.
    const typed = inPty(`${kubectl} sh`);
    const session = await k.execIn(typed.cmd, typed.args, 'echo typed-$((40+2))\nexit\n');
    expect(session.stdout).toContain('typed-42');
  }, 120_000);

  it('kubectl port-forward carries HTTP to the pod\'s port', async () => {
    const forward = k.spawnKubectl(['port-forward', 'pod/web', `${FORWARDED_PORT}:80`]);
    const out = collect(forward);
    try {
      await k.waitUntil('kubectl to listen', () => out().includes(`Forwarding from 127.0.0.1:${FORWARDED_PORT} -> 80`), 60);
      for (let i = 0; i < 3; i++) {
        const res = await httpGetIn(k.node.name, `http://127.0.0.1:${FORWARDED_PORT}/index.html`);
        expect(res).toMatchObject({ ok: true, status: 200, body: 'hello-through-the-tunnel\n' });
      }
      expect(out()).toContain(`Handling connection for ${FORWARDED_PORT}`);
    } finally {
      await stopChild(forward);
    }
  }, 120_000);
});
