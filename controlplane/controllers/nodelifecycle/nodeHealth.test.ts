import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/types.ts';
import { conditionsAfterLostContact, desiredHealthTaint, NodeHealthTracker, taintsWithHealth } from './nodeHealth.ts';

const NOW = '2024-05-01T10:00:00Z';
function node(conditions: object[] = []): KubeObject {
  return { metadata: { name: 'n1', uid: 'u1', creationTimestamp: '2024-05-01T09:00:00Z' }, status: { conditions } };
}
const lease = (renewTime: string): KubeObject => ({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime } });

describe('NodeHealthTracker', () => {
  it('keeps the time of the last renewal it saw, by its own clock', () => {
    const t = new NodeHealthTracker();
    expect(t.observe(node(), lease('a'), 1000)).toBe(1000);
    expect(t.observe(node(), lease('a'), 5000)).toBe(1000);
    expect(t.observe(node(), lease('b'), 9000)).toBe(9000);
  });
  it('counts a new Ready heartbeat as a renewal too', () => {
    const t = new NodeHealthTracker();
    t.observe(node([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'h1' }]), undefined, 1000);
    expect(t.observe(node([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'h2' }]), undefined, 2000)).toBe(2000);
  });
});

describe('conditionsAfterLostContact', () => {
  it('sets posted conditions Unknown with NodeStatusUnknown and adds missing ones as NodeStatusNeverUpdated', () => {
    const got = conditionsAfterLostContact(node([
      { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: 'h', lastTransitionTime: 'old' },
      { type: 'MemoryPressure', status: 'False' },
      { type: 'NetworkUnavailable', status: 'False' },
    ]), NOW)!;
    expect(got.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'h', lastTransitionTime: NOW });
    expect(got.find((c) => c.type === 'DiskPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated' });
    expect(got.find((c) => c.type === 'NetworkUnavailable')).toEqual({ type: 'NetworkUnavailable', status: 'False' });
  });
  it('changes nothing when every condition is already Unknown', () => {
    const all = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'Unknown' }));
    expect(conditionsAfterLostContact(node(all), NOW)).toBeUndefined();
  });
});

describe('health taints', () => {
  it.each([
    ['a silent node is unreachable', 'True', true, 'node.kubernetes.io/unreachable'],
    ['a kubelet saying NotReady', 'False', false, 'node.kubernetes.io/not-ready'],
    ['a ready node', 'True', false, undefined],
    ['a renewed lease while Ready is still Unknown', 'Unknown', false, undefined],
  ])('%s', (_n, ready, stale, want) => expect(desiredHealthTaint(ready, stale)).toBe(want));

  const other = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'earlier' };
  const unreachableNoSchedule = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: 'earlier' };
  const taint = (key: string, effect: string) => ({ key, effect, timeAdded: NOW });
  it.each([
    ['adds NoSchedule and NoExecute with timeAdded, keeping others', [other], 'node.kubernetes.io/unreachable', [other, taint('node.kubernetes.io/unreachable', 'NoSchedule'), taint('node.kubernetes.io/unreachable', 'NoExecute')]],
    ['keeps existing taints (and their timeAdded)', [unreachable, other, unreachableNoSchedule], 'node.kubernetes.io/unreachable', undefined],
    ['completes the pair', [unreachable, other], 'node.kubernetes.io/unreachable', [other, taint('node.kubernetes.io/unreachable', 'NoSchedule'), unreachable]],
    ['removes both when healthy', [other, unreachable, unreachableNoSchedule], undefined, [other]],
    ['nothing to remove', [other], undefined, undefined],
    ['swaps unreachable for not-ready', [unreachable, unreachableNoSchedule], 'node.kubernetes.io/not-ready', [taint('node.kubernetes.io/not-ready', 'NoSchedule'), taint('node.kubernetes.io/not-ready', 'NoExecute')]],
  ])('%s', (_n, current, want, expected) => expect(taintsWithHealth(current, want, NOW)).toEqual(expected));
});
