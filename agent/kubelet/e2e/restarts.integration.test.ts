// Restart policies end to end (root only): what `kubectl get pod` and the pod's status say when
// containers exit under Always, OnFailure and Never, and when a memory limit kills one.
// Back-off timing is upstream's (10 s doubling to 5 min); here it is only seen as a state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { busyboxPod, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;

const pod = (name: string, policy: string, command: string, resources = '') => busyboxPod(name, command, { restartPolicy: policy, extra: resources });

const containerStatus = (p: Pod) => p.status?.containerStatuses?.[0];

describe.skipIf(!isRoot)('restart policies through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('krst');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const statusColumn = async (name: string) => /^\S+\s+\S+\s+(\S+)\s+/.exec((await k.kubectl(['get', 'pod', name, '--no-headers'])).stdout)?.[1];

  it('Always with a container that keeps exiting: CrashLoopBackOff with a BackOff event', async () => {
    await k.apply(pod('crasher', 'Always', 'echo crashing; exit 1'));
    await k.waitUntil('CrashLoopBackOff in kubectl get pod', async () => (await statusColumn('crasher')) === 'CrashLoopBackOff', 120);
    const p = (await k.getPod('crasher'))!;
    expect(p.status?.phase).toBe('Running');
    const cs = containerStatus(p)!;
    expect(cs.state?.waiting).toMatchObject({ reason: 'CrashLoopBackOff' });
    expect(cs.state?.waiting?.message).toMatch(/^back-off \d+[ms0-9]* restarting failed container=main pod=crasher_default\(/);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    const events = await k.events('crasher');
    expect(events.some((e) => e.reason === 'BackOff' && /^Back-off restarting failed container main in pod crasher_default\(/.test(e.message ?? ''))).toBe(true);
    // The previous instance's log is there for `kubectl logs --previous`.
    expect((await k.kubectl(['logs', 'crasher', '--previous'])).stdout).toBe('crashing\n');
    await k.deletePod('crasher');
  }, 240_000);

  it('OnFailure restarts a failing container and leaves a succeeding one Completed', async () => {
    await k.apply(pod('fails-once', 'OnFailure', 'if [ -f /tmp/x ]; then exit 0; fi; touch /tmp/x; exit 1'));
    await k.apply(pod('succeeds', 'OnFailure', 'exit 0'));
    const retried = await k.waitPod('fails-once', (p) => (containerStatus(p)?.restartCount ?? 0) >= 1, 'restarted after exit 1');
    expect(containerStatus(retried)?.lastState?.terminated ?? containerStatus(retried)?.state?.terminated).toBeTruthy();
    const done = await k.waitPod('succeeds', (p) => p.status?.phase === 'Succeeded', 'Succeeded');
    expect(containerStatus(done)).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(await statusColumn('succeeds')).toBe('Completed');
    await Promise.all([k.deletePod('fails-once'), k.deletePod('succeeds')]);
  }, 240_000);

  it('Never leaves a failed container as it ended: phase Failed, exit code and reason Error', async () => {
    await k.apply(pod('fails', 'Never', 'exit 3'));
    const failed = await k.waitPod('fails', (p) => p.status?.phase === 'Failed', 'Failed');
    expect(containerStatus(failed)).toMatchObject({ restartCount: 0, ready: false, state: { terminated: { exitCode: 3, reason: 'Error' } } });
    expect(await statusColumn('fails')).toBe('Error');
    await k.deletePod('fails');
  }, 240_000);

  it('a container over its memory limit is OOMKilled: exit 137, reason OOMKilled', async () => {
    // dd's 64 MiB buffer is touched on the first read from /dev/zero; the limit is 16 MiB.
    await k.apply(
      pod(
        'hungry',
        'Never',
        'dd if=/dev/zero of=/dev/null bs=64M count=4',
        `    resources:
      limits: { memory: 16Mi }
`,
      ),
    );
    const killed = await k.waitPod('hungry', (p) => !!containerStatus(p)?.state?.terminated, 'terminated');
    expect(containerStatus(killed)?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(killed.status?.phase).toBe('Failed');
    expect(await statusColumn('hungry')).toBe('OOMKilled');
    await k.deletePod('hungry');
  }, 240_000);
});
