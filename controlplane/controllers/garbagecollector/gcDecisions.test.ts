import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../client/types.ts';
import { blockingDependents, classifyReferences, decideItemAction, ownerStateOf, type OwnerState } from './gcDecisions.ts';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
function obj(o: { refs?: OwnerReference[]; deleting?: boolean; finalizers?: string[]; uid?: string } = {}): KubeObject {
  return { metadata: { name: 'x', uid: o.uid ?? 'x', ownerReferences: o.refs, finalizers: o.finalizers, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) } };
}

describe('ownerStateOf', () => {
  it.each<[string, KubeObject | undefined, OwnerState]>([
    ['no such object', undefined, 'absent'],
    ['an object of that name with another uid', obj({ uid: 'other' }), 'absent'],
    ['the owner', obj({ uid: 'a' }), 'present'],
    ['the owner being deleted in the background', obj({ uid: 'a', deleting: true }), 'present'],
    ['the owner being deleted with orphan', obj({ uid: 'a', deleting: true, finalizers: ['orphan'] }), 'present'],
    ['the owner being deleted in the foreground', obj({ uid: 'a', deleting: true, finalizers: ['foregroundDeletion'] }), 'deletingDependents'],
  ])('%s', (_n, owner, want) => expect(ownerStateOf(owner, ref('a'))).toBe(want));
});

describe('decideItemAction', () => {
  const decide = (item: KubeObject, states: OwnerState[], hasDependents = false) => decideItemAction(item, classifyReferences(item.metadata.ownerReferences ?? [], states), hasDependents);
  it.each<[string, KubeObject, OwnerState[], boolean, ReturnType<typeof decideItemAction>]>([
    ['no owners: nothing', obj(), [], false, { kind: 'none' }],
    ['its owner is there: nothing', obj({ refs: [ref('a')] }), ['present'], false, { kind: 'none' }],
    ['its owner is gone: delete in the background', obj({ refs: [ref('a')] }), ['absent'], false, { kind: 'delete', propagationPolicy: 'Background' }],
    ['one owner gone, one there: drop the dangling reference', obj({ refs: [ref('a'), ref('b')] }), ['absent', 'present'], false, { kind: 'removeOwnerReferences', uids: ['a'] }],
    ['owner waiting in the foreground, no dependents of its own: background', obj({ refs: [ref('a')] }), ['deletingDependents'], false, { kind: 'delete', propagationPolicy: 'Background' }],
    ['owner waiting in the foreground, with dependents: foreground', obj({ refs: [ref('a')] }), ['deletingDependents'], true, { kind: 'delete', propagationPolicy: 'Foreground' }],
    ['an owner of a kind not served: never deleted', obj({ refs: [ref('a')] }), ['unresolvable'], false, { kind: 'none' }],
    ['an object with an orphan finalizer keeps its policy', obj({ refs: [ref('a')], finalizers: ['orphan'] }), ['absent'], false, { kind: 'delete', propagationPolicy: 'Orphan' }],
    ['being deleted with orphan: orphan its dependents', obj({ deleting: true, finalizers: ['orphan'] }), [], true, { kind: 'orphanDependents' }],
    ['being deleted in the foreground: process dependents', obj({ deleting: true, finalizers: ['foregroundDeletion'] }), [], true, { kind: 'processDeletingDependents' }],
    ['being deleted otherwise: nothing', obj({ refs: [ref('a')], deleting: true }), ['absent'], false, { kind: 'none' }],
  ])('%s', (_n, item, states, deps, want) => expect(decide(item, states, deps)).toEqual(want));
});

describe('blockingDependents', () => {
  it('are the dependents whose reference to the owner has blockOwnerDeletion', () => {
    const a = { ...obj({ refs: [ref('o', true)] }), metadata: { ...obj({ refs: [ref('o', true)] }).metadata, name: 'a' } };
    const b = { ...obj({ refs: [ref('o')] }), metadata: { ...obj({ refs: [ref('o')] }).metadata, name: 'b' } };
    const c = { ...obj({ refs: [ref('other', true)] }), metadata: { ...obj({ refs: [ref('other', true)] }).metadata, name: 'c' } };
    expect(blockingDependents('o', [a, b, c]).map((d) => d.metadata.name)).toEqual(['a']);
  });
});
