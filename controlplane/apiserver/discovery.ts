// Discovery documents: /version, the legacy /api, /apis, /api/v1, /apis/<g>/<v> lists, and the
// aggregated apidiscovery.k8s.io/v2 documents kubectl 1.32 asks for first
// (upstream: k8s.io/apiserver/pkg/endpoints/discovery/ and discovery/aggregated/).
import { groupVersions, RESOURCES, type ResourceInfo } from '../api/resources.ts';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

// kubectl on these machines picks its own version from minor; gitVersion must be valid semver.
export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.4-k8ts',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsx',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

function scope(r: ResourceInfo): 'Namespaced' | 'Cluster' {
  return r.namespaced ? 'Namespaced' : 'Cluster';
}

/** Resources that exist only as subresources' targets (bindings) are listed but have no shortNames. */
function aggregatedResource(r: ResourceInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: scope(r),
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({ subresource: s.name, responseKind: s.responseKind, verbs: s.verbs }));
  }
  return out;
}

function aggregatedGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ version: gv.version, resources: gv.resources.map(aggregatedResource), freshness: 'Current' }));
  return { metadata: group ? { name: group } : {}, versions };
}

/** GET /api or /apis with Accept: …as=APIGroupDiscoveryList. */
export function aggregatedDiscovery(legacy: boolean): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.map((r) => r.group))].filter((g) => (legacy ? g === '' : g !== ''));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: groups.map(aggregatedGroup) };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.map((r) => r.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

export function apiGroupDoc(group: string): Record<string, unknown> | undefined {
  if (!RESOURCES.some((r) => r.group === group && group !== '')) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

/** GET /api/v1 or /apis/<g>/<v>: the legacy resource list, subresources as "pods/status". */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const gv = groupVersions().find((x) => x.group === group && x.version === version);
  if (!gv) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of gv.resources) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.responseKind.kind, verbs: s.verbs };
      // A subresource of another group names it (pods/eviction is policy/v1 Eviction; drain reads this).
      if (s.responseKind.group !== r.group || s.responseKind.version !== r.version) {
        sub.group = s.responseKind.group;
        sub.version = s.responseKind.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
