import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { describe, expect, it } from 'vitest';
import {
  endpointSlicePrinter,
  endpointsPrinter,
  formatEndpoints,
  formatSliceEndpoints,
  formatSlicePorts,
  serviceExternalIP,
  servicePorts,
  servicePrinter,
} from './servicePrinters.ts';

const now = new Date('2024-06-01T12:00:00Z');
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: new Date(now.getTime() - 42_000).toISOString() });

describe('servicePrinter', () => {
  it('prints a NodePort service with node ports and the wide selector', () => {
    const svc: Service = {
      metadata: meta('nginx'),
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.12.34',
        clusterIPs: ['10.96.12.34'],
        selector: { app: 'nginx' },
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, nodePort: 30053, protocol: 'UDP' },
        ],
      },
    };
    expect(servicePrinter.print(svc, now).cells).toEqual(['nginx', 'NodePort', '10.96.12.34', '<none>', '80:30080/TCP,53:30053/UDP', '42s', 'app=nginx']);
  });

  it('prints a headless service without selector', () => {
    const svc: Service = { metadata: meta('mysql'), spec: { clusterIP: 'None', ports: [{ port: 3306 }] } };
    expect(servicePrinter.print(svc, now).cells).toEqual(['mysql', 'ClusterIP', 'None', '<none>', '3306/TCP', '42s', '<none>']);
  });

  it('prints <none> for no cluster IP and no ports', () => {
    const svc: Service = { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } };
    expect(servicePrinter.print(svc, now).cells.slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('serviceExternalIP', () => {
  const svc = (type: string, externalIPs?: string[], ingress?: { ip?: string; hostname?: string }[]): Service => ({
    spec: { type, externalIPs },
    status: { loadBalancer: { ingress } },
  });
  it.each<[string, Service, string]>([
    ['ClusterIP without external IPs', svc('ClusterIP'), '<none>'],
    ['ClusterIP with external IPs', svc('ClusterIP', ['192.168.56.100', '192.168.56.101']), '192.168.56.100,192.168.56.101'],
    ['NodePort with external IPs', svc('NodePort', ['192.168.56.100']), '192.168.56.100'],
    ['LoadBalancer not yet provisioned', svc('LoadBalancer'), '<pending>'],
    ['LoadBalancer with sorted, unique ingress', svc('LoadBalancer', undefined, [{ ip: '10.0.0.9' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.9' }]), '10.0.0.9,lb.example.com'],
    ['LoadBalancer ingress then external IPs', svc('LoadBalancer', ['192.168.56.100'], [{ ip: '10.0.0.9' }]), '10.0.0.9,192.168.56.100'],
    ['an unknown type', svc('Magic'), '<unknown>'],
  ])('%s', (_name, s, want) => {
    expect(serviceExternalIP(s)).toBe(want);
  });
});

describe('servicePorts', () => {
  it('defaults the protocol to TCP and prints <none> for no ports', () => {
    expect(servicePorts([{ port: 8080 }])).toBe('8080/TCP');
    expect(servicePorts([])).toBe('<none>');
  });
});

describe('formatEndpoints', () => {
  const ep = (subsets: Endpoints['subsets']): Endpoints => ({ metadata: meta('nginx'), subsets });
  it.each<[string, Endpoints, string]>([
    ['no subsets', ep(undefined), '<none>'],
    ['one address and port', ep([{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }]), '10.244.1.5:80'],
    [
      'more than three shows the rest as a count',
      ep([{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }], ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] }]),
      '10.244.1.5:80,10.244.2.6:80,10.244.1.5:443 + 1 more...',
    ],
    ['headless without ports lists IPs', ep([{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }] }]), '10.244.1.5,10.244.2.6'],
    ['IPv6 addresses get brackets', ep([{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 80 }] }]), '[fd00::5]:80'],
    ['only not-ready addresses prints empty', ep([{ notReadyAddresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }]), ''],
  ])('%s', (_name, e, want) => {
    expect(formatEndpoints(e)).toBe(want);
  });
  it('prints name, endpoints, age', () => {
    expect(endpointsPrinter.print(ep([{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }]), now).cells).toEqual(['nginx', '10.244.1.5:80', '42s']);
  });
});

describe('endpointSlicePrinter', () => {
  it('prints address type, ports and endpoints', () => {
    const slice: EndpointSlice = {
      metadata: meta('nginx-abcde'),
      addressType: 'IPv4',
      ports: [{ port: 80, name: 'http', protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.244.1.5'] }, { addresses: ['10.244.2.6'] }],
    };
    expect(endpointSlicePrinter.print(slice, now).cells).toEqual(['nginx-abcde', 'IPv4', '80', '10.244.1.5,10.244.2.6', '42s']);
  });
  it.each([
    ['no ports', [], '<unset>'],
    ['a named port without number', [{ name: 'http' }], 'http'],
    ['all ports', [{}], '*'],
    ['four ports', [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }], '1,2,3 + 1 more...'],
  ])('formats ports: %s', (_name, ports, want) => {
    expect(formatSlicePorts(ports)).toBe(want);
  });
  it('formats endpoints: none is <unset>, more than three are counted', () => {
    expect(formatSliceEndpoints([])).toBe('<unset>');
    expect(formatSliceEndpoints([{ addresses: ['a', 'b'] }, { addresses: ['c', 'd', 'e'] }])).toBe('a,b,c + 2 more...');
  });
});
