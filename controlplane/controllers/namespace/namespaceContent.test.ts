import { describe, expect, it } from 'vitest';
import { findResource } from '../../api/resources.ts';
import type { KubeObject } from '../../client/types.ts';
import { deletableNamespacedResources, deletionConditions, finalizersWithoutKubernetes, mergeConditions, recheckDelayMs, summarizeRemaining } from './namespaceContent.ts';

describe('deletableNamespacedResources', () => {
  const plurals = deletableNamespacedResources().map((r) => `${r.plural}.${r.group}`);
  it('covers the namespaced kinds, both event APIs included', () => {
    for (const p of ['pods.', 'configmaps.', 'secrets.', 'serviceaccounts.', 'persistentvolumeclaims.', 'deployments.apps', 'replicasets.apps', 'leases.coordination.k8s.io', 'events.', 'events.events.k8s.io']) {
      expect(plurals).toContain(p);
    }
  });
  it('leaves out cluster-scoped kinds and bindings (create only)', () => {
    for (const p of ['nodes.', 'namespaces.', 'persistentvolumes.', 'bindings.']) expect(plurals).not.toContain(p);
  });
});

describe('finalizersWithoutKubernetes', () => {
  it.each([
    [['kubernetes'], []],
    [['example.com/x', 'kubernetes'], ['example.com/x']],
    [undefined, []],
  ])('%j → %j', (finalizers, want) => {
    expect(finalizersWithoutKubernetes({ metadata: { name: 'ns' }, spec: finalizers ? { finalizers } : {} })).toEqual(want);
  });
});

describe('recheckDelayMs', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  const pod = (deletionTimestamp?: string): KubeObject => ({ metadata: { name: 'p', deletionTimestamp } });
  it.each([
    ['content without grace: the minimum', [pod()], 1_000],
    ['a pod with 5 s of grace left', [pod('2024-01-01T00:00:05Z')], 5_000],
    ['a pod with 30 s left: capped', [pod('2024-01-01T00:00:30Z')], 15_000],
    ['a grace already over: the minimum', [pod('2023-12-31T23:59:00Z')], 1_000],
  ])('%s', (_n, remaining, want) => expect(recheckDelayMs(remaining, now)).toBe(want));
});

describe('conditions', () => {
  it('reports remaining content and finalizers like upstream', () => {
    const summary = summarizeRemaining([
      { resource: findResource('', 'v1', 'pods')!, items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b', finalizers: ['example.com/hold'] } }] },
      { resource: findResource('apps', 'v1', 'replicasets')!, items: [{ metadata: { name: 'rs', finalizers: ['foregroundDeletion'] } }] },
      { resource: findResource('', 'v1', 'configmaps')!, items: [] },
    ]);
    expect(summary).toEqual({ resources: ['pods.: 2', 'replicasets.apps: 1'], finalizers: ['example.com/hold in 1 resource instances', 'foregroundDeletion in 1 resource instances'] });
    const conds = deletionConditions([], summary);
    expect(conds.find((c) => c.type === 'NamespaceContentRemaining')).toEqual({ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods.: 2, replicasets.apps: 1' });
    expect(conds.find((c) => c.type === 'NamespaceDeletionContentFailure')!.status).toBe('False');
  });
  it('keeps lastTransitionTime when a status did not change', () => {
    const old = [{ type: 'A', status: 'True' as const, reason: 'r', message: 'm1', lastTransitionTime: 'then' }];
    const next = [{ type: 'A', status: 'True' as const, reason: 'r', message: 'm2' }, { type: 'B', status: 'False' as const, reason: 'r', message: 'm' }];
    expect(mergeConditions(old, next, 'now').map((c) => c.lastTransitionTime)).toEqual(['then', 'now']);
  });
});
