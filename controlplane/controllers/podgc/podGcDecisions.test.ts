import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/types.ts';
import { podsOnMissingNodes, terminatedPodsToDelete, unscheduledTerminatingPods } from './podGcDecisions.ts';

function pod(name: string, o: { phase?: string; created?: string; node?: string; deleting?: boolean; reason?: string } = {}): KubeObject {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', ...(o.deleting ? { deletionTimestamp: '2024-01-02T00:00:00Z' } : {}) },
    spec: o.node ? { nodeName: o.node } : {},
    status: { phase: o.phase ?? 'Running', ...(o.reason ? { reason: o.reason } : {}) },
  };
}
const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name);

describe('terminatedPodsToDelete', () => {
  const pods = [
    pod('new-done', { phase: 'Succeeded', created: '2024-01-03T00:00:00Z' }),
    pod('old-failed', { phase: 'Failed', created: '2024-01-01T00:00:00Z' }),
    pod('mid-done', { phase: 'Succeeded', created: '2024-01-02T00:00:00Z' }),
    pod('running', { phase: 'Running', created: '2023-01-01T00:00:00Z' }),
    pod('pending', { phase: 'Pending', created: '2023-01-01T00:00:00Z' }),
  ];
  it.each([
    ['nothing at or under the threshold', 3, []],
    ['the oldest terminated pod when one over', 2, ['old-failed']],
    ['oldest first, never running or pending pods', 1, ['old-failed', 'mid-done']],
    ['a threshold of 0 disables terminated-pod GC', 0, []],
  ])('deletes %s', (_name, threshold, want) => {
    expect(names(terminatedPodsToDelete(pods, threshold))).toEqual(want);
  });

  it('deletes evicted pods before older ones', () => {
    const ps = [pod('old', { phase: 'Failed', created: '2024-01-01T00:00:00Z' }), pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2024-02-01T00:00:00Z' })];
    expect(names(terminatedPodsToDelete(ps, 1))).toEqual(['evicted']);
  });

  it('does not count pods already being deleted', () => {
    const ps = [pod('a', { phase: 'Failed', deleting: true }), pod('b', { phase: 'Failed' })];
    expect(names(terminatedPodsToDelete(ps, 1))).toEqual([]);
  });
});

describe('podsOnMissingNodes', () => {
  it('groups pods bound to unknown nodes and ignores unbound ones', () => {
    const ps = [pod('a', { node: 'gone' }), pod('b', { node: 'here' }), pod('c'), pod('d', { node: 'gone' })];
    const got = podsOnMissingNodes(ps, (n) => n === 'here');
    expect([...got.keys()]).toEqual(['gone']);
    expect(names(got.get('gone')!)).toEqual(['a', 'd']);
  });
});

describe('unscheduledTerminatingPods', () => {
  it('finds only unbound pods that are being deleted', () => {
    const ps = [pod('a', { deleting: true }), pod('b', { deleting: true, node: 'n' }), pod('c')];
    expect(names(unscheduledTerminatingPods(ps))).toEqual(['a']);
  });
});
