import { describe, expect, it } from 'vitest';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { initialNode, reconcileLabels, TAINT_CONTROL_PLANE } from './initialNode.ts';
import { microTime, nextLeaseSyncDelay, renewedLease, NODE_LEASE_RENEW_INTERVAL_MS } from './nodeLease.ts';

const t0 = new Date('2024-05-01T10:00:00.123Z');

describe('node lease', () => {
  it('is renewed every 10 s: a quarter of its 40 s duration', () => {
    expect(NODE_LEASE_RENEW_INTERVAL_MS).toBe(10_000);
    expect(nextLeaseSyncDelay(0)).toBe(10_000);
  });

  it('retries failures with a doubling backoff capped at 7 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => nextLeaseSyncDelay(n))).toEqual([200, 400, 800, 1600, 3200, 6400, 7000]);
  });

  it('a new lease holds the node name, a 40 s duration and a microsecond renew time', () => {
    const l = renewedLease(undefined, 'worker-0', t0);
    expect(l).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'worker-0', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'worker-0', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.123000Z' },
    });
  });

  it('gets its owner reference to the Node once the UID is known, and keeps it', () => {
    const first = renewedLease(undefined, 'worker-0', t0);
    const owned = renewedLease(first, 'worker-0', new Date(t0.getTime() + 10_000), 'uid-1');
    expect(owned.metadata!.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'worker-0', uid: 'uid-1' }]);
    expect(owned.spec!.renewTime).toBe(microTime(new Date(t0.getTime() + 10_000)));
    const again = renewedLease(owned, 'worker-0', t0, 'uid-2');
    expect(again.metadata!.ownerReferences![0]!.uid).toBe('uid-1');
  });

  it('renewing does not change the lease it started from', () => {
    const base: Lease = renewedLease(undefined, 'n', t0);
    renewedLease(base, 'n', new Date(0), 'u');
    expect(base.spec!.renewTime).toBe('2024-05-01T10:00:00.123000Z');
    expect(base.metadata!.ownerReferences).toBeUndefined();
  });
});

describe('the registered Node', () => {
  const id = { nodeName: 'master', operatingSystem: 'linux', architecture: 'amd64' };

  it('a worker carries hostname, os and arch labels and no taints', () => {
    expect(initialNode(id)).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'master', labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': 'master', 'kubernetes.io/os': 'linux' } },
      spec: {},
    });
  });

  it('the control-plane node gets the role label and the NoSchedule taint', () => {
    const n = initialNode({ ...id, master: true });
    expect(n.metadata!.labels!['node-role.kubernetes.io/control-plane']).toBe('');
    expect(n.spec!.taints).toEqual([TAINT_CONTROL_PLANE]);
  });

  it('--register-with-taints adds taints without duplicating the control-plane one', () => {
    const n = initialNode({ ...id, master: true, registerWithTaints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, { key: 'gpu', value: 'yes', effect: 'NoExecute' }] });
    expect(n.spec!.taints).toHaveLength(2);
  });

  it('adopting a Node restores the kubelet labels and keeps the others', () => {
    const existing = { metadata: { name: 'master', labels: { 'kubernetes.io/hostname': 'old', team: 'a' } } };
    expect(reconcileLabels(existing, id)).toEqual({ 'kubernetes.io/hostname': 'master', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', team: 'a' });
    expect(reconcileLabels(initialNode(id), id)).toBeUndefined();
  });
});
