import { describe, expect, it } from 'vitest';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { type PlanInput, type Slice, type SlicePlan, addressTypesForService, planSlices, sliceToFill } from './sliceReconciler.ts';
import { nodeLookup, testPod, testService } from './testFixtures.ts';

/** What the API server would store for a planned create: a name and a resourceVersion. */
let counter = 0;
function stored(s: Slice): Slice {
  counter++;
  return { ...structuredClone(s), metadata: { ...structuredClone(s.metadata), name: s.metadata.name || `${s.metadata.generateName}x${counter}`, uid: s.metadata.uid ?? `slice-uid-${counter}`, resourceVersion: String(counter) } };
}

/** Applies a plan to the existing slices: the state after the controller performed it. */
function apply(existing: Slice[], plan: SlicePlan): Slice[] {
  const byName = new Map(existing.map((s) => [s.metadata.name, s]));
  for (const s of plan.delete) byName.delete(s.metadata.name);
  for (const s of plan.update) byName.set(s.metadata.name, stored(s));
  for (const s of plan.create) {
    const c = stored(s);
    byName.set(c.metadata.name, c);
  }
  return [...byName.values()];
}

function plan(service: Service, pods: Pod[], existing: Slice[] = [], extra: Partial<PlanInput> = {}): SlicePlan {
  return planSlices({ service, pods, existing, nodes: nodeLookup(), ...extra });
}

const svc = testService();
const nginx = [testPod('nginx-1', { ip: '10.244.1.5' }), testPod('nginx-2', { ip: '10.244.2.6', node: 'worker-2' })];
const summary = (slices: Slice[]) => slices.map((s) => (s.endpoints ?? []).map((e) => `${e.addresses[0]}${e.conditions?.ready ? '' : ' (not ready)'}`).sort());
const counts = (p: SlicePlan) => ({ create: p.create.length, update: p.update.length, delete: p.delete.length });

describe('planSlices', () => {
  it('creates one slice for a new Service: generated name, labels, owner, ports', () => {
    const p = plan(svc, nginx);
    expect(counts(p)).toEqual({ create: 1, update: 0, delete: 0 });
    const s = p.create[0]!;
    expect(s.metadata).toMatchObject({
      generateName: 'nginx-service-',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'nginx-service', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'nginx-service', uid: 'uid-svc', controller: true, blockOwnerDeletion: true }],
    });
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    expect(summary(p.create)).toEqual([['10.244.1.5', '10.244.2.6']]);
  });

  it('writes nothing when the slices already say it all', () => {
    const slices = apply([], plan(svc, nginx));
    expect(counts(plan(svc, nginx, slices))).toEqual({ create: 0, update: 0, delete: 0 });
  });

  it('updates the slice when a pod turns not ready', () => {
    const slices = apply([], plan(svc, nginx));
    const notReady = [nginx[0]!, testPod('nginx-2', { ip: '10.244.2.6', node: 'worker-2', ready: false })];
    const p = plan(svc, notReady, slices);
    expect(counts(p)).toEqual({ create: 0, update: 1, delete: 0 });
    expect(summary(p.update)).toEqual([['10.244.1.5', '10.244.2.6 (not ready)']]);
    expect(p.update[0]!.metadata.name).toBe(slices[0]!.metadata.name);
  });

  it('drops a deleted pod from its slice', () => {
    const slices = apply([], plan(svc, nginx));
    const p = plan(svc, [nginx[0]!], slices);
    expect(summary(p.update)).toEqual([['10.244.1.5']]);
  });

  it('keeps an empty placeholder slice when no pod is left, reusing the old slice', () => {
    const slices = apply([], plan(svc, nginx));
    const p = plan(svc, [], slices);
    expect(counts(p)).toEqual({ create: 0, update: 1, delete: 0 });
    expect(p.update[0]!.metadata.name).toBe(slices[0]!.metadata.name);
    expect(p.update[0]!.endpoints).toEqual([]);
    expect(p.update[0]!.ports).toEqual([]);
  });

  it('creates a placeholder for a Service that selects nothing, once', () => {
    const p = plan(svc, []);
    expect(counts(p)).toEqual({ create: 1, update: 0, delete: 0 });
    expect(counts(plan(svc, [], apply([], p)))).toEqual({ create: 0, update: 0, delete: 0 });
  });

  it('fills the placeholder when pods appear', () => {
    const slices = apply([], plan(svc, []));
    const p = plan(svc, nginx, slices);
    expect(counts(p)).toEqual({ create: 0, update: 1, delete: 0 });
    expect(summary(p.update)).toEqual([['10.244.1.5', '10.244.2.6']]);
  });

  it('splits 250 endpoints into slices of at most 100', () => {
    const pods = Array.from({ length: 250 }, (_, i) => testPod(`p${i}`, { ip: `10.244.${1 + Math.floor(i / 200)}.${(i % 200) + 1}` }));
    const p = plan(svc, pods);
    expect(p.create.map((s) => s.endpoints.length)).toEqual([100, 100, 50]);
  });

  it('puts new endpoints into the unchanged slice with room rather than a new one', () => {
    const pods = Array.from({ length: 150 }, (_, i) => testPod(`p${i}`, { ip: `10.244.1.${i + 1}` }));
    const slices = apply([], plan(svc, pods));
    const p = plan(svc, [...pods, testPod('new', { ip: '10.244.2.1', node: 'worker-2' })], slices);
    expect(counts(p)).toEqual({ create: 0, update: 1, delete: 0 });
    expect(p.update[0]!.endpoints.length).toBe(51);
  });

  it('puts pods whose named port resolves to different numbers into different slices', () => {
    const named = testService({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const onPort = (name: string, ip: string, port: number) => testPod(name, { ip, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] });
    const p = plan(named, [onPort('a', '10.244.1.5', 80), onPort('b', '10.244.1.6', 8080)]);
    expect(p.create.map((s) => [s.ports?.[0]?.port, s.endpoints.map((e) => e.addresses[0])])).toEqual([
      [80, ['10.244.1.5']],
      [8080, ['10.244.1.6']],
    ]);
  });

  it('replaces the slices when the port changes, reusing the old slice', () => {
    const slices = apply([], plan(svc, nginx));
    const moved = testService({ ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
    const p = plan(moved, nginx, slices);
    expect(counts(p)).toEqual({ create: 0, update: 1, delete: 0 });
    expect(p.update[0]!.ports?.[0]?.port).toBe(8080);
    expect(p.update[0]!.metadata.name).toBe(slices[0]!.metadata.name);
  });

  it('deletes slices owned by an older Service of the same name', () => {
    const old = apply([], plan(testService(), nginx));
    const recreated: Service = { ...testService(), metadata: { ...testService().metadata, uid: 'uid-svc-2' } };
    const p = plan(recreated, nginx, old);
    expect(counts(p)).toEqual({ create: 1, update: 0, delete: 1 });
    expect(p.create[0]!.metadata.ownerReferences?.[0]?.uid).toBe('uid-svc-2');
  });

  it('copies the Service labels, and updates the slice when they change', () => {
    const slices = apply([], plan(svc, nginx));
    const labelled = testService({ labels: { app: 'nginx', tier: 'web' } });
    const p = plan(labelled, nginx, slices);
    expect(counts(p)).toEqual({ create: 0, update: 1, delete: 0 });
    expect(p.update[0]!.metadata.labels).toEqual({
      app: 'nginx',
      tier: 'web',
      'kubernetes.io/service-name': 'nginx-service',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
  });

  it('marks a headless Service\'s slices', () => {
    expect(plan(testService({ clusterIP: 'None' }), nginx).create[0]!.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
  });

  it('annotates written slices with the trigger time, and never writes for it alone', () => {
    const p = plan(svc, nginx, [], { triggerTime: Date.parse('2024-01-01T00:00:30Z') });
    expect(p.create[0]!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe('2024-01-01T00:00:30Z');
    expect(counts(plan(svc, nginx, apply([], p), { triggerTime: Date.parse('2024-01-01T00:05:00Z') }))).toEqual({ create: 0, update: 0, delete: 0 });
  });

  it('reports pods skipped for an unknown node', () => {
    const p = plan(svc, [...nginx, testPod('lost', { ip: '10.244.9.9', node: 'gone' })]);
    expect(p.skippedPods).toEqual(['lost']);
    expect(summary(p.create)).toEqual([['10.244.1.5', '10.244.2.6']]);
  });
});

describe('addressTypesForService', () => {
  const cases: [string, Service, string[]][] = [
    ['from ipFamilies', testService(), ['IPv4']],
    ['from the cluster IP when families are not set', { ...testService(), spec: { ...testService().spec, ipFamilies: undefined } }, ['IPv4']],
    ['both for a headless Service without families', testService({ clusterIP: 'None' }), ['IPv4', 'IPv6']],
  ];
  it.each(cases)('%s', (_n, s, want) => expect(addressTypesForService(s)).toEqual(want));
});

describe('sliceToFill', () => {
  const withN = (name: string, n: number) => ({ metadata: { name }, addressType: 'IPv4', endpoints: Array.from({ length: n }, () => ({ addresses: ['10.0.0.1'] })) }) as Slice;
  it('picks the slice the new endpoints fill most closely', () => {
    expect(sliceToFill([withN('a', 10), withN('b', 90), withN('c', 95)], 8, 100)?.metadata.name).toBe('b');
  });
  it('none when no slice has room', () => {
    expect(sliceToFill([withN('a', 99)], 2, 100)).toBeUndefined();
  });
});
