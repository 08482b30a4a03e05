import { describe, expect, it } from 'vitest';
import { computeHash, safeEncodeString } from './hash.ts';
import {
  type Deploy,
  type RS,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from './deploymentUtil.ts';
import { planNewReplicaSetScale, planOldReplicaSetScaleDown } from './rolling.ts';
import { oldPodsRunning } from './recreate.ts';
import { replicaSetsToCleanUp } from './sync.ts';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });

function deploy(replicas: number, surge: number | string = '25%', unavailable: number | string = '25%', extra: Partial<Deploy['spec']> = {}): Deploy {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, annotations: {} },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, ...extra },
  } as Deploy;
}

function rs(name: string, replicas: number, o: { available?: number; created?: string; revision?: string; image?: string; maxReplicas?: number; status?: number } = {}): RS {
  return {
    metadata: {
      name,
      uid: `${name}-uid`,
      creationTimestamp: o.created ?? '2025-01-01T00:00:00Z',
      annotations: {
        ...(o.revision ? { 'deployment.kubernetes.io/revision': o.revision } : {}),
        ...(o.maxReplicas !== undefined ? { 'deployment.kubernetes.io/max-replicas': String(o.maxReplicas) } : {}),
      },
      generation: 1,
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(o.image ?? 'nginx:0') },
    status: { replicas: o.status ?? replicas, availableReplicas: o.available ?? replicas, observedGeneration: 1 },
  } as RS;
}

describe('resolveFenceposts rounds surge up and unavailable down', () => {
  it.each([
    { surge: '25%', unavailable: '25%', desired: 10, want: { surge: 3, unavailable: 2 } },
    { surge: '25%', unavailable: '25%', desired: 1, want: { surge: 1, unavailable: 0 } },
    { surge: '25%', unavailable: '25%', desired: 4, want: { surge: 1, unavailable: 1 } },
    { surge: 0, unavailable: 0, desired: 5, want: { surge: 0, unavailable: 1 } },
    { surge: '0%', unavailable: '10%', desired: 5, want: { surge: 0, unavailable: 1 } },
    { surge: 2, unavailable: '50%', desired: 3, want: { surge: 2, unavailable: 1 } },
    { surge: '100%', unavailable: 0, desired: 3, want: { surge: 3, unavailable: 0 } },
  ])('maxSurge $surge, maxUnavailable $unavailable of $desired → $want', ({ surge, unavailable, desired, want }) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual(want);
  });

  it('maxUnavailable is capped at replicas, zero for zero replicas and for Recreate', () => {
    expect(maxUnavailable(deploy(2, 0, 5))).toBe(2);
    expect(maxUnavailable(deploy(0, 1, 1))).toBe(0);
    const recreate = deploy(3);
    recreate.spec!.strategy = { type: 'Recreate' };
    expect(maxUnavailable(recreate)).toBe(0);
    expect(maxSurge(recreate)).toBe(0);
    expect(newRSNewReplicas(recreate, [], rs('n', 0))).toBe(3);
  });
});

describe('the new replica set grows within replicas + maxSurge', () => {
  it.each([
    { name: 'fresh deployment: all at once up to replicas', d: deploy(3), sets: [] as RS[], newSize: 0, want: 3 },
    { name: 'rollout of 4 with surge 1: one extra pod', d: deploy(4, 1, 0), sets: [rs('old', 4)], newSize: 0, want: 1 },
    { name: 'at the surge limit: no growth', d: deploy(4, 1, 0), sets: [rs('old', 4)], newSize: 1, want: 1 },
    { name: 'old shrank by two: grow by two', d: deploy(4, 1, 0), sets: [rs('old', 2)], newSize: 1, want: 3 },
    { name: 'never above replicas', d: deploy(4, 10, 0), sets: [rs('old', 1)], newSize: 3, want: 4 },
    { name: 'above replicas: scaled down to replicas', d: deploy(2), sets: [], newSize: 5, want: 2 },
  ])('$name', ({ d, sets, newSize, want }) => {
    const n = rs('new', newSize);
    expect(planNewReplicaSetScale(d, [...sets, n], n)).toBe(want);
  });
});

describe('old replica sets shrink while minAvailable pods stay available', () => {
  it.each([
    {
      name: 'surge only (maxUnavailable 0): old shrinks as new pods become available',
      d: deploy(4, 1, 0), old: [rs('old', 4)], newRS: rs('new', 1, { available: 1 }), want: { old: 3 },
    },
    {
      name: 'new pod not yet available: nothing to shrink',
      d: deploy(4, 1, 0), old: [rs('old', 4)], newRS: rs('new', 1, { available: 0 }), want: {},
    },
    {
      name: 'unavailable old pods are removed first, even past availability',
      d: deploy(4, 1, 0), old: [rs('old', 4, { available: 2 })], newRS: rs('new', 1, { available: 1 }), want: { old: 3 },
    },
    {
      name: 'maxUnavailable 1 lets one available pod go at once',
      d: deploy(4, 0, 1), old: [rs('old', 4)], newRS: rs('new', 0, { available: 0 }), want: { old: 3 },
    },
    {
      name: 'oldest set first',
      d: deploy(4, 0, 2), old: [rs('b', 2, { created: '2025-01-02T00:00:00Z' }), rs('a', 2, { created: '2025-01-01T00:00:00Z' })], newRS: rs('new', 0), want: { a: 0 },
    },
  ])('$name', ({ d, old, newRS, want }) => {
    const plan = planOldReplicaSetScaleDown([...old, newRS], old, newRS, d);
    expect(Object.fromEntries(plan)).toEqual(want);
  });
});

describe('proportional scaling of a deployment resized mid-rollout', () => {
  it('spreads 13 → 18 pods over two sets in proportion to their size', () => {
    const d = deploy(15, 3, 2);
    const { sizes, operation } = proportionalSizes(d, rs('new', 6, { maxReplicas: 13 }), [rs('old', 7, { maxReplicas: 13 })]);
    expect(operation).toBe('up');
    // allowed = 15 + 3 = 18, 5 to add: old 7 → round(7*18/13) = 10, new 6 → round(6*18/13) = 8
    expect(Object.fromEntries(sizes)).toEqual({ old: 10, new: 8 });
  });
  it('scales every set to zero when the deployment goes to zero', () => {
    const d = deploy(0, 1, 1);
    const { sizes, operation } = proportionalSizes(d, rs('new', 2, { maxReplicas: 5 }), [rs('old', 3, { maxReplicas: 5 })]);
    expect(operation).toBe('down');
    expect(Object.fromEntries(sizes)).toEqual({ old: 0, new: 0 });
  });
  it('findActiveOrLatest: the only active set, else the newest, else none', () => {
    expect(findActiveOrLatest(rs('new', 0), [rs('old', 3)])?.metadata.name).toBe('old');
    expect(findActiveOrLatest(rs('new', 0), [rs('old', 0)])?.metadata.name).toBe('new');
    expect(findActiveOrLatest(undefined, [rs('a', 0, { created: '2025-01-01T00:00:00Z' }), rs('b', 0, { created: '2025-01-02T00:00:00Z' })])?.metadata.name).toBe('b');
    expect(findActiveOrLatest(rs('new', 1), [rs('old', 3)])).toBeUndefined();
  });
});

describe('pod-template-hash', () => {
  it('is stable, short, in the safe alphabet, and ignores key order and Go zero values', () => {
    const h = computeHash(template('nginx:1'));
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash({ spec: { containers: [{ image: 'nginx:1', name: 'web' }] }, metadata: { labels: { app: 'web' } } })).toBe(h);
    expect(computeHash({ ...template('nginx:1'), metadata: { labels: { app: 'web' }, creationTimestamp: null as unknown as string } })).toBe(h);
    expect(computeHash(template('nginx:2'))).not.toBe(h);
    expect(computeHash(template('nginx:1'), 1)).not.toBe(h);
  });
  it('safe-encodes each character by its code modulo 27', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
  it('equalIgnoreHash ignores the pod-template-hash label, null and empty fields', () => {
    const withHash = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'web', image: 'nginx:1', resources: {} }] } };
    expect(equalIgnoreHash(withHash, template('nginx:1'))).toBe(true);
    expect(equalIgnoreHash(withHash, template('nginx:2'))).toBe(false);
  });
  it('the new replica set is the oldest one with the deployment template', () => {
    const sets = [rs('b', 0, { image: 'nginx:1', created: '2025-01-02T00:00:00Z' }), rs('a', 0, { image: 'nginx:1', created: '2025-01-01T00:00:00Z' }), rs('c', 0, { image: 'nginx:2' })];
    expect(findNewReplicaSet(deploy(1), sets)?.metadata.name).toBe('a');
  });
});

describe('revisions', () => {
  it('a new set gets the next revision and the replicas annotations', () => {
    const n = rs('new', 0);
    n.metadata.annotations = {};
    expect(setNewReplicaSetAnnotations(deploy(4, 1, 0), n, 3, false)).toBe(true);
    expect(n.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' });
  });
  it('a rollback renumbers the old set and remembers its old revisions', () => {
    const back = rs('old', 0, { revision: '1' });
    back.metadata.annotations!['deployment.kubernetes.io/revision-history'] = '';
    expect(setNewReplicaSetAnnotations(deploy(1), back, 3, true)).toBe(true);
    expect(back.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
    expect(back.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(setNewReplicaSetAnnotations(deploy(1), back, 5, true)).toBe(true);
    expect(back.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1,3');
    expect(setNewReplicaSetAnnotations(deploy(1), back, 4, true)).toBe(false);
  });
  it('copies deployment annotations except kubectl and revision ones', () => {
    const d = deploy(1);
    d.metadata.annotations = { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '9' };
    const n = rs('new', 0, { revision: '2' });
    setNewReplicaSetAnnotations(d, n, 2, true);
    expect(n.metadata.annotations).toEqual({ team: 'a', 'deployment.kubernetes.io/revision': '2' });
  });
  it('cleanup deletes the lowest revisions beyond revisionHistoryLimit, only when fully scaled down', () => {
    const d = deploy(1, 1, 0, { revisionHistoryLimit: 1 });
    const old = [rs('r3', 0, { revision: '3' }), rs('r1', 0, { revision: '1' }), rs('r2', 1, { revision: '2' })];
    expect(replicaSetsToCleanUp(old, d).map((r) => r.metadata.name)).toEqual(['r1']);
    d.spec!.revisionHistoryLimit = 0;
    expect(replicaSetsToCleanUp(old, d).map((r) => r.metadata.name)).toEqual(['r1', 'r3']);
  });
});

describe('Recreate waits for old pods', () => {
  const pod = (phase: string) => ({ metadata: { name: 'p' }, status: { phase } });
  it.each([
    { name: 'old set still reports pods', old: [rs('old', 0, { status: 1 })], pods: {}, want: true },
    { name: 'a running pod of an old set', old: [rs('old', 0, { status: 0 })], pods: { 'old-uid': [pod('Running')] }, want: true },
    { name: 'only finished pods left', old: [rs('old', 0, { status: 0 })], pods: { 'old-uid': [pod('Succeeded'), pod('Failed')] }, want: false },
    { name: 'pods of the new set do not count', old: [rs('old', 0, { status: 0 })], pods: { 'new-uid': [pod('Running')] }, want: false },
  ])('$name → $want', ({ old, pods, want }) => {
    expect(oldPodsRunning(rs('new', 1), old, new Map(Object.entries(pods)))).toBe(want);
  });
});
