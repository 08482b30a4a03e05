import { describe, expect, it } from 'vitest';
import { buildServiceMap } from './serviceMap.ts';
import { buildEndpointsMap } from './endpointsMap.ts';
import { categorizeEndpoints } from './categorizeEndpoints.ts';
import { makeService, makeSlice, testLog, TEST_NODE } from './testFixtures.ts';

describe('buildServiceMap', () => {
  it('one entry per port, named ns/svc:port, with affinity and traffic policies', () => {
    const m = buildServiceMap([makeService('ns', 'web', {
      clusterIP: '10.96.0.5', type: 'NodePort', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }],
    })], testLog);
    expect([...m.keys()]).toEqual(['ns/web:http', 'ns/web:dns']);
    expect(m.get('ns/web:http')).toMatchObject({ protocol: 'TCP', nodePort: 30080, stickySeconds: 10800, externalPolicyLocal: true, internalPolicyLocal: false });
    // no NodePort, no external IP: the Local external policy does not apply to this port
    expect(m.get('ns/web:dns')).toMatchObject({ protocol: 'UDP', externalPolicyLocal: false });
  });

  it.each([
    ['headless', { clusterIP: 'None', ports: [{ port: 80 }] }],
    ['ExternalName', { type: 'ExternalName' as const, externalName: 'x.example', ports: [{ port: 80 }] }],
    ['a port name used twice', { clusterIP: '10.96.0.5', ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }],
    ['a garbage ClusterIP', { clusterIP: '10.96.0.500', ports: [{ port: 80 }] }],
    ['a port out of range', { clusterIP: '10.96.0.5', ports: [{ port: 70000 }] }],
  ])('skips a Service with %s', (_why, spec) => {
    expect(buildServiceMap([makeService('ns', 'bad', spec), makeService('ns', 'good', { clusterIP: '10.96.0.6', ports: [{ port: 80 }] })], testLog).size).toBe(1);
  });

  it('an unnamed port is ns/svc', () => {
    expect([...buildServiceMap([makeService('ns', 'one', { clusterIP: '10.96.0.6', ports: [{ port: 80 }] })], testLog).keys()]).toEqual(['ns/one']);
  });
});

describe('buildEndpointsMap', () => {
  it('merges slices, skips garbage addresses and slices without a Service, marks local endpoints', () => {
    const a = makeSlice('ns', 'web', [{ addresses: ['10.244.1.5'], nodeName: TEST_NODE }, { addresses: ['not-an-ip'] }], [{ name: 'http', port: 8080 }]);
    const b = { ...makeSlice('ns', 'web', [{ addresses: ['10.244.2.5'], nodeName: 'other', conditions: { ready: false, serving: true, terminating: true } }], [{ name: 'http', port: 8080 }]), metadata: { namespace: 'ns', name: 'web-2', labels: { 'kubernetes.io/service-name': 'web' } } };
    const orphan = { ...a, metadata: { namespace: 'ns', name: 'orphan' } };
    const m = buildEndpointsMap([a, b, orphan], TEST_NODE, testLog);
    expect(m.get('ns/web:http')).toEqual([
      { ip: '10.244.1.5', port: 8080, ready: true, serving: true, terminating: false, isLocal: true, nodeName: TEST_NODE },
      { ip: '10.244.2.5', port: 8080, ready: false, serving: true, terminating: true, isLocal: false, nodeName: 'other' },
    ]);
  });
});

describe('categorizeEndpoints', () => {
  const svc = buildServiceMap([makeService('ns', 'web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] })], testLog).get('ns/web')!;
  const ep = (ip: string, c: { ready: boolean; serving: boolean; terminating: boolean }, isLocal = false) => ({ ip, port: 80, ...c, isLocal });
  const ready = { ready: true, serving: true, terminating: false };
  const terminating = { ready: false, serving: true, terminating: true };
  const gone = { ready: false, serving: false, terminating: true };

  it.each([
    ['only ready endpoints when some are ready', [ep('1.1.1.1', ready), ep('1.1.1.2', terminating)], ['1.1.1.1']],
    ['serving terminating endpoints when none is ready', [ep('1.1.1.2', terminating), ep('1.1.1.3', gone)], ['1.1.1.2']],
    ['nothing when nothing serves', [ep('1.1.1.3', gone)], []],
  ])('uses %s', (_why, eps, want) => {
    expect(categorizeEndpoints(eps, svc).clusterEndpoints.map((e) => e.ip)).toEqual(want);
  });

  it('internalTrafficPolicy Local uses only this node', () => {
    const local = { ...svc, internalPolicyLocal: true };
    const c = categorizeEndpoints([ep('1.1.1.1', ready, true), ep('1.1.1.2', ready)], local);
    expect(c.localEndpoints.map((e) => e.ip)).toEqual(['1.1.1.1']);
    expect(c.clusterEndpoints).toEqual([]);
  });
});
