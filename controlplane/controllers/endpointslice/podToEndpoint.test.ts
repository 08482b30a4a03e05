import { describe, expect, it } from 'vitest';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointConditions } from 'kubernetes-types/discovery/v1.js';
import { desiredEndpoints, endpointPorts, podToEndpoint, portMapKey } from './podToEndpoint.ts';
import { nodeLookup, testNode, testPod, testService } from './testFixtures.ts';

describe('podToEndpoint conditions', () => {
  const cases: [string, Pod, Service, EndpointConditions][] = [
    ['a ready pod is ready and serving', testPod('a', { ip: '10.244.1.5' }), testService(), { ready: true, serving: true, terminating: false }],
    ['a not-ready pod is neither', testPod('a', { ip: '10.244.1.5', ready: false }), testService(), { ready: false, serving: false, terminating: false }],
    ['a ready pod being deleted is serving and terminating, not ready', testPod('a', { ip: '10.244.1.5', deleting: true }), testService(), { ready: false, serving: true, terminating: true }],
    ['publishNotReadyAddresses makes a not-ready pod ready', testPod('a', { ip: '10.244.1.5', ready: false }), testService({ publishNotReadyAddresses: true }), { ready: true, serving: false, terminating: false }],
  ];
  it.each(cases)('%s', (_n, pod, svc, want) => expect(podToEndpoint(pod, undefined, svc, 'IPv4').conditions).toEqual(want));

  it('names the pod, its node and its node\'s zone', () => {
    const ep = podToEndpoint(testPod('a', { ip: '10.244.1.5' }), testNode('worker-1', 'zone-a'), testService(), 'IPv4');
    expect(ep).toMatchObject({
      addresses: ['10.244.1.5'],
      nodeName: 'worker-1',
      zone: 'zone-a',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
    });
    expect(ep.hostname).toBeUndefined();
  });

  it('sets the hostname when the pod asks for a name under this Service', () => {
    const pod = testPod('mysql-0', { ip: '10.244.1.5' });
    pod.spec!.hostname = 'mysql-0';
    pod.spec!.subdomain = 'mysql';
    expect(podToEndpoint(pod, undefined, testService({ name: 'mysql', clusterIP: 'None' }), 'IPv4').hostname).toBe('mysql-0');
  });

  it('keeps only the addresses of the slice\'s family', () => {
    const pod = testPod('a', { ip: '10.244.1.5' });
    pod.status!.podIPs = [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }];
    expect(podToEndpoint(pod, undefined, testService(), 'IPv4').addresses).toEqual(['10.244.1.5']);
    expect(podToEndpoint(pod, undefined, testService(), 'IPv6').addresses).toEqual(['fd00::5']);
  });
});

describe('endpointPorts', () => {
  it('resolves each Service port on the pod, named and numeric', () => {
    const svc = testService({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }, { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP', appProtocol: 'http' }] });
    const pod = testPod('a', { containers: [{ name: 'c', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }] });
    expect(endpointPorts(svc, pod)).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP', appProtocol: 'http' },
    ]);
  });

  it('leaves out a named port the pod does not have', () => {
    const svc = testService({ ports: [{ name: 'http', port: 80, targetPort: 'nope', protocol: 'TCP' }] });
    expect(endpointPorts(svc, testPod('a'))).toEqual([]);
  });

  it('the port map key ignores the order of ports', () => {
    expect(portMapKey([{ name: 'a', port: 1 }, { name: 'b', port: 2 }])).toBe(portMapKey([{ name: 'b', port: 2 }, { name: 'a', port: 1 }]));
    expect(portMapKey([{ name: 'a', port: 1 }])).not.toBe(portMapKey([{ name: 'a', port: 2 }]));
  });
});

describe('desiredEndpoints', () => {
  const named = testService({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const podOnPort = (name: string, ip: string, port: number) =>
    testPod(name, { ip, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] });

  it('groups pods by their resolved ports: one group per distinct number of a named port', () => {
    const pods = [podOnPort('a', '10.244.1.5', 80), podOnPort('b', '10.244.1.6', 8080), podOnPort('c', '10.244.2.6', 80)];
    const { groups } = desiredEndpoints(named, pods, nodeLookup(), 'IPv4');
    const summary = [...groups.values()].map((g) => ({ port: g.ports[0]!.port, ips: [...g.endpoints.values()].map((e) => e.addresses[0]) }));
    expect(summary).toEqual([
      { port: 80, ips: ['10.244.1.5', '10.244.2.6'] },
      { port: 8080, ips: ['10.244.1.6'] },
    ]);
  });

  it('skips pods without an IP and terminal pods, keeps terminating ones', () => {
    const pods = [testPod('no-ip'), testPod('done', { ip: '10.244.1.7', phase: 'Succeeded' }), testPod('going', { ip: '10.244.1.8', deleting: true })];
    const { groups } = desiredEndpoints(testService(), pods, nodeLookup(), 'IPv4');
    expect([...groups.values()].flatMap((g) => [...g.endpoints.values()].map((e) => e.targetRef?.name))).toEqual(['going']);
  });

  it('leaves out a pod whose node is unknown, and says so', () => {
    const pods = [testPod('a', { ip: '10.244.1.5' }), testPod('lost', { ip: '10.244.9.5', node: 'gone' })];
    const d = desiredEndpoints(testService(), pods, nodeLookup(), 'IPv4');
    expect([...d.groups.values()][0]!.endpoints.size).toBe(1);
    expect(d.skipped).toEqual(['lost']);
  });

  it('keeps a pod on an unknown node when the Service publishes not-ready addresses', () => {
    const d = desiredEndpoints(testService({ publishNotReadyAddresses: true }), [testPod('lost', { ip: '10.244.9.5', node: 'gone' })], nodeLookup(), 'IPv4');
    expect([...d.groups.values()][0]!.endpoints.size).toBe(1);
    expect(d.skipped).toEqual([]);
  });
});
