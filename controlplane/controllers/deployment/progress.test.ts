import { describe, expect, it } from 'vitest';
import type { Deploy, RS } from './deploymentUtil.ts';
import { rolloutStatus, stuckRequeueDelay } from './progress.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const T = (offsetS: number) => new Date(NOW + offsetS * 1000).toISOString().replace('.000Z', 'Z');

function deploy(status: Deploy['status'] = {}, replicas = 3): Deploy {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u', generation: 2 },
    spec: { replicas, progressDeadlineSeconds: 600, selector: { matchLabels: { app: 'web' } }, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
    status,
  } as Deploy;
}
const rs = (name: string, replicas: number, available: number, ready = available): RS =>
  ({ metadata: { name }, spec: { replicas }, status: { replicas, readyReplicas: ready, availableReplicas: available } }) as RS;
const cond = (s: Deploy['status'], type: string) => s?.conditions?.find((c) => c.type === type);

describe('rollout conditions', () => {
  it('complete rollout: Available/MinimumReplicasAvailable and Progressing/NewReplicaSetAvailable', () => {
    const n = rs('web-new', 3, 3);
    const s = rolloutStatus([n], n, deploy(), NOW);
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
    expect(cond(s, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-new" has successfully progressed.' });
  });

  it('progress refreshes lastUpdateTime and keeps lastTransitionTime', () => {
    const before = { replicas: 3, updatedReplicas: 0, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', lastUpdateTime: T(-100), lastTransitionTime: T(-100) }] };
    const n = rs('web-new', 1, 0);
    const s = rolloutStatus([rs('web-old', 3, 3), n], n, deploy(before), NOW);
    expect(cond(s, 'Progressing')).toMatchObject({ reason: 'ReplicaSetUpdated', lastUpdateTime: T(0), lastTransitionTime: T(-100) });
  });

  it('no progress past the deadline: ProgressDeadlineExceeded', () => {
    const n = rs('web-new', 1, 0);
    const before = { replicas: 4, updatedReplicas: 1, availableReplicas: 3, readyReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: T(-601), lastTransitionTime: T(-700) }] };
    const s = rolloutStatus([rs('web-old', 3, 3), n], n, deploy(before), NOW);
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-new" has timed out progressing.' });
  });

  it('not yet past the deadline: unchanged, and looked at again a second after it', () => {
    const n = rs('web-new', 1, 0);
    const before = { replicas: 4, updatedReplicas: 1, availableReplicas: 3, readyReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: T(-100), lastTransitionTime: T(-100) }] };
    const d = deploy(before);
    const s = rolloutStatus([rs('web-old', 3, 3), n], n, d, NOW);
    expect(cond(s, 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    expect(stuckRequeueDelay(d, s, NOW)).toBe(501_000);
  });

  it('too few available pods: Available=False/MinimumReplicasUnavailable', () => {
    const n = rs('web-new', 3, 1);
    const s = rolloutStatus([n], n, deploy(), NOW);
    expect(cond(s, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(s.unavailableReplicas).toBe(2);
  });

  it("a replica set's ReplicaFailure is carried over, and removed once gone", () => {
    const n = rs('web-new', 3, 0);
    n.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: T(-5) }];
    const s = rolloutStatus([n], n, deploy(), NOW);
    expect(cond(s, 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate', message: 'quota' });
    const healed = rs('web-new', 3, 0);
    expect(cond(rolloutStatus([healed], healed, deploy(s), NOW), 'ReplicaFailure')).toBeUndefined();
  });
});
