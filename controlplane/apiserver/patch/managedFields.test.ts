import { describe, expect, it } from 'vitest';
import { updateManagedFieldsForUpdate } from './managedFields.ts';
import { FieldSet, fromFieldsV1, pathString, toFieldsV1, type FieldPath } from './fieldSet.ts';
import type { JsonObject } from './jsonValue.ts';

const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-01-01T01:00:00Z');

const configMap = (data: Record<string, string>, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2025-01-01T00:00:00Z', ...extra },
  data,
});
const managed = (obj: JsonObject) => (obj.metadata as JsonObject).managedFields as JsonObject[] | undefined;

describe('updateManagedFieldsForUpdate', () => {
  it('on create records every field but the server-owned metadata under operation Update', () => {
    const out = updateManagedFieldsForUpdate(undefined, configMap({ a: '1' }, { labels: { x: 'y' } }), 'kubectl-create', 'Update', 'v1', T0);
    expect(managed(out)).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } },
      },
    ]);
  });

  it('does not track status on the main resource, and tracks only status on the status subresource', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    const main = updateManagedFieldsForUpdate(undefined, pod, 'kubelet', 'Update', 'v1', T0);
    expect(managed(main)?.[0].fieldsV1).toEqual({ 'f:spec': { 'f:nodeName': {} } });
    const status = updateManagedFieldsForUpdate(undefined, pod, 'kubelet', 'Update', 'v1', T0, { subresource: 'status' });
    expect(managed(status)?.[0]).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:phase': {} } } });
  });

  it('a write that changes nothing leaves managedFields as they were', () => {
    const created = updateManagedFieldsForUpdate(undefined, configMap({ a: '1' }), 'kubectl-create', 'Update', 'v1', T0);
    const again = updateManagedFieldsForUpdate(created, structuredClone(created), 'kubectl-edit', 'Update', 'v1', T1);
    expect(managed(again)).toEqual(managed(created));
  });

  it('a changed field moves from its owner to the writer; a removed field leaves its owner', () => {
    const created = updateManagedFieldsForUpdate(undefined, configMap({ a: '1', b: '2', c: '3' }), 'kubectl-create', 'Update', 'v1', T0);
    const edited = configMap({ a: 'changed', b: '2' }, { managedFields: managed(created) });
    const out = updateManagedFieldsForUpdate(created, edited, 'kubectl-edit', 'Update', 'v1', T1);
    expect(managed(out)).toEqual([
      expect.objectContaining({ manager: 'kubectl-create', time: '2025-01-01T00:00:00Z', fieldsV1: { 'f:data': { 'f:b': {} } } }),
      expect.objectContaining({ manager: 'kubectl-edit', time: '2025-01-01T01:00:00Z', fieldsV1: { 'f:data': { 'f:a': {} } } }),
    ]);
  });

  it('the same manager writing again adds to its entry', () => {
    const created = updateManagedFieldsForUpdate(undefined, configMap({ a: '1' }), 'm', 'Update', 'v1', T0);
    const out = updateManagedFieldsForUpdate(created, configMap({ a: '1', b: '2' }), 'm', 'Update', 'v1', T1);
    expect(managed(out)).toEqual([expect.objectContaining({ manager: 'm', time: '2025-01-01T01:00:00Z', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } })]);
  });

  it('a request sending managedFields: [] resets them before recording its own changes', () => {
    const created = updateManagedFieldsForUpdate(undefined, configMap({ a: '1' }), 'kubectl-create', 'Update', 'v1', T0);
    const out = updateManagedFieldsForUpdate(created, configMap({ a: '1', b: '2' }, { managedFields: [] }), 'm', 'Update', 'v1', T1);
    expect(managed(out)?.map((e) => e.manager)).toEqual(['m']);
  });

  it('a request without managedFields keeps the live ones', () => {
    const created = updateManagedFieldsForUpdate(undefined, configMap({ a: '1' }), 'kubectl-create', 'Update', 'v1', T0);
    const out = updateManagedFieldsForUpdate(created, configMap({ a: '1', b: '2' }), 'm', 'Update', 'v1', T1);
    expect(managed(out)?.map((e) => e.manager)).toEqual(['kubectl-create', 'm']);
  });
});

describe('FieldsV1', () => {
  const paths: FieldPath[] = [
    ['f:metadata', 'f:labels', 'f:app'],
    ['f:spec', 'f:containers', 'k:{"name":"nginx"}'],
    ['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image'],
    ['f:metadata', 'f:finalizers', 'v:"example.com/x"'],
  ];
  it('marks a member with children with "." and leaves with {}', () => {
    expect(toFieldsV1(new FieldSet(paths))).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"example.com/x"': {} }, 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {} } } },
    });
  });
  it('reads back the set it wrote', () => {
    expect(fromFieldsV1(toFieldsV1(new FieldSet(paths))).equals(new FieldSet(paths))).toBe(true);
  });
  it('refuses a path element of unknown kind', () => {
    expect(() => fromFieldsV1({ 'x:y': {} })).toThrow(/unknown path element/);
  });
  it('prints paths as upstream conflict messages do', () => {
    expect(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:targetPort'])).toBe('.spec.ports[port=80,protocol="TCP"].targetPort');
    expect(pathString(['f:metadata', 'f:finalizers', 'v:"a"'])).toBe('.metadata.finalizers[="a"]');
  });
});
