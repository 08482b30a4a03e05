import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../resources.ts';
import { definitions, reachableDefinitions, resolve, schemaFor, schemaNameFor } from './definitions.ts';
import { buildDefinitions } from './generateDefinitions.ts';

describe('definitions', () => {
  it('has a schema for every served kind, tagged with its GVK', () => {
    for (const r of RESOURCES) {
      expect(schemaNameFor(r), `${r.group}/${r.version} ${r.kind}`).toBeDefined();
      expect(schemaFor(r)!.properties!.metadata).toBeDefined();
    }
    expect(schemaNameFor({ group: '', version: 'v1', kind: 'Event' })).toBe('io.k8s.api.core.v1.Event');
    expect(schemaNameFor({ group: 'events.k8s.io', version: 'v1', kind: 'Event' })).toBe('io.k8s.api.events.v1.Event');
    expect(schemaNameFor({ group: 'apps', version: 'v1', kind: 'Widget' })).toBeUndefined();
  });

  it('resolves every $ref it holds', () => {
    const all = Object.keys(definitions());
    expect(reachableDefinitions(all)).toEqual(new Set(all));
    expect(resolve(schemaFor({ group: '', version: 'v1', kind: 'Pod' })!.properties!.spec).properties!.containers).toBeDefined();
  });

  it('names definitions by their upstream package', () => {
    const names = Object.keys(definitions());
    expect(names).toEqual(expect.arrayContaining([
      'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.discovery.v1.EndpointPort', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.api.policy.v1.Eviction',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.api.resource.Quantity', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    ]));
    expect(names.filter((n) => !/^io\.k8s\.(api\.\w+|apimachinery\.pkg\.[\w.]+)\.v?\w+\.\w+$|^io\.k8s\.apimachinery\.pkg\.\w+\.\w+$/.test(n))).toEqual([]);
  });

  it('is what generateDefinitions builds from the installed packages (rerun it after upgrading them)', async () => {
    expect(await buildDefinitions()).toEqual(definitions());
  }, 30_000);
});
