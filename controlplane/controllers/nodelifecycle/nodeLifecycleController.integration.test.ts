// The node lifecycle controller against a real API server, with a short grace period: a node whose
// Lease stops being renewed turns Unknown and gets the unreachable taint; pods that tolerate it
// briefly are evicted, pods with the default 300 s stay; renewing the Lease again lifts the taint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newNodeLifecycleController } from './nodeLifecycleController.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const ctrl = newNodeLifecycleController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log, nodeMonitorGracePeriodMs: 1500, nodeMonitorPeriodMs: 100 });
  h.run((s) => ctrl.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

const microTime = () => new Date().toISOString().replace('Z', '000Z');
const nodes = () => h.client.r('v1', 'nodes');
const leases = () => h.client.r('coordination.k8s.io/v1', 'leases', 'kube-node-lease');
const pods = () => h.client.r('v1', 'pods', 'default');
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const hasTaint = (n: KubeObject) => (n.spec?.taints ?? []).some((t: { key: string; effect: string }) => t.key === UNREACHABLE && t.effect === 'NoExecute');
const ready = (n: KubeObject) => (n.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');

async function renew(name: string) {
  const l = await leases().get(name);
  await leases().update({ ...l, spec: { ...l.spec, renewTime: microTime() } });
}

describe('node lifecycle', () => {
  it('marks a silent node Unknown and tainted, evicts what does not tolerate it, and untaints it when the lease renews', async () => {
    const n = await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0' } });
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await nodes().updateStatus({ ...n, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }] } });
    await leases().create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'worker-0' }, spec: { holderIdentity: 'worker-0', leaseDurationSeconds: 40, renewTime: microTime() } });
    const container = [{ name: 'c', image: 'busybox' }];
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'brief' }, spec: { nodeName: 'worker-0', containers: container, tolerations: [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }] } });
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'patient' }, spec: { nodeName: 'worker-0', containers: container } });

    const tainted = await until(async () => {
      const x = await nodes().get('worker-0');
      return hasTaint(x) && ready(x)?.status === 'Unknown' ? x : undefined;
    }, 'worker-0 to be tainted unreachable');
    expect(ready(tainted)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const { stdout } = await h.cp.kubectl(['get', 'node', 'worker-0']);
    expect(stdout).toMatch(/worker-0\s+NotReady/);

    await until(async () => (await pods().get('brief')).metadata.deletionTimestamp, 'the pod tolerating 1 s to be evicted');
    expect((await pods().get('patient')).metadata.deletionTimestamp).toBeUndefined();

    // The kubelet is back: it renews its lease every 200 ms.
    let renewing = true;
    const loop = (async () => {
      while (renewing) {
        await renew('worker-0').catch(() => {});
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await until(async () => !hasTaint(await nodes().get('worker-0')), 'the taint to be removed');
    } finally {
      renewing = false;
      await loop;
    }
    expect((await pods().get('patient')).metadata.deletionTimestamp).toBeUndefined();
  });
});
