// Pods, Services and Nodes for the table tests of the EndpointSlice and Endpoints controllers,
// on a fixed address plan: pods 10.244.N.x on node worker-N, the Service at 10.96.0.10.
import type { Container, Node, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

export interface PodOptions {
  ip?: string;
  ready?: boolean;
  node?: string;
  labels?: Record<string, string>;
  deleting?: boolean;
  phase?: string;
  containers?: Container[];
  readySince?: string;
  namespace?: string;
}

export function testPod(name: string, o: PodOptions = {}): Pod {
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: o.labels ?? { app: 'nginx' },
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:01:00Z' } : {}),
    },
    spec: { nodeName: o.node ?? 'worker-1', containers: o.containers ?? [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === undefined ? {} : { podIP: o.ip, podIPs: [{ ip: o.ip }] }),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:30Z' }],
    },
  };
}

export function testService(o: { name?: string; ports?: ServicePort[]; selector?: Record<string, string> | null; labels?: Record<string, string>; clusterIP?: string; publishNotReadyAddresses?: boolean } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name ?? 'nginx-service', namespace: 'default', uid: 'uid-svc', creationTimestamp: '2024-01-01T00:00:00Z', ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'nginx' } }),
      clusterIP: o.clusterIP ?? '10.96.0.10',
      ...(o.clusterIP === 'None' ? {} : { ipFamilies: ['IPv4'] }),
      ports: o.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

export function testNode(name: string, zone?: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) } };
}

/** A node lookup over the given nodes (worker-1 and worker-2 by default). */
export function nodeLookup(...nodes: Node[]): (name: string) => Node | undefined {
  const all = nodes.length ? nodes : [testNode('worker-1'), testNode('worker-2')];
  return (name) => all.find((n) => n.metadata?.name === name);
}
