// The fixed address plan of the golden rule tests, after upstream's proxier_test.go:
// pod IPs 10.0.0.0/8, ClusterIPs 172.30.0.0/16, node 192.168.0.2, external IPs 192.168.99.0/24,
// load balancer IPs 1.2.3.4 and 5.6.7.8, load balancer source range 203.0.113.0/25.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import pino from 'pino';
import { EndpointsChangeTracker } from './endpointsChangeTracker.ts';
import { ServiceChangeTracker } from './serviceChangeTracker.ts';
import type { ProxyConfig, SyncInput } from './types.ts';

export const testLog = pino({ level: 'silent' });

export const TEST_NODE = 'test-node';
export const testConfig: ProxyConfig = { nodeName: TEST_NODE, nodeIP: '192.168.0.2', clusterCIDR: '10.0.0.0/8', serviceCIDR: '172.30.0.0/16' };

export function makeService(ns: string, name: string, spec: NonNullable<Service['spec']>, status?: Service['status']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec, ...(status ? { status } : {}) };
}

export function makeSlice(ns: string, svc: string, endpoints: NonNullable<EndpointSlice['endpoints']>, ports: EndpointSlice['ports'] = [{ name: 'p80', port: 80, protocol: 'TCP' }]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${svc}-1`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

const p80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];

/** Upstream's TestOverallIPTablesRules / TestOverallNFTablesRules Services and endpoints. */
export function overallFixture(): { services: Service[]; slices: EndpointSlice[] } {
  return {
    services: [
      makeService('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80 }),
      makeService('ns2', 'svc2', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '172.30.0.42', externalIPs: ['192.168.99.22'], healthCheckNodePort: 30000, ports: [{ ...p80[0]!, nodePort: 3001 }] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
      makeService('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: [{ ...p80[0]!, nodePort: 3003 }] }),
      makeService('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], ports: p80 }),
      makeService('ns5', 'svc5', {
        type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', clusterIP: '172.30.0.45', ports: [{ ...p80[0]!, nodePort: 3002 }],
        healthCheckNodePort: 30000, loadBalancerSourceRanges: [' 203.0.113.0/25'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } }),
      makeService('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', ports: p80 }),
    ],
    slices: [
      makeSlice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }]),
      // No nodeName: not local, so the Local policy has no endpoint for external traffic.
      makeSlice('ns2', 'svc2', [{ addresses: ['10.180.0.2'] }]),
      makeSlice('ns3', 'svc3', [{ addresses: ['10.180.0.3'] }]),
      makeSlice('ns4', 'svc4', [{ addresses: ['10.180.0.4'] }, { addresses: ['10.180.0.5'], nodeName: TEST_NODE }]),
      makeSlice('ns5', 'svc5', [{ addresses: ['10.180.0.3'] }]),
    ],
  };
}

/**
 * Services and slices fed through the change trackers as proxy.ts feeds them: each input() is
 * what the next sync gets, with the Services that changed since the last one.
 */
export class TrackedModel {
  private readonly serviceChanges = new ServiceChangeTracker(testLog);
  private readonly endpointsChanges = new EndpointsChangeTracker(TEST_NODE, testLog);
  constructor(
    public services: Service[],
    public slices: EndpointSlice[],
  ) {}

  input(full: boolean): SyncInput {
    this.serviceChanges.replaceAll(this.services);
    this.endpointsChanges.replaceAll(this.slices);
    const s = this.serviceChanges.update();
    const e = this.endpointsChanges.update();
    return { services: s.services, endpoints: e.endpoints, changedServices: new Set([...s.changed, ...e.changed]), full };
  }

  /** Replaces the slices of one Service. */
  setSlice(service: string, slice: EndpointSlice): void {
    this.slices = [...this.slices.filter((s) => s.metadata!.labels!['kubernetes.io/service-name'] !== service), slice];
  }
}
