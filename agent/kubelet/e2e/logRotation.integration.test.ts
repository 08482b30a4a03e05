// Container log rotation end to end (root only): the kubelet runs with a tiny
// --container-log-max-size and --container-log-max-files 3; a container writes steadily. Its log
// is rotated through containerd's ReopenContainerLog, older rotated files are gzipped, the
// count stays bounded, `kubectl logs` shows the current file, and `kubectl logs -f` goes on
// across a rotation to the lines written to the new file.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { busyboxPod, collect, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;
const MAX_FILES = 3;
/** A line of about 100 bytes every 50 ms: past the 4 KiB max size between two rotation checks. */
const CHATTY = 'i=0; while true; do echo "line $i $(printf %0100d 0)"; i=$((i+1)); sleep 0.05; done';

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  return exited;
}

/** The line numbers in CRI log text ("<time> stdout F line N ..."). */
function lineNumbers(text: string): number[] {
  return [...text.matchAll(/line (\d+) /g)].map((m) => Number(m[1]));
}

describe.skipIf(!isRoot)('container log rotation through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('klogr', { kubeletFlags: { 'container-log-max-size': '4Ki', 'container-log-max-files': String(MAX_FILES) } });
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  it('a log past the max size is rotated and compressed, at most max-files are kept, kubectl logs reads the current file', async () => {
    await k.apply(busyboxPod('chatty', CHATTY));
    const pod = await k.waitPod('chatty', (p: Pod) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
    const dir = join(k.node.dir, 'pod-logs', `default_chatty_${pod.metadata!.uid}`, 'main');
    const files = () => readdirSync(dir).sort();

    // Rotations happen on the kubelet's 10 s check: wait until the compressed files have been
    // replaced at least once (an older .gz dropped for a newer one), the count staying bounded.
    const seenGz = new Set<string>();
    let maxCount = 0;
    await k.waitUntil('three rotations', () => {
      const now = files();
      maxCount = Math.max(maxCount, now.length);
      for (const f of now) if (f.endsWith('.gz')) seenGz.add(f);
      return seenGz.size >= 2 && now.some((f) => f.endsWith('.gz'));
    }, 360);
    expect(maxCount).toBeLessThanOrEqual(MAX_FILES);

    const now = files();
    expect(now).toContain('0.log');
    const rotated = now.filter((f) => f !== '0.log');
    expect(rotated.length).toBeLessThanOrEqual(MAX_FILES - 1);
    for (const f of rotated) expect(f).toMatch(/^0\.log\.\d{8}-\d{6}(\.gz)?$/);
    // The newest rotated file stays uncompressed, the older are gzipped.
    const newest = rotated.map((f) => f.replace(/\.gz$/, '')).sort().at(-1)!;
    if (rotated.length > 1) {
      expect(rotated).toContain(newest);
      for (const f of rotated.filter((r) => r !== newest)) expect(f.endsWith('.gz')).toBe(true);
    }
    // A compressed file holds the CRI-format lines, older than those of the current file.
    const gz = rotated.find((f) => f.endsWith('.gz'))!;
    const gzLines = lineNumbers(gunzipSync(readFileSync(join(dir, gz))).toString('utf8'));
    expect(gzLines.length).toBeGreaterThan(0);
    expect(gunzipSync(readFileSync(join(dir, gz))).toString('utf8')).toMatch(/^\S+ stdout F line \d+ 0{100}$/m);

    // kubectl logs shows the current file: its first line is the current file's first line,
    // newer than everything rotated away.
    const logs = await k.kubectl(['logs', 'chatty']);
    expect(logs.code).toBe(0);
    const shown = lineNumbers(logs.stdout);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0]).toBeGreaterThan(Math.max(...gzLines));
    // And lines keep counting up within it: nothing lost or repeated across the reopen.
    for (let i = 1; i < shown.length; i++) expect(shown[i]).toBe(shown[i - 1] + 1);
    await k.deletePod('chatty');
  }, 600_000);

  it('kubectl logs -f follows across a rotation: lines written to the new file arrive, none lost or repeated', async () => {
    await k.apply(busyboxPod('follower', CHATTY));
    const pod = await k.waitPod('follower', (p: Pod) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
    const dir = join(k.node.dir, 'pod-logs', `default_follower_${pod.metadata!.uid}`, 'main');
    const rotatedNames = () => readdirSync(dir).filter((f) => f !== '0.log').map((f) => f.replace(/\.gz$/, ''));
    const follow = k.spawnKubectl(['logs', '-f', 'follower']);
    const out = collect(follow);
    try {
      await k.waitUntil('the first lines through kubectl logs -f', () => lineNumbers(out()).length > 0);
      // A rotation after the follower started: the file it was reading is renamed away.
      const before = new Set(rotatedNames());
      await k.waitUntil('a rotation while following', () => rotatedNames().some((f) => !before.has(f)), 360);
      // The first line of the file now at the path was written after that rotation.
      const firstOfNew = await k.waitUntil('a line in the new file', () => lineNumbers(readFileSync(join(dir, '0.log'), 'utf8'))[0]);
      await k.waitUntil('kubectl logs -f to show lines of the new file', () => lineNumbers(out()).some((n) => n > firstOfNew + 10));
      expect(follow.exitCode).toBeNull();
      const shown = lineNumbers(out());
      expect(shown[0]).toBeLessThan(firstOfNew);
      for (let i = 1; i < shown.length; i++) expect(shown[i]).toBe(shown[i - 1] + 1);
    } finally {
      await stopChild(follow);
    }
    await k.deletePod('follower');
  }, 600_000);
});
