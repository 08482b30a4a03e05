// stdin that ends, through the real kubectl (root only): kubectl 1.32 → API server → kubelet
// (WebSocket v5) → containerd's stream server (SPDY/3.1). When kubectl's stdin reaches its end it
// sends v5's close message; the kubelet half-closes the runtime's stdin stream, so a command that
// reads its input to the end (cat, wc, tar) finishes and `kubectl exec -i` returns. `kubectl cp`
// into a pod is `tar xf -` over exec with exactly that stdin.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxPod, inPty, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!isRoot)('kubectl exec -i with stdin that ends, and kubectl cp', () => {
  let k: KubectlNode;
  let work: string;

  beforeAll(async () => {
    k = await startKubectlNode('kstdin');
    work = join(k.node.dir, 'stdin-files');
    mkdirSync(work, { recursive: true });
    await k.apply(busyboxPod('reader', 'exec sleep 3600'));
    await k.waitPod('reader', (p) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  it('piped stdin reaches cat, and cat returns at its end', async () => {
    const res = await k.kubectl(['exec', '-i', 'reader', '--', 'cat'], 'hello\n');
    expect(res).toMatchObject({ code: 0, stdout: 'hello\n' });
    // Empty stdin: the command sees end of file at once.
    expect(await k.kubectl(['exec', '-i', 'reader', '--', 'cat'], '')).toMatchObject({ code: 0, stdout: '' });
  }, 120_000);

  it('wc -c counts every byte of a piped megabyte', async () => {
    const input = randomBytes(512 * 1024).toString('hex'); // 1 MiB of text
    const res = await k.kubectl(['exec', '-i', 'reader', '--', 'wc', '-c'], input);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(String(input.length));
    // The bytes arrive intact and in order, not only in number.
    const digest = await k.kubectl(['exec', '-i', 'reader', '--', 'sha256sum'], input);
    expect(digest.stdout.split(' ')[0]).toBe(sha256(input));
  }, 120_000);

  it('the exit code of a command that consumed its stdin comes back', async () => {
    const res = await k.kubectl(['exec', '-i', 'reader', '--', 'sh', '-c', 'n=$(wc -l); echo "lines $n" >&2; exit 5'], 'a\nb\nc\n');
    expect(res.code).toBe(5);
    expect(res.stderr).toContain('lines 3');
  }, 120_000);

  it('kubectl cp copies a file and a directory into the pod, and back out', async () => {
    const file = randomBytes(200 * 1024);
    writeFileSync(join(work, 'blob.bin'), file);
    const up = await k.kubectl(['cp', join(work, 'blob.bin'), 'reader:/tmp/blob.bin']);
    expect(up).toMatchObject({ code: 0 });
    const inPod = await k.kubectl(['exec', 'reader', '--', 'sha256sum', '/tmp/blob.bin']);
    expect(inPod.stdout.split(' ')[0]).toBe(sha256(file));

    mkdirSync(join(work, 'tree/sub'), { recursive: true });
    writeFileSync(join(work, 'tree/a.txt'), 'alpha\n');
    writeFileSync(join(work, 'tree/sub/b.txt'), 'beta\n');
    expect(await k.kubectl(['cp', join(work, 'tree'), 'reader:/tmp/tree'])).toMatchObject({ code: 0 });
    expect(await k.kubectl(['exec', 'reader', '--', 'cat', '/tmp/tree/a.txt', '/tmp/tree/sub/b.txt'])).toMatchObject({ code: 0, stdout: 'alpha\nbeta\n' });

    // Out of the pod: `tar cf -` on stdout, no stdin involved.
    expect(await k.kubectl(['cp', 'reader:/tmp/blob.bin', join(work, 'back.bin')])).toMatchObject({ code: 0 });
    expect(sha256(readFileSync(join(work, 'back.bin')))).toBe(sha256(file));
  }, 180_000);

  it('exec -it on a terminal still works beside it (exit code, typed input)', async () => {
    const kubectl = `kubectl --kubeconfig ${k.cp.kubeconfig} exec -it reader --`;
    const pty = inPty(`${kubectl} sh -c 'tty; exit 4'`);
    const res = await k.execIn(pty.cmd, pty.args);
    expect(res.stdout).toMatch(/\/dev\/pts\/\d+\r\n/);
    expect(res.code).toBe(4);
    const typed = inPty(`${kubectl} sh`);
    const session = await k.execIn(typed.cmd, typed.args, 'echo typed-$((40+2))\nexit\n');
    expect(session.stdout).toContain('typed-42');
  }, 120_000);
});
