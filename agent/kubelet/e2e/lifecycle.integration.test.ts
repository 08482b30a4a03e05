// Pod lifecycle end to end (root only): init containers run in order, each to completion, before
// the app container; deletion with a grace period lets a container that traps SIGTERM finish
// its shutdown before the pod object goes.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_IMAGE } from '../runtime/testing/criTestNode.ts';
import { startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('pod lifecycle through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('klfc');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  it('init containers run in order, each to completion, before the app container', async () => {
    // The first init container waits for a file the test writes: the state "first init running"
    // holds until then, so it is observed for sure rather than caught in passing. Each container
    // appends its name to a shared file: the app prints the order they ran in.
    const gate = join(k.node.dir, 'init-gate');
    rmSync(join(gate, 'go'), { force: true });
    await k.apply(`
apiVersion: v1
kind: Pod
metadata:
  name: initialized
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: first
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "until [ -f /gate/go ]; do sleep 0.2; done; echo first >> /work/order; echo one > /work/a"]
    volumeMounts: [{ name: work, mountPath: /work }, { name: gate, mountPath: /gate }]
  - name: second
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "test -f /work/a && echo second >> /work/order && echo \\"$(cat /work/a) two\\" > /work/b"]
    volumeMounts: [{ name: work, mountPath: /work }]
  containers:
  - name: app
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo app >> /work/order; cat /work/order /work/b; exec sleep 3600"]
    volumeMounts: [{ name: work, mountPath: /work }]
  volumes:
  - name: work
    emptyDir: {}
  - name: gate
    hostPath: { path: ${gate}, type: DirectoryOrCreate }
`);
    // While the first runs, neither the second nor the app has started, and kubectl shows the
    // init progress.
    const held = await k.waitPod('initialized', (p) => !!p.status?.initContainerStatuses?.[0]?.state?.running, 'the first init container running');
    expect(held.status?.initContainerStatuses?.[1]?.state?.running).toBeUndefined();
    expect(held.status?.initContainerStatuses?.[1]?.state?.terminated).toBeUndefined();
    expect(held.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    expect((await k.kubectl(['get', 'pod', 'initialized', '--no-headers'])).stdout).toMatch(/^initialized\s+0\/1\s+Init:0\/2\s+/);
    mkdirSync(gate, { recursive: true });
    writeFileSync(join(gate, 'go'), '');

    const p = await k.waitPod('initialized', (p) => !!p.status?.containerStatuses?.[0]?.state?.running, 'app running');
    const [first, second] = p.status!.initContainerStatuses!;
    expect(first).toMatchObject({ name: 'first', ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(second).toMatchObject({ name: 'second', ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    // Times have a resolution of a second: each starts no earlier than the one before finished.
    expect(Date.parse(second.state!.terminated!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first.state!.terminated!.finishedAt!));
    expect(Date.parse(p.status!.containerStatuses![0].state!.running!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(second.state!.terminated!.finishedAt!));
    expect(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    await k.waitUntil('the app\'s log', async () => (await k.kubectl(['logs', 'initialized'])).stdout === 'first\nsecond\napp\none two\n');
    await k.deletePod('initialized');
  }, 240_000);

  it('deletion with a grace period waits for a container that traps SIGTERM to finish', async () => {
    const hostDir = join(k.node.dir, 'graceful');
    await k.apply(`
apiVersion: v1
kind: Pod
metadata:
  name: graceful
spec:
  terminationGracePeriodSeconds: 30
  containers:
  - name: main
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'echo got-TERM > /out/marker; sleep 2; echo finished >> /out/marker; exit 0' TERM; echo started > /out/marker; while true; do sleep 0.2; done"]
    volumeMounts: [{ name: out, mountPath: /out }]
  volumes:
  - name: out
    hostPath: { path: ${hostDir}, type: DirectoryOrCreate }
`);
    await k.waitPod('graceful', (p) => !!p.status?.containerStatuses?.[0]?.state?.running, 'running');
    await k.waitUntil('the container to start its loop', () => existsSync(join(hostDir, 'marker')));
    const deleted = await k.kubectl(['delete', 'pod', 'graceful', '--grace-period=5', '--wait=false']);
    expect(deleted.stdout).toContain('pod "graceful" deleted');
    // Terminating while the container shuts down; gone once the kubelet has stopped everything.
    const terminating = await k.getPod('graceful');
    expect(terminating?.metadata?.deletionGracePeriodSeconds).toBe(5);
    await k.waitUntil('SIGTERM to reach the container', () => readFileSync(join(hostDir, 'marker'), 'utf8').includes('got-TERM'));
    await k.waitUntil('the pod to be gone', async () => (await k.kubectl(['get', 'pod', 'graceful'])).stderr.includes('NotFound'));
    // The handler ran to its end: it was not killed after SIGTERM but allowed its grace period.
    expect(readFileSync(join(hostDir, 'marker'), 'utf8')).toBe('got-TERM\nfinished\n');
    const killing = (await k.events('graceful')).find((e) => e.reason === 'Killing');
    expect(killing?.message).toBe('Stopping container main');
  }, 240_000);
});
