import { describe, expect, it } from 'vitest';
import { Indexer, objectKey, splitKey } from './indexer.ts';
import type { KubeObject } from './types.ts';

const pod = (ns: string, name: string, node?: string, owners: string[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, uid: `${ns}-${name}`, ownerReferences: owners.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid })) },
  spec: node ? { nodeName: node } : {},
});
const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();

describe('Indexer', () => {
  it('keys namespaced objects "ns/name" and cluster-scoped ones "name"', () => {
    expect(objectKey(pod('default', 'web'))).toBe('default/web');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitKey('default/web')).toEqual({ namespace: 'default', name: 'web' });
    expect(splitKey('node-1')).toEqual({ name: 'node-1' });
  });

  it('gets, lists all and lists by namespace', () => {
    const ix = new Indexer();
    ix.upsert(pod('a', 'p1'));
    ix.upsert(pod('a', 'p2'));
    ix.upsert(pod('b', 'p1'));
    expect(ix.get('a', 'p2')?.metadata.uid).toBe('a-p2');
    expect(ix.get('c', 'p1')).toBeUndefined();
    expect(names(ix.list())).toEqual(['p1', 'p1', 'p2']);
    expect(names(ix.list('a'))).toEqual(['p1', 'p2']);
    expect(ix.list('nope')).toEqual([]);
  });

  it('indexes pods by nodeName and follows a pod that moves', () => {
    const ix = new Indexer();
    ix.upsert(pod('a', 'p1', 'n1'));
    ix.upsert(pod('a', 'p2', 'n1'));
    ix.upsert(pod('a', 'p3')); // unscheduled: in no nodeName bucket
    expect(names(ix.byIndex('nodeName', 'n1'))).toEqual(['p1', 'p2']);
    ix.upsert(pod('a', 'p2', 'n2'));
    expect(names(ix.byIndex('nodeName', 'n1'))).toEqual(['p1']);
    expect(names(ix.byIndex('nodeName', 'n2'))).toEqual(['p2']);
    ix.remove(pod('a', 'p1'));
    expect(ix.byIndex('nodeName', 'n1')).toEqual([]);
  });

  it('indexes every owner reference uid', () => {
    const ix = new Indexer();
    ix.upsert(pod('a', 'p1', undefined, ['rs1', 'rs2']));
    ix.upsert(pod('a', 'p2', undefined, ['rs2']));
    expect(names(ix.byIndex('ownerUID', 'rs1'))).toEqual(['p1']);
    expect(names(ix.byIndex('ownerUID', 'rs2'))).toEqual(['p1', 'p2']);
  });

  it('a custom index added later covers objects already cached', () => {
    const ix = new Indexer();
    ix.upsert({ metadata: { name: 'x', namespace: 'a', labels: { app: 'web' } } });
    ix.addIndex('app', (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
    ix.upsert({ metadata: { name: 'y', namespace: 'a', labels: { app: 'web' } } });
    expect(names(ix.byIndex('app', 'web'))).toEqual(['x', 'y']);
    expect(() => ix.addIndex('app', () => [])).toThrow(/already exists/);
    expect(() => ix.byIndex('missing', 'v')).toThrow(/does not exist/);
  });

  it('replace reports adds, updates and the deletes of objects that vanished', () => {
    const ix = new Indexer();
    ix.upsert(pod('a', 'keep', 'n1'));
    ix.upsert(pod('a', 'gone', 'n1'));
    const diff = ix.replace([pod('a', 'keep', 'n2'), pod('a', 'new')]);
    expect(names(diff.added)).toEqual(['new']);
    expect(diff.updated.map((u) => [u.oldObj.spec.nodeName, u.newObj.spec.nodeName])).toEqual([['n1', 'n2']]);
    expect(names(diff.deleted)).toEqual(['gone']);
    expect(names(ix.list())).toEqual(['keep', 'new']);
    expect(ix.byIndex('nodeName', 'n1')).toEqual([]);
  });
});
