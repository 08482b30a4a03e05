// What a new cluster has before anyone creates anything (upstream: the API server's bootstrap
// controllers in pkg/controlplane/controller/): the system namespaces, and the `kubernetes`
// Service in `default` at the first Service address (10.96.0.1) with Endpoints and an EndpointSlice
// that point at the API server itself (the proxies read the slice, so pods reach the API at
// 10.96.0.1:443). Idempotent: run at every start.
import { applyDefaults } from '../api/defaults/index.ts';
import { findResource } from '../api/resources.ts';
import type { ObjectStore } from './registry/store.ts';
import { prepareForCreate } from './registry/strategies.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

type Obj = Record<string, any>;

async function ensure(store: ObjectStore, plural: string, obj: Obj, group = ''): Promise<void> {
  const r = findResource(group, 'v1', plural)!;
  if (await store.tryGet(r, obj.metadata.namespace, obj.metadata.name)) return;
  applyDefaults(r.kind, r.group, obj);
  prepareForCreate(r, obj);
  try {
    await store.create(r, obj);
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e; // another start won the race
  }
}

export async function bootstrapCluster(store: ObjectStore, o: { firstServiceIP: string; advertiseAddress: string; securePort: number }): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(store, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await ensure(store, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: o.firstServiceIP, clusterIPs: [o.firstServiceIP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.securePort }], sessionAffinity: 'None' },
  });
  const endpoints = findResource('', 'v1', 'endpoints')!;
  const subsets = [{ addresses: [{ ip: o.advertiseAddress }], ports: [{ name: 'https', port: o.securePort, protocol: 'TCP' }] }];
  const current = await store.tryGet(endpoints, 'default', 'kubernetes');
  if (!current) {
    await ensure(store, 'endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets });
  } else if (JSON.stringify(current.subsets) !== JSON.stringify(subsets)) {
    await store.guaranteedUpdate(endpoints, 'default', 'kubernetes', (e) => ({ ...e, subsets }));
  }

  // Upstream's endpoints adapter (pkg/controlplane/reconcilers/endpointsadapter.go) writes the
  // same addresses as an EndpointSlice named after the Service, without a managed-by label.
  const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
  const endpointsOfSlice = [{ addresses: [o.advertiseAddress], conditions: { ready: true } }];
  const portsOfSlice = [{ name: 'https', port: o.securePort, protocol: 'TCP' }];
  const slice = await store.tryGet(slices, 'default', 'kubernetes');
  if (!slice) {
    const labels = { 'kubernetes.io/service-name': 'kubernetes' };
    await ensure(store, 'endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels }, addressType: 'IPv4', endpoints: endpointsOfSlice, ports: portsOfSlice }, 'discovery.k8s.io');
  } else if (JSON.stringify([slice.endpoints, slice.ports]) !== JSON.stringify([endpointsOfSlice, portsOfSlice])) {
    await store.guaranteedUpdate(slices, 'default', 'kubernetes', (e) => ({ ...e, endpoints: endpointsOfSlice, ports: portsOfSlice }));
  }
}
