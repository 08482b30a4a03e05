// The resource registry: every kind the API server serves, with the facts discovery, routing,
// storage keys and kubectl need (plural, scope, short names, categories, verbs, subresources).
// Upstream keeps the same facts spread over pkg/registry/*/storage and the discovery handlers.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface GroupVersionKind {
  group: string; // '' for the core group
  version: string;
  kind: string;
}

export interface SubresourceInfo {
  name: string; // 'status', 'scale', 'binding', 'eviction', 'log', 'exec', 'portforward'
  // The kind a request to the subresource returns (Scale is autoscaling/v1, Eviction policy/v1).
  responseKind: GroupVersionKind;
  verbs: string[];
}

export interface ResourceInfo extends GroupVersionKind {
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  subresources: SubresourceInfo[];
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const EVENT_VERBS = ALL_VERBS;

function gvk(group: string, version: string, kind: string): GroupVersionKind {
  return { group, version, kind };
}
const status = (g: GroupVersionKind): SubresourceInfo => ({ name: 'status', responseKind: g, verbs: ['get', 'patch', 'update'] });
const scale: SubresourceInfo = { name: 'scale', responseKind: gvk('autoscaling', 'v1', 'Scale'), verbs: ['get', 'patch', 'update'] };

interface Def {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: Verb[];
  subresources?: (self: GroupVersionKind) => SubresourceInfo[];
}

function define(d: Def): ResourceInfo {
  const self = gvk(d.group, d.version, d.kind);
  return {
    ...self,
    plural: d.plural,
    singular: d.kind.toLowerCase(),
    namespaced: d.namespaced,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: d.verbs ?? ALL_VERBS,
    subresources: d.subresources ? d.subresources(self) : [],
  };
}

export const RESOURCES: ResourceInfo[] = [
  // core/v1
  define({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: (s) => [status(s), { name: 'finalize', responseKind: s, verbs: ['update'] }] }),
  define({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: (s) => [
      status(s),
      { name: 'binding', responseKind: gvk('', 'v1', 'Binding'), verbs: ['create'] },
      { name: 'eviction', responseKind: gvk('policy', 'v1', 'Eviction'), verbs: ['create'] },
      { name: 'log', responseKind: gvk('', 'v1', 'Pod'), verbs: ['get'] },
      { name: 'exec', responseKind: gvk('', 'v1', 'PodExecOptions'), verbs: ['create', 'get'] },
      { name: 'portforward', responseKind: gvk('', 'v1', 'PodPortForwardOptions'), verbs: ['create', 'get'] },
    ] }),
  define({ group: '', version: 'v1', kind: 'Binding', plural: 'bindings', namespaced: true, verbs: ['create'] }),
  define({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'],
    subresources: (s) => [status(s)] }),
  define({ group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: (s) => [status(s)] }),
  define({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  define({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  define({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true }),
  define({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] }),
  define({ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], verbs: EVENT_VERBS }),
  define({ group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'],
    subresources: (s) => [status(s)] }),
  define({ group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'],
    subresources: (s) => [status(s)] }),
  // apps/v1
  define({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'],
    subresources: (s) => [status(s), scale] }),
  define({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'],
    subresources: (s) => [status(s), scale] }),
  define({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'],
    subresources: (s) => [status(s)] }),
  define({ group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'],
    subresources: (s) => [status(s), scale] }),
  define({ group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true }),
  // batch/v1
  define({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'],
    subresources: (s) => [status(s)] }),
  define({ group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'],
    subresources: (s) => [status(s)] }),
  // discovery.k8s.io/v1
  define({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true }),
  // coordination.k8s.io/v1
  define({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
  // events.k8s.io/v1 shares storage with core/v1 events upstream; here it is its own resource
  // with the same plural (see eventsV1.ts for the field mapping).
  define({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
];

/** "apps/v1" for a group, "v1" for the core group. */
export function apiVersionOf(r: GroupVersionKind): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The storage key prefix of a resource: /registry/<group>/<plural>/ as upstream (core has no group). */
export function storagePrefix(r: ResourceInfo): string {
  // Upstream stores events.k8s.io events with the core events; both map to /registry/events.
  const group = r.group === '' || r.group === 'events.k8s.io' ? '' : `${r.group}/`;
  return `/registry/${group}${r.plural}/`;
}

export function storageKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${storagePrefix(r)}${namespace}/${name}` : `${storagePrefix(r)}${name}`;
}

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/** Group → versions, in discovery order (core first, then as listed). */
export function groupVersions(): { group: string; version: string; resources: ResourceInfo[] }[] {
  const out: { group: string; version: string; resources: ResourceInfo[] }[] = [];
  for (const r of RESOURCES) {
    let gv = out.find((x) => x.group === r.group && x.version === r.version);
    if (!gv) out.push((gv = { group: r.group, version: r.version, resources: [] }));
    gv.resources.push(r);
  }
  return out;
}
