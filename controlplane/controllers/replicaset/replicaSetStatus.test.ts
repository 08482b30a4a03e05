import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { calculateReplicaSetStatus, replicaSetStatusNeedsUpdate } from './replicaSetStatus.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const rs = (replicas: number, minReadySeconds = 0, status?: ReplicaSet['status']): ReplicaSet => ({
  metadata: { name: 'rs', generation: 1 },
  spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a', tier: 'web' } } } },
  ...(status ? { status } : {}),
});
const pod = (labels: Record<string, string>, readyAgoS?: number): Pod => ({
  metadata: { name: 'p', labels },
  status: readyAgoS === undefined ? {} : { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(NOW - readyAgoS * 1000).toISOString() }] },
});

describe('replica set status', () => {
  it('counts replicas, fully labeled, ready and available (after minReadySeconds)', () => {
    const pods = [pod({ app: 'a', tier: 'web' }, 100), pod({ app: 'a' }, 2), pod({ app: 'a', tier: 'web' })];
    expect(calculateReplicaSetStatus(rs(3, 10), pods, undefined, NOW)).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
  });
  it('a create error adds ReplicaFailure/FailedCreate; success removes it', () => {
    const failed = calculateReplicaSetStatus(rs(2), [], new Error('pods "x" is forbidden: exceeded quota'), NOW);
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota', lastTransitionTime: '2025-06-01T12:00:00Z' }]);
    const healed = calculateReplicaSetStatus(rs(2, 0, failed), [], undefined, NOW);
    expect(healed.conditions).toBeUndefined();
  });
  it('needs an update when counts change or the generation is not yet observed', () => {
    const s = { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 0, availableReplicas: 0 };
    expect(replicaSetStatusNeedsUpdate(rs(1, 0, { ...s, observedGeneration: 1 }), s)).toBe(false);
    expect(replicaSetStatusNeedsUpdate(rs(1, 0, { replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 }), s)).toBe(false);
    expect(replicaSetStatusNeedsUpdate(rs(1, 0, { ...s, observedGeneration: 0 }), s)).toBe(true);
    expect(replicaSetStatusNeedsUpdate(rs(1, 0, { ...s, observedGeneration: 1 }), { ...s, readyReplicas: 1 })).toBe(true);
  });
});
