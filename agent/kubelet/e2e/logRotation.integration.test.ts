// Container log rotation end to end (root only): the kubelet runs with a tiny
// --container-log-max-size and --container-log-max-files 3; a container writes steadily. Its log
// is rotated through containerd's ReopenContainerLog, older rotated files are gzipped, the
// count stays bounded, and `kubectl logs` shows the current file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { busyboxPod, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;
const MAX_FILES = 3;

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
    await k.apply(busyboxPod('chatty', 'i=0; while true; do echo "line $i $(printf %0100d 0)"; i=$((i+1)); sleep 0.05; done'));
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
});
