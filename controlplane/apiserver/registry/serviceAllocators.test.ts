import { describe, expect, it } from 'vitest';
import { allocateServiceAddresses, firstServiceIP, intToIp, ipToInt, parseCidr } from './serviceAllocators.ts';

const cidr = parseCidr('10.96.0.0/12');
const svc = (name: string, spec: Record<string, unknown>) => ({ metadata: { name, namespace: 'default' }, spec });
// A deterministic "random": always start at the beginning of the range.
const first = () => 0;

describe('service address allocation', () => {
  it('parses the range and reserves its first address for kubernetes', () => {
    expect(intToIp(cidr.base)).toBe('10.96.0.0');
    expect(cidr.size).toBe(2 ** 20);
    expect(firstServiceIP(cidr)).toBe('10.96.0.1');
    expect(ipToInt('10.96.0.1')).toBe(cidr.base + 1);
    expect(ipToInt('300.1.1.1')).toBeUndefined();
  });

  it('allocates a free ClusterIP, never one in use', () => {
    const taken = svc('a', { clusterIP: '10.96.0.2', clusterIPs: ['10.96.0.2'] });
    const s = svc('b', { type: 'ClusterIP' });
    expect(allocateServiceAddresses(s, [taken], undefined, cidr, undefined, first)).toEqual([]);
    expect(s.spec.clusterIP).toBe('10.96.0.3');
    expect(s.spec.clusterIPs).toEqual(['10.96.0.3']);
  });

  it('rejects a requested ClusterIP that is taken or outside the range', () => {
    const taken = svc('a', { clusterIP: '10.96.0.9' });
    const dup = svc('b', { clusterIP: '10.96.0.9' });
    expect(allocateServiceAddresses(dup, [taken], undefined, cidr)[0]!.message).toContain('provided IP is already allocated');
    const outside = svc('c', { clusterIP: '192.168.1.1' });
    expect(allocateServiceAddresses(outside, [], undefined, cidr)[0]!.message).toContain('is not in the valid range');
  });

  it('keeps a headless Service headless and an ExternalName without an address', () => {
    const headless = svc('h', { clusterIP: 'None' });
    expect(allocateServiceAddresses(headless, [], undefined, cidr)).toEqual([]);
    expect(headless.spec.clusterIPs).toEqual(['None']);
    const ext = svc('e', { type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.0.5' });
    allocateServiceAddresses(ext, [], undefined, cidr);
    expect(ext.spec.clusterIP).toBeUndefined();
  });

  it('allocates NodePorts without duplicates, keeps them on update, rejects taken ones', () => {
    const taken = svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] });
    const s = svc('b', { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] });
    expect(allocateServiceAddresses(s, [taken], undefined, cidr, [30000, 32767], first)).toEqual([]);
    const ports = (s.spec.ports as { nodePort: number }[]).map((p) => p.nodePort);
    expect(ports).toEqual([30001, 30002]);
    const update = svc('b', { type: 'NodePort', clusterIP: s.spec.clusterIP, ports: [{ port: 80 }, { port: 443 }] });
    allocateServiceAddresses(update, [taken], s, cidr, [30000, 32767], () => 0.5);
    expect((update.spec.ports as { nodePort: number }[]).map((p) => p.nodePort)).toEqual([30001, 30002]);
    const clash = svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] });
    expect(allocateServiceAddresses(clash, [taken], undefined, cidr)[0]).toMatchObject({ field: 'spec.ports[0].nodePort', message: 'Invalid value: 30000: provided port is already allocated' });
  });

  it('drops nodePorts when a Service becomes ClusterIP', () => {
    const old = svc('a', { type: 'NodePort', clusterIP: '10.96.0.7', ports: [{ port: 80, nodePort: 30007 }] });
    const next = svc('a', { type: 'ClusterIP', clusterIP: '10.96.0.7', ports: [{ port: 80, nodePort: 30007 }] });
    allocateServiceAddresses(next, [], old, cidr);
    expect((next.spec.ports as Record<string, unknown>[])[0]!.nodePort).toBeUndefined();
  });
});
