// Objects the scheduling benchmarks create over HTTPS: Nodes with no kubelet behind them (the
// shape of upstream scheduler_perf's node-default.yaml) and small pending pods (pod-default.yaml),
// plus bulk creation with bounded concurrency.
import { ApiClient, pool } from './httpsLoad.ts';

/** upstream: test/integration/scheduler_perf/templates/node-default.yaml (allocatable 4 CPU, 32Gi, 110 pods). */
export const NODE_ALLOCATABLE = { cpu: '4', memory: '32Gi', pods: '110' };
/** upstream: templates/pod-default.yaml requests 100m CPU and 500Mi per pod. */
export const POD_REQUESTS = { cpu: '100m', memory: '500Mi' };

const nowSeconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export const nodeName = (i: number) => `node-${String(i).padStart(5, '0')}`;

export function benchNode(name: string): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      capacity: NODE_ALLOCATABLE,
      allocatable: NODE_ALLOCATABLE,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: nowSeconds(), lastTransitionTime: nowSeconds() }],
    },
  };
}

export function benchPod(name: string): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: POD_REQUESTS } }] },
  };
}

export async function createNamespace(api: ApiClient, name: string): Promise<void> {
  await api.expect(201, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/**
 * Creates nodes node-00000… with their status, as a kubelet registers its Node (the API server
 * keeps a Node's status on create). Returns the wall time in ms.
 */
export function createNodes(api: ApiClient, count: number, concurrency: number): Promise<number> {
  return pool(count, concurrency, async (i) => {
    await api.expect(201, 'POST', '/api/v1/nodes', benchNode(nodeName(i)));
  });
}

/** Creates pods `${prefix}-0…` in a namespace; returns the wall time in ms. */
export function createPods(api: ApiClient, namespace: string, prefix: string, count: number, concurrency: number): Promise<number> {
  return pool(count, concurrency, async (i) => {
    await api.expect(201, 'POST', `/api/v1/namespaces/${namespace}/pods`, benchPod(`${prefix}-${i}`));
  });
}

/** POST pods/<name>/binding, as the scheduler's DefaultBinder does. */
export async function bindPod(api: ApiClient, namespace: string, pod: string, node: string): Promise<void> {
  await api.expect(201, 'POST', `/api/v1/namespaces/${namespace}/pods/${pod}/binding`, {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: pod, namespace },
    target: { apiVersion: 'v1', kind: 'Node', name: node },
  });
}
