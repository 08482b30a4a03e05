import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { apply } from './serverSideApply.ts';
import { updateManagedFieldsForUpdate } from './managedFields.ts';
import type { JsonObject } from './jsonValue.ts';

const T0 = new Date('2025-01-01T00:00:00.123Z');
const T1 = new Date('2025-01-01T00:05:00Z');
const T2 = new Date('2025-01-01T00:10:00Z');

function config(opts: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: unknown[] } = {}): JsonObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: opts.containers ?? [{ name: 'nginx', image: opts.image ?? 'nginx:1.22', ports: [{ containerPort: 80 }] }] },
    },
  };
  if (opts.replicas !== undefined) spec.replicas = opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: opts.labels ?? { app: 'web' } },
    spec,
  };
}

const kubectl = (now: Date, force = false) => ({ manager: 'kubectl', force, apiVersion: 'apps/v1', now, kind: 'Deployment' });
const managed = (obj: JsonObject) => (obj.metadata as JsonObject).managedFields as JsonObject[];
const entryOf = (obj: JsonObject, manager: string) => managed(obj).find((e) => e.manager === manager);

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('server-side apply', () => {
  it('creates the object and records the applied fields as FieldsV1 under operation Apply', () => {
    const { object } = apply(undefined, config({ replicas: 2 }), kubectl(T0));
    expect(object.spec).toEqual(config({ replicas: 2 }).spec);
    expect(managed(object)).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': { 'f:matchLabels': { 'f:app': {} } },
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('re-applying the same configuration changes nothing, not even the entry time', () => {
    const first = apply(undefined, config({ replicas: 2 }), kubectl(T0)).object;
    const second = apply(first, config({ replicas: 2 }), kubectl(T1)).object;
    expect(second).toEqual(first);
  });

  it('removes a field the manager applied before and dropped from its configuration', () => {
    const first = apply(undefined, config({ replicas: 2, labels: { app: 'web', tier: 'front' } }), kubectl(T0)).object;
    const second = apply(first, config({ labels: { app: 'web' } }), kubectl(T1)).object;
    expect((second.metadata as JsonObject).labels).toEqual({ app: 'web' });
    expect((second.spec as JsonObject).replicas).toBeUndefined();
    expect(entryOf(second, 'kubectl')?.time).toBe('2025-01-01T00:05:00Z');
  });

  it('removes a container dropped from the configuration, with all its fields', () => {
    const two = [
      { name: 'nginx', image: 'nginx' },
      { name: 'sidecar', image: 'busybox' },
    ];
    const first = apply(undefined, config({ containers: two }), kubectl(T0)).object;
    const second = apply(first, config({ containers: [two[0]] }), kubectl(T1)).object;
    expect(((second.spec as any).template.spec.containers as unknown[]).map((c: any) => c.name)).toEqual(['nginx']);
  });

  it('keeps a dropped field that another manager also owns', () => {
    const first = apply(undefined, config({ labels: { app: 'web', tier: 'front' } }), kubectl(T0)).object;
    const other = apply(first, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'front' } } }, { ...kubectl(T1), manager: 'ops' }).object;
    const second = apply(other, config({ labels: { app: 'web' } }), kubectl(T2)).object;
    expect((second.metadata as JsonObject).labels).toEqual({ app: 'web', tier: 'front' });
  });

  it('keeps a dropped container while another manager owns a field inside it', () => {
    const two = [
      { name: 'nginx', image: 'nginx' },
      { name: 'sidecar', image: 'busybox' },
    ];
    const first = apply(undefined, config({ containers: two }), kubectl(T0)).object;
    const edited = structuredClone(first) as any;
    edited.spec.template.spec.containers[1].image = 'busybox:edited';
    const afterEdit = updateManagedFieldsForUpdate(first, edited, 'kubectl-edit', 'Update', 'apps/v1', T1);
    const second = apply(afterEdit, config({ containers: [two[0]] }), kubectl(T2)).object as any;
    expect(second.spec.template.spec.containers.map((c: any) => c.image)).toEqual(['nginx', 'busybox:edited']);
  });

  it('keeps fields that no applier owns (set by the server or another writer)', () => {
    const first = apply(undefined, config(), kubectl(T0)).object;
    const withDefaults = { ...first, spec: { ...(first.spec as JsonObject), revisionHistoryLimit: 10 } };
    const second = apply(withDefaults, config({ replicas: 3 }), kubectl(T1)).object;
    expect((second.spec as JsonObject).revisionHistoryLimit).toBe(10);
    expect((second.spec as JsonObject).replicas).toBe(3);
  });

  it('merges the applied container into the live one by name, keeping live-only fields', () => {
    const live = apply(undefined, config(), kubectl(T0)).object;
    (live as any).spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    const next = apply(live, config({ image: 'nginx:1.26' }), kubectl(T1)).object;
    expect((next as any).spec.template.spec.containers[0]).toEqual({
      name: 'nginx',
      image: 'nginx:1.26',
      imagePullPolicy: 'IfNotPresent',
      ports: [{ containerPort: 80 }],
    });
  });
});

describe('server-side apply conflicts', () => {
  // kubectl create records its fields under "kubectl-create", operation Update.
  const created = () => updateManagedFieldsForUpdate(undefined, config({ replicas: 1 }), 'kubectl-create', 'Update', 'apps/v1', T0);

  it('refuses to change a field another manager owns, with upstream message and causes', () => {
    const err = thrown(() => apply(created(), config({ replicas: 3 }), kubectl(T1)));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas');
    expect(err.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using apps/v1', field: '.spec.replicas' }]);
  });

  it('lists every conflict, grouped by manager, when there are several', () => {
    const err = thrown(() => apply(created(), config({ replicas: 3, image: 'nginx:1.26' }), kubectl(T1)));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
  });

  it('applying the value another manager set is no conflict: both share the field', () => {
    const { object } = apply(created(), config({ replicas: 1 }), kubectl(T1));
    expect(JSON.stringify(entryOf(object, 'kubectl')?.fieldsV1)).toContain('"f:replicas"');
    expect(JSON.stringify(entryOf(object, 'kubectl-create')?.fieldsV1)).toContain('"f:replicas"');
  });

  it('with force takes the field over from the other manager', () => {
    const { object, conflicts } = apply(created(), config({ replicas: 3 }), kubectl(T1, true));
    expect((object.spec as JsonObject).replicas).toBe(3);
    expect(conflicts).toEqual([{ manager: '"kubectl-create" using apps/v1', field: '.spec.replicas' }]);
    expect(JSON.stringify(entryOf(object, 'kubectl-create')?.fieldsV1)).not.toContain('"f:replicas"');
    expect(JSON.stringify(entryOf(object, 'kubectl')?.fieldsV1)).toContain('"f:replicas"');
    expect(managed(object).map((e) => e.operation)).toEqual(['Apply', 'Update']);
  });

  it('an edit after an apply takes the edited field, and the next apply conflicts with the editor', () => {
    const applied = apply(undefined, config(), kubectl(T0)).object;
    const edited = structuredClone(applied) as any;
    edited.spec.template.spec.containers[0].image = 'nginx:edited';
    const afterEdit = updateManagedFieldsForUpdate(applied, edited, 'kubectl-edit', 'Update', 'apps/v1', T1);
    const err = thrown(() => apply(afterEdit, config(), kubectl(T2)));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="nginx"].image');
  });
});

describe('server-side apply rejects malformed configurations', () => {
  const cases: { name: string; applied: unknown; message: RegExp }[] = [
    { name: 'a body that is not an object', applied: ['x'], message: /error decoding YAML/ },
    { name: 'a configuration carrying managedFields', applied: { ...config(), metadata: { name: 'web', managedFields: [{}] } }, message: /metadata.managedFields must be nil/ },
    { name: 'a container without its name', applied: config({ containers: [{ image: 'x' }] }), message: /omits key field "name"/ },
    { name: 'two containers with one name', applied: config({ containers: [{ name: 'a' }, { name: 'a' }] }), message: /duplicate entries for key/ },
  ];
  for (const c of cases) {
    it(`answers 400 for ${c.name}`, () => {
      const err = thrown(() => apply(undefined, c.applied, kubectl(T0)));
      expect(err.code).toBe(400);
      expect(err.message).toMatch(c.message);
    });
  }
});
