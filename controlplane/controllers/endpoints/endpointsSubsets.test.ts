import { describe, expect, it } from 'vitest';
import type { EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import { testPod, testService } from '../endpointslice/testFixtures.ts';
import { type EndpointsObj, desiredSubsets, endpointsToWrite, managesEndpoints, repackSubsets, truncateSubsets } from './endpointsSubsets.ts';

/** Subsets as "ready ips | not-ready ips | ports", the way one reads `kubectl describe ep`. */
const brief = (subsets: EndpointSubset[]) =>
  subsets.map((s) =>
    [(s.addresses ?? []).map((a) => a.ip).join(','), (s.notReadyAddresses ?? []).map((a) => a.ip).join(','), (s.ports ?? []).map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`).join(',')].join(' | '),
  );

const a = testPod('nginx-1', { ip: '10.244.1.5' });
const b = testPod('nginx-2', { ip: '10.244.2.6', node: 'worker-2' });
const twoPorts = testService({ ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }, { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' }] });

describe('desiredSubsets', () => {
  const cases: [string, Service, Pod[], string[]][] = [
    ['two ready pods share one subset, sorted by IP', testService(), [b, a], ['10.244.1.5,10.244.2.6 |  | http:80/TCP']],
    ['a not-ready pod goes to notReadyAddresses of the same subset', testService(), [a, testPod('nginx-2', { ip: '10.244.2.6', ready: false })], ['10.244.1.5 | 10.244.2.6 | http:80/TCP']],
    ['all ports of the Service in one subset', twoPorts, [a, b], ['10.244.1.5,10.244.2.6 |  | http:80/TCP,https:443/TCP']],
    ['a terminating pod is left out', testService(), [a, testPod('old', { ip: '10.244.1.9', deleting: true })], ['10.244.1.5 |  | http:80/TCP']],
    ['a pod without an IP is left out', testService(), [a, testPod('pending')], ['10.244.1.5 |  | http:80/TCP']],
    ['publishNotReadyAddresses lists a not-ready pod as ready', testService({ publishNotReadyAddresses: true }), [testPod('x', { ip: '10.244.1.5', ready: false })], ['10.244.1.5 |  | http:80/TCP']],
    ['a headless Service without ports still lists addresses', testService({ clusterIP: 'None', ports: [] }), [a], ['10.244.1.5 |  | ']],
    ['no pods, no subsets', testService(), [], []],
  ];
  it.each(cases)('%s', (_n, svc, pods, want) => expect(brief(desiredSubsets(svc, pods))).toEqual(want));

  it('pods whose named port resolves differently land in different subsets', () => {
    const svc = testService({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const onPort = (name: string, ip: string, port: number) => testPod(name, { ip, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] });
    expect(brief(desiredSubsets(svc, [onPort('a', '10.244.1.5', 80), onPort('b', '10.244.1.6', 8080), onPort('c', '10.244.2.6', 80)]))).toEqual([
      '10.244.1.5,10.244.2.6 |  | http:80/TCP',
      '10.244.1.6 |  | http:8080/TCP',
    ]);
  });

  it('addresses name the pod and its node', () => {
    expect(desiredSubsets(testService(), [a])[0]!.addresses![0]).toEqual({ ip: '10.244.1.5', nodeName: 'worker-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'nginx-1', uid: 'uid-nginx-1' } });
  });
});

describe('repackSubsets', () => {
  it('an address not ready on one port and ready on another splits by port', () => {
    const addr = { ip: '10.244.1.5' };
    const out = repackSubsets([
      { addresses: [addr], ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
      { notReadyAddresses: [addr], ports: [{ name: 'b', port: 2, protocol: 'TCP' }] },
    ]);
    expect(brief(out)).toEqual(['10.244.1.5 |  | a:1/TCP', ' | 10.244.1.5 | b:2/TCP']);
  });
  it('not ready wins for the same address and port', () => {
    const addr = { ip: '10.244.1.5' };
    const port = { name: 'a', port: 1, protocol: 'TCP' };
    expect(brief(repackSubsets([{ addresses: [addr], ports: [port] }, { notReadyAddresses: [addr], ports: [port] }]))).toEqual([' | 10.244.1.5 | a:1/TCP']);
  });
});

describe('truncateSubsets', () => {
  const addrs = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.${base}.${Math.floor(i / 250)}.${i % 250}` }));
  it('drops not-ready addresses first', () => {
    const subsets: EndpointSubset[] = [{ addresses: addrs(900, 1), notReadyAddresses: addrs(300, 2) }];
    expect(truncateSubsets(subsets)).toBe(true);
    expect([subsets[0]!.addresses!.length, subsets[0]!.notReadyAddresses!.length]).toEqual([900, 100]);
  });
  it('drops all not-ready and some ready ones beyond capacity', () => {
    const subsets: EndpointSubset[] = [{ addresses: addrs(800, 1), notReadyAddresses: addrs(10, 3) }, { addresses: addrs(400, 2) }];
    expect(truncateSubsets(subsets)).toBe(true);
    expect(subsets.reduce((n, s) => n + s.addresses!.length + (s.notReadyAddresses?.length ?? 0), 0)).toBe(1000);
  });
  it('leaves a small set alone', () => {
    expect(truncateSubsets([{ addresses: addrs(3, 1) }])).toBe(false);
  });
});

describe('endpointsToWrite', () => {
  const svc = testService({ labels: { app: 'nginx' } });
  const subsets = desiredSubsets(svc, [a, b]);
  const first = endpointsToWrite(undefined, svc, subsets, Date.parse('2024-01-01T00:00:00Z'))!;
  const stored: EndpointsObj = { ...structuredClone(first), metadata: { ...first.metadata, resourceVersion: '5' } };

  it('a new Endpoints object: named as the Service, its labels, the trigger time', () => {
    expect(first.metadata).toEqual({
      name: 'nginx-service',
      namespace: 'default',
      labels: { app: 'nginx' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:00Z' },
    });
    expect(first.subsets).toEqual(subsets);
  });
  it('nothing to write when subsets and labels are the same, whatever the trigger time', () => {
    expect(endpointsToWrite(stored, svc, desiredSubsets(svc, [b, a]), Date.parse('2024-01-01T00:09:00Z'))).toBeUndefined();
  });
  it('a changed subset is written over the current object', () => {
    const next = endpointsToWrite(stored, svc, desiredSubsets(svc, [a]), undefined)!;
    expect(next.metadata.resourceVersion).toBe('5');
    expect(brief(next.subsets!)).toEqual(['10.244.1.5 |  | http:80/TCP']);
    expect(next.metadata.annotations).toBeUndefined();
  });
  it('changed Service labels are written', () => {
    expect(endpointsToWrite(stored, testService({ labels: { app: 'web' } }), subsets, undefined)?.metadata.labels).toEqual({ app: 'web' });
  });
  it('a headless Service\'s Endpoints carry the headless label, which is no change by itself', () => {
    const headless = testService({ clusterIP: 'None', labels: { app: 'nginx' } });
    const ep = endpointsToWrite(undefined, headless, subsets, undefined)!;
    expect(ep.metadata.labels).toEqual({ app: 'nginx', 'service.kubernetes.io/headless': '' });
    expect(endpointsToWrite({ ...ep, metadata: { ...ep.metadata, resourceVersion: '1' } }, headless, subsets, undefined)).toBeUndefined();
  });
});

describe('managesEndpoints', () => {
  const cases: [string, Service, boolean][] = [
    ['a Service with a selector', testService(), true],
    ['not one without a selector', testService({ selector: null }), false],
    ['not the API server\'s own Service', testService({ name: 'kubernetes' }), false],
    ['not an ExternalName Service', { ...testService(), spec: { ...testService().spec, type: 'ExternalName' } }, false],
  ];
  it.each(cases)('%s', (_n, svc, want) => expect(managesEndpoints(svc)).toBe(want));
});
