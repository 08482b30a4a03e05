import { describe, expect, it } from 'vitest';
import { EndpointsChangeTracker } from './endpointsChangeTracker.ts';
import { ServiceChangeTracker } from './serviceChangeTracker.ts';
import { makeService, makeSlice, testLog, TEST_NODE } from './testFixtures.ts';

const svc = (name: string, port = 80, clusterIP = '10.96.0.5') => makeService('ns', name, { clusterIP, ports: [{ name: 'p', port }] });
const slice = (service: string, ips: string[], sliceName = `${service}-1`) => {
  const s = makeSlice('ns', service, ips.map((ip) => ({ addresses: [ip] })), [{ name: 'p', port: 8080 }]);
  s.metadata!.name = sliceName;
  return s;
};

describe('ServiceChangeTracker', () => {
  it('reports added, changed and deleted Services, and only those', () => {
    const t = new ServiceChangeTracker(testLog);
    t.onChange(undefined, svc('a'));
    t.onChange(undefined, svc('b', 80, '10.96.0.6'));
    let u = t.update();
    expect(u.changed).toEqual(new Set(['ns/a', 'ns/b']));
    expect([...u.services.keys()].sort()).toEqual(['ns/a:p', 'ns/b:p']);

    t.onChange(svc('a'), svc('a', 81));
    u = t.update();
    expect(u.changed).toEqual(new Set(['ns/a']));
    expect(u.services.get('ns/a:p')!.port).toBe(81);

    t.onChange(svc('b', 80, '10.96.0.6'), undefined);
    u = t.update();
    expect(u.changed).toEqual(new Set(['ns/b']));
    expect([...u.services.keys()]).toEqual(['ns/a:p']);
  });

  it('an update that changes nothing the proxy uses, or changes and reverts before a sync, is no change', () => {
    const t = new ServiceChangeTracker(testLog);
    t.onChange(undefined, svc('a'));
    t.update();
    const relabelled = svc('a');
    relabelled.metadata!.labels = { app: 'x' };
    t.onChange(svc('a'), relabelled);
    expect(t.pendingChanges()).toEqual(new Set(['ns/a']));
    expect(t.update().changed).toEqual(new Set());
    t.onChange(svc('a'), svc('a', 81));
    t.onChange(svc('a', 81), svc('a'));
    expect(t.update().changed).toEqual(new Set());
  });

  it('entries are replaced, never modified: a port read before an update stays as it was', () => {
    const t = new ServiceChangeTracker(testLog);
    t.onChange(undefined, svc('a'));
    const first = t.update().services.get('ns/a:p')!;
    t.onChange(svc('a'), svc('a', 81));
    expect(t.update().services.get('ns/a:p')!.port).toBe(81);
    expect(first.port).toBe(80);
  });

  it('replaceAll finds what the events missed: a deletion never delivered', () => {
    const t = new ServiceChangeTracker(testLog);
    t.onChange(undefined, svc('a'));
    t.onChange(undefined, svc('b', 80, '10.96.0.6'));
    t.update();
    t.replaceAll([svc('a')]);
    const u = t.update();
    expect(u.changed).toEqual(new Set(['ns/b']));
    expect([...u.services.keys()]).toEqual(['ns/a:p']);
  });
});

describe('EndpointsChangeTracker', () => {
  it('rebuilds only the Services whose slices changed, merging a Service’s slices', () => {
    const t = new EndpointsChangeTracker(TEST_NODE, testLog);
    t.onChange(undefined, slice('a', ['10.0.0.1']));
    t.onChange(undefined, slice('a', ['10.0.0.2'], 'a-2'));
    t.onChange(undefined, slice('b', ['10.0.1.1']));
    let u = t.update();
    expect(u.changed).toEqual(new Set(['ns/a', 'ns/b']));
    expect(u.endpoints.get('ns/a:p')!.map((e) => e.ip)).toEqual(['10.0.0.1', '10.0.0.2']);

    t.onChange(slice('a', ['10.0.0.2'], 'a-2'), slice('a', ['10.0.0.3'], 'a-2'));
    u = t.update();
    expect(u.changed).toEqual(new Set(['ns/a']));
    expect(u.endpoints.get('ns/a:p')!.map((e) => e.ip)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(u.endpoints.get('ns/b:p')!.map((e) => e.ip)).toEqual(['10.0.1.1']);
  });

  it('a slice relabelled to another Service changes both; a deleted last slice removes the endpoints', () => {
    const t = new EndpointsChangeTracker(TEST_NODE, testLog);
    t.onChange(undefined, slice('a', ['10.0.0.1']));
    t.update();
    const moved = slice('b', ['10.0.0.1'], 'a-1');
    t.onChange(slice('a', ['10.0.0.1']), moved);
    let u = t.update();
    expect(u.changed).toEqual(new Set(['ns/a', 'ns/b']));
    expect([...u.endpoints.keys()]).toEqual(['ns/b:p']);
    t.onChange(moved, undefined);
    u = t.update();
    expect(u.changed).toEqual(new Set(['ns/b']));
    expect(u.endpoints.size).toBe(0);
  });

  it('the same endpoints again are no change; replaceAll drops slices whose deletion was missed', () => {
    const t = new EndpointsChangeTracker(TEST_NODE, testLog);
    t.onChange(undefined, slice('a', ['10.0.0.1']));
    t.onChange(undefined, slice('b', ['10.0.1.1']));
    t.update();
    t.onChange(slice('a', ['10.0.0.1']), slice('a', ['10.0.0.1']));
    expect(t.update().changed).toEqual(new Set());
    t.replaceAll([slice('a', ['10.0.0.1'])]);
    const u = t.update();
    expect(u.changed).toEqual(new Set(['ns/b']));
    expect([...u.endpoints.keys()]).toEqual(['ns/a:p']);
  });
});
