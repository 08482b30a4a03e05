// The kubelet's admission end to end (root only): two pods bound straight to the node (nodeName
// set, no scheduler) want the same hostPort; the second is rejected as upstream's kubelet
// rejects it — Failed, reason NodePorts — and kubectl shows why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { BUSYBOX_IMAGE } from '../runtime/testing/criTestNode.ts';
import { startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;

const running = (p: Pod) => !!p.status?.containerStatuses?.[0]?.state?.running;

describe.skipIf(!isRoot)('kubelet admission through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('kadm');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const hostPortPod = (name: string, hostPort: number, protocol = 'TCP') => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${k.nodeName}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    ports:
    - containerPort: 80
      hostPort: ${hostPort}
      protocol: ${protocol}
`;

  it('a second pod wanting a hostPort already taken on the node is rejected: Failed, reason NodePorts', async () => {
    await k.apply(hostPortPod('first', 18080));
    await k.waitPod('first', running, 'running');

    await k.apply(hostPortPod('second', 18080));
    const rejected = await k.waitPod('second', (p) => p.status?.phase === 'Failed', 'Failed');
    expect(rejected.status?.reason).toBe('NodePorts');
    expect(rejected.status?.message).toBe("Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    // It never ran: no container was created for it.
    expect(rejected.status?.containerStatuses ?? []).toEqual([]);
    // kubectl get pod shows the reason as the STATUS.
    expect((await k.kubectl(['get', 'pod', 'second', '--no-headers'])).stdout).toMatch(/^second\s+0\/1\s+NodePorts\s+0\s+/);
    await k.waitUntil('the NodePorts event', async () => (await k.events('second')).some((e) => e.reason === 'NodePorts'));
    const event = (await k.events('second')).find((e) => e.reason === 'NodePorts');
    expect(event).toMatchObject({ type: 'Warning', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" });

    // The same port over UDP is free.
    await k.apply(hostPortPod('udp', 18080, 'UDP'));
    await k.waitPod('udp', running, 'running');

    // The first stays running; the rejected pod can be deleted like any other.
    expect(running((await k.getPod('first'))!)).toBe(true);
    await k.deletePod('second');
    await Promise.all([k.deletePod('first'), k.deletePod('udp')]);

    // Once the first pod is gone, its port is free again.
    await k.apply(hostPortPod('third', 18080));
    await k.waitPod('third', running, 'running');
    await k.deletePod('third');
  }, 300_000);
});
