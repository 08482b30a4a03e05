import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject, Lister } from '../../client/types.ts';
import { claimDecision, ownersSelecting, resolveControllerRef } from './controllerRef.ts';
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.ts';
import { scaledValueFromIntOrPercent } from './intOrPercent.ts';
import { isPodAvailable, podsToDelete } from './podUtils.ts';
import { slowStartBatch } from './slowStart.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const T = (offsetS: number) => new Date(NOW + offsetS * 1000).toISOString();

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; restarts?: number; created?: number } = {}): Pod {
  return {
    metadata: { name, creationTimestamp: T(o.created ?? -1000) },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: T(o.readySince ?? -500) }] : [],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('which surplus pods go first', () => {
  it.each([
    { name: 'unscheduled before scheduled', pods: [pod('a', { node: 'n1', ready: true }), pod('b')], want: 'b' },
    { name: 'pending before running', pods: [pod('a', { node: 'n1', phase: 'Running' }), pod('b', { node: 'n2', phase: 'Pending' })], want: 'b' },
    { name: 'not ready before ready', pods: [pod('a', { node: 'n1', ready: true }), pod('b', { node: 'n2' })], want: 'b' },
    { name: 'doubled up on a node before alone', pods: [pod('a', { node: 'n1', ready: true }), pod('b', { node: 'n2', ready: true }), pod('c', { node: 'n2', ready: true })], want: 'b' },
    { name: 'ready for less time first', pods: [pod('a', { node: 'n1', ready: true, readySince: -500 }), pod('b', { node: 'n2', ready: true, readySince: -10 })], want: 'b' },
    { name: 'more restarts first', pods: [pod('a', { node: 'n1', ready: true }), pod('b', { node: 'n2', ready: true, restarts: 3 })], want: 'b' },
    { name: 'newer first', pods: [pod('a', { node: 'n1', created: -900 }), pod('b', { node: 'n2', created: -10 })], want: 'b' },
  ])('$name', ({ pods, want }) => {
    expect(podsToDelete(pods, 1).map((p) => p.metadata!.name)).toEqual([want]);
  });

  it('availability waits minReadySeconds after Ready', () => {
    const p = pod('a', { ready: true, readySince: -5 });
    expect(isPodAvailable(p, 0, NOW)).toBe(true);
    expect(isPodAvailable(p, 10, NOW)).toBe(false);
    expect(isPodAvailable(p, 4, NOW)).toBe(true);
    expect(isPodAvailable(pod('b'), 0, NOW)).toBe(false);
  });
});

describe('expectations', () => {
  it('block a sync until every creation and deletion is observed, or they expire', () => {
    let now = 0;
    const e = new Expectations(() => now);
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);

    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // the same pod seen twice (graceful, then gone) counts once
    expect(e.satisfied('ns/rs')).toBe(false);
    now += EXPECTATIONS_TIMEOUT_MS + 1;
    expect(e.satisfied('ns/rs')).toBe(true);
  });
});

describe('slow start', () => {
  it('creates in batches of 1, 2, 4, ... and stops at the first failing batch', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls === 5) throw new Error('quota');
    });
    // batches 1 + 2 succeed, the batch of 4 has one failure: 3 + 3 successes, nothing more tried
    expect(calls).toBe(7);
    expect(r.successes).toBe(6);
    expect(String(r.error)).toContain('quota');
    expect(await slowStartBatch(0, 1, async () => undefined)).toEqual({ successes: 0 });
  });
});

describe('IntOrString', () => {
  it.each([
    [5, 10, true, 5],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['100%', 7, false, 7],
    ['0%', 7, true, 0],
  ] as const)('%s of %s (round up %s) = %s', (v, total, up, want) => {
    expect(scaledValueFromIntOrPercent(v, total, up)).toBe(want);
  });
});

describe('claiming children', () => {
  const owner: KubeObject = { metadata: { name: 'rs', namespace: 'ns', uid: 'me' } };
  const child = (ref?: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
    metadata: { name: 'p', namespace: 'ns', ...(ref ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: ref, controller: true }] } : {}), ...extra },
  });
  it.each([
    { name: 'owned and matching: keep', obj: child('me'), matches: true, want: 'keep' },
    { name: 'owned, no longer matching: release', obj: child('me'), matches: false, want: 'release' },
    { name: 'owned by another controller: ignore', obj: child('other'), matches: true, want: 'ignore' },
    { name: 'matching orphan: adopt', obj: child(), matches: true, want: 'adopt' },
    { name: 'orphan not matching: ignore', obj: child(), matches: false, want: 'ignore' },
    { name: 'orphan being deleted: ignore', obj: child(undefined, { deletionTimestamp: T(0) }), matches: true, want: 'ignore' },
    { name: 'orphan in another namespace: ignore', obj: child(undefined, { namespace: 'other' }), matches: true, want: 'ignore' },
  ])('$name', ({ obj, matches, want }) => {
    expect(claimDecision(owner, obj, matches)).toBe(want);
  });
  it('an owner being deleted neither adopts nor releases', () => {
    const dying = { metadata: { ...owner.metadata, deletionTimestamp: T(0) } };
    expect(claimDecision(dying, child(), true)).toBe('ignore');
    expect(claimDecision(dying, child('me'), false)).toBe('ignore');
  });
});

describe('finding the owners of a child in the cache', () => {
  type Owner = KubeObject & { spec?: { selector?: { matchLabels?: Record<string, string> } } };
  const owners: Owner[] = [
    { metadata: { name: 'web', namespace: 'ns', uid: 'u-web' }, spec: { selector: { matchLabels: { app: 'web' } } } },
    { metadata: { name: 'all', namespace: 'ns', uid: 'u-all' }, spec: { selector: {} } },
    { metadata: { name: 'web', namespace: 'other', uid: 'u-other' }, spec: { selector: { matchLabels: { app: 'web' } } } },
  ];
  const lister: Lister<Owner> = {
    get: (ns, name) => owners.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
    list: (ns) => owners.filter((o) => ns === undefined || o.metadata.namespace === ns),
    byIndex: () => [],
  };
  const ref = (kind: string, name: string, uid: string) => ({ apiVersion: 'apps/v1', kind, name, uid, controller: true });
  it.each([
    { name: 'the cached owner with that kind, name and uid', r: ref('ReplicaSet', 'web', 'u-web'), want: 'u-web' },
    { name: 'not one of another kind', r: ref('DaemonSet', 'web', 'u-web'), want: undefined },
    { name: 'not a recreated owner of the same name', r: ref('ReplicaSet', 'web', 'u-old'), want: undefined },
    { name: 'not one missing from the cache', r: ref('ReplicaSet', 'gone', 'u-gone'), want: undefined },
    { name: 'nothing without a reference', r: undefined, want: undefined },
  ])('resolveControllerRef: $name', ({ r, want }) => {
    expect(resolveControllerRef(lister, 'ReplicaSet', 'ns', r)?.metadata.uid).toBe(want);
  });
  it('ownersSelecting: the owners in the namespace of the child whose non-empty selector matches', () => {
    const pod = { metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } } };
    expect(ownersSelecting(lister, pod).map((o) => o.metadata.uid)).toEqual(['u-web']);
    expect(ownersSelecting(lister, { metadata: { ...pod.metadata, labels: { app: 'db' } } })).toEqual([]);
  });
});
