// The cluster the proxy benchmark syncs, built directly as objects (no API server): N ClusterIP
// Services with one named TCP port, each with an EndpointSlice of two ready endpoints on another
// node — upstream's "N Services × 2 endpoints" rule-scale shape. Addresses follow the lab's plan
// (Services in 10.96.0.0/12, pods in 10.244.0.0/16) but are never sent to: the rules are loaded
// into an empty namespace.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ProxyConfig } from '../../agent/proxy/types.ts';

const NAMESPACE = 'bench';
const SERVICE_PORT = 80;
const TARGET_PORT = 8080;
/** Two endpoints per Service, so 10.244.0.0/16 holds up to ~32,000 Services. */
export const MAX_SERVICES = 32_000;

export const benchConfig: ProxyConfig = { nodeName: 'bench-node', nodeIP: '192.168.56.11', clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12' };

/** The i-th address after base (a.b.0.0), as a dotted quad. */
function addressAfter(base: [number, number], i: number): string {
  return `${base[0]}.${base[1] + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

const serviceName = (i: number) => `svc-${String(i).padStart(5, '0')}`;

function service(i: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: NAMESPACE, name: serviceName(i) },
    spec: { type: 'ClusterIP', clusterIP: addressAfter([10, 96], i + 1), ports: [{ name: 'http', port: SERVICE_PORT, targetPort: TARGET_PORT, protocol: 'TCP' }] },
  };
}

function endpointSlice(i: number, addresses: string[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: NAMESPACE, name: `${serviceName(i)}-abcde`, labels: { 'kubernetes.io/service-name': serviceName(i) } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: TARGET_PORT, protocol: 'TCP' }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'other-node' })),
  };
}

export interface BenchCluster {
  services: Service[];
  slices: EndpointSlice[];
}

export function generateCluster(n: number): BenchCluster {
  if (n > MAX_SERVICES) throw new Error(`at most ${MAX_SERVICES} Services fit the address plan`);
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    services.push(service(i));
    slices.push(endpointSlice(i, [addressAfter([10, 244], 2 * i + 2), addressAfter([10, 244], 2 * i + 3)]));
  }
  return { services, slices };
}

/**
 * One Service changes: the second endpoint of Service 0 is replaced by a new pod (round r picks
 * the address), as a rolling update would do. The slice is a new object, as an informer delivers.
 */
export function replaceOneEndpoint(cluster: BenchCluster, round: number): void {
  const first = cluster.slices[0]!.endpoints![0]!.addresses[0]!;
  cluster.slices[0] = endpointSlice(0, [first, addressAfter([10, 244], 2 * MAX_SERVICES + 2 + round)]);
}
