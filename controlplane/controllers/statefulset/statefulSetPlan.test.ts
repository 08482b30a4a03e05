import { describe, expect, it } from 'vitest';
import { POD_REVISION_LABEL } from './controllerHistory.ts';
import { planStatefulSet, statefulSetStatus, type StatefulSetAction } from './statefulSetPlan.ts';
import { POD_NAME_LABEL, claimsFor, newStatefulSetPod, type PodObj, type STS } from './statefulSetUtils.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');

function set(o: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; partition?: number; onDelete?: boolean; minReady?: number } = {}): STS {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'sts-uid', generation: 2 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: o.policy ?? 'OrderedReady',
      minReadySeconds: o.minReady ?? 0,
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

type State = 'ready' | 'pending' | 'running' | 'failed' | 'terminating';

/** A pod of ordinal n as the API server would have it, at revision rev ('v1' unless given). */
function pod(s: STS, n: number, state: State, rev = 'v1'): PodObj {
  const p = newStatefulSetPod(s, n);
  p.metadata.uid = `uid-${n}`;
  p.metadata.labels![POD_REVISION_LABEL] = rev;
  const ready = state === 'ready' || state === 'terminating';
  (p as { status?: unknown }).status = {
    phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date(NOW - 60_000).toISOString() }],
  };
  if (state === 'terminating') p.metadata.deletionTimestamp = new Date(NOW).toISOString();
  return p;
}

function plan(s: STS, pods: PodObj[], update = 'v1', current = 'v1') {
  return planStatefulSet({ set: s, currentSet: s, updateSet: s, currentRevision: current, updateRevision: update, pods, now: NOW });
}

const describeAction = (a: StatefulSetAction) => `${a.type === 'delete' ? `delete(${a.why})` : a.type} ${a.pod.metadata.name}`;
const steps = (p: ReturnType<typeof plan>) => p.steps.map((step) => step.map(describeAction));

describe('which ordinal a StatefulSet creates or deletes next', () => {
  const s3 = set();
  const par = set({ policy: 'Parallel' });
  const s1 = set({ replicas: 1 });
  it.each([
    { name: 'OrderedReady creates web-0 first and nothing else', s: s3, pods: [], want: [['create web-0']] },
    { name: 'OrderedReady waits while web-0 is not Ready', s: s3, pods: [pod(s3, 0, 'running')], want: [] },
    { name: 'OrderedReady creates web-1 once web-0 is Ready', s: s3, pods: [pod(s3, 0, 'ready')], want: [['create web-1']] },
    { name: 'OrderedReady fills the lowest gap first', s: s3, pods: [pod(s3, 0, 'ready'), pod(s3, 2, 'ready')], want: [['create web-1']] },
    { name: 'a pending pod gets its missing claims and blocks the next', s: s3, pods: [pod(s3, 0, 'pending')], want: [['createMissingClaims web-0']] },
    { name: 'a failed pod is deleted, to be recreated once gone', s: s3, pods: [pod(s3, 0, 'failed')], want: [['delete(failed) web-0']] },
    { name: 'Parallel creates every missing pod in one step', s: par, pods: [pod(par, 1, 'pending')], want: [['create web-0', 'createMissingClaims web-1', 'create web-2']] },
    { name: 'scale down removes the highest ordinal first, one at a time', s: s1, pods: [0, 1, 2].map((n) => pod(s1, n, 'ready')), want: [['delete(scaleDown) web-2']] },
    { name: 'scale down waits for the one being terminated', s: s1, pods: [pod(s1, 0, 'ready'), pod(s1, 1, 'ready'), pod(s1, 2, 'terminating')], want: [] },
    { name: 'scale down waits while a remaining pod is not Ready', s: s1, pods: [pod(s1, 0, 'running'), pod(s1, 1, 'ready'), pod(s1, 2, 'ready')], want: [] },
    { name: 'an unhealthy condemned pod is removed when it is the first unhealthy', s: s1, pods: [pod(s1, 0, 'ready'), pod(s1, 1, 'ready'), pod(s1, 2, 'running')], want: [['delete(scaleDown) web-2']] },
    {
      name: 'Parallel scale down deletes every condemned pod at once',
      s: set({ replicas: 1, policy: 'Parallel' }),
      pods: [0, 1, 2].map((n) => pod(s1, n, 'running')),
      want: [['delete(scaleDown) web-2', 'delete(scaleDown) web-1']],
    },
  ])('$name', ({ s, pods, want }) => {
    expect(steps(plan(s, pods))).toEqual(want);
  });

  it('a new pod has its identity, its claim volume, and the serviceName as subdomain', () => {
    const p = plan(s3, []).steps[0]![0]!.pod;
    expect(p.metadata.name).toBe('web-0');
    expect(p.metadata.labels).toMatchObject({ app: 'web', [POD_NAME_LABEL]: 'web-0', 'apps.kubernetes.io/pod-index': '0', [POD_REVISION_LABEL]: 'v1' });
    expect(p.spec).toMatchObject({ hostname: 'web-0', subdomain: 'nginx', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }] });
    expect(p.metadata.ownerReferences).toMatchObject([{ kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true }]);
    expect([...claimsFor(s3, 0).values()].map((c) => [c.metadata.name, c.metadata.labels])).toEqual([['data-web-0', { app: 'web' }]]);
  });

  it('a pod whose identity label was removed gets it back', () => {
    const p = pod(s3, 0, 'ready');
    delete p.metadata.labels![POD_NAME_LABEL];
    expect(steps(plan(set({ replicas: 1 }), [p]))).toEqual([['updateIdentity web-0']]);
  });

  it('a set being deleted only reports', () => {
    const s = set();
    s.metadata.deletionTimestamp = new Date(NOW).toISOString();
    expect(plan(s, []).steps).toEqual([]);
  });
});

describe('rolling update order', () => {
  const ready = (s: STS, revs: string[]) => revs.map((r, n) => pod(s, n, 'ready', r));
  it.each([
    { name: 'deletes the highest ordinal not at the update revision', s: set(), revs: ['v1', 'v1', 'v1'], want: [['delete(update) web-2']] },
    { name: 'then the next one down once the updated pod is ready', s: set(), revs: ['v1', 'v1', 'v2'], want: [['delete(update) web-1']] },
    { name: 'stops at the partition', s: set({ partition: 2 }), revs: ['v1', 'v1', 'v2'], want: [] },
    { name: 'a partition of 1 updates all but web-0', s: set({ partition: 1 }), revs: ['v1', 'v1', 'v2'], want: [['delete(update) web-1']] },
    { name: 'OnDelete leaves pods alone', s: set({ onDelete: true }), revs: ['v1', 'v1', 'v1'], want: [] },
  ])('$name', ({ s, revs, want }) => {
    expect(steps(plan(s, ready(s, revs), 'v2'))).toEqual(want);
  });

  it('waits while the updated pod is not ready yet', () => {
    const s = set();
    const pods = [pod(s, 0, 'ready'), pod(s, 1, 'ready'), pod(s, 2, 'running', 'v2')];
    // web-2 not ready blocks the replica pass already (OrderedReady).
    expect(steps(plan(s, pods, 'v2'))).toEqual([]);
  });

  it('pods below the partition are recreated at the current revision', () => {
    const s = set({ partition: 2 });
    const p = plan(s, [], 'v2', 'v1').steps[0]![0]!.pod;
    expect(p.metadata.labels![POD_REVISION_LABEL]).toBe('v1');
  });
});

describe('status', () => {
  it('counts replicas, ready, current and updated; completes the update when all are updated and ready', () => {
    const s = set();
    const pods = [pod(s, 0, 'ready', 'v2'), pod(s, 1, 'ready', 'v2'), pod(s, 2, 'ready', 'v2')];
    const p = plan(s, pods, 'v2', 'v1');
    expect(p.counts).toEqual({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 0, updatedReplicas: 3 });
    expect(statefulSetStatus(s, p.counts, 'v1', 'v2', 0)).toMatchObject({ observedGeneration: 2, currentRevision: 'v2', currentReplicas: 3, updateRevision: 'v2', collisionCount: 0 });
  });

  it('keeps the current revision while the update is in progress', () => {
    const s = set();
    const p = plan(s, [pod(s, 0, 'ready', 'v1'), pod(s, 1, 'ready', 'v1'), pod(s, 2, 'running', 'v2')], 'v2', 'v1');
    expect(statefulSetStatus(s, p.counts, 'v1', 'v2', 0)).toMatchObject({ replicas: 3, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 1, currentRevision: 'v1' });
  });
});
