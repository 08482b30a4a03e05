// What the integration tests of the EndpointSlice and Endpoints controllers put into a real API
// server: Nodes as plain objects, an nginx Service, and pods whose status the test writes itself
// the way a kubelet would (there is none): an IP from the node's pod range and a Ready condition.
import type { Client, KubeObject } from '../../client/types.ts';

export const NS = 'default';

export async function createNodes(client: Client, ...names: string[]): Promise<void> {
  for (const name of names) {
    await client.r('v1', 'nodes').create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      status: { allocatable: { cpu: '2', memory: '2Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
}

export async function createService(client: Client, name: string, o: { selector?: Record<string, string>; targetPort?: number | string } = {}): Promise<KubeObject> {
  return client.r('v1', 'services', NS).create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { ...(o.selector ? { selector: o.selector } : {}), ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: o.targetPort ?? 80 }] },
  });
}

export async function createPod(client: Client, name: string, node: string, o: { labels?: Record<string, string>; httpPort?: number } = {}): Promise<KubeObject> {
  return client.r('v1', 'pods', NS).create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: o.labels ?? { app: 'nginx' } },
    spec: { nodeName: node, containers: [{ name: 'nginx', image: 'nginx:1.22.1', ports: [{ name: 'http', containerPort: o.httpPort ?? 80, protocol: 'TCP' }] }] },
  });
}

/** pods/status as the kubelet writes it: Running with an IP, Ready or not. */
export async function setPodStatus(client: Client, name: string, ip: string, ready: boolean): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.r('v1', 'pods', NS).patch(
    name,
    'merge',
    { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }] } },
    { subresource: 'status' },
  );
}
