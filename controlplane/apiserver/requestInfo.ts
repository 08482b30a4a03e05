// Turns a request's method and path into what it asks for: API group/version, namespace,
// resource, name, subresource and verb (upstream: k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';

export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: RequestVerb;
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

// Subresources of a namespace itself: /api/v1/namespaces/{name}/status is not "resource status in namespace name".
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '');
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'nonresource', path: pathname };
  }

  // The deprecated /watch/ path prefix means the same as ?watch=true.
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return { kind: 'nonresource', path: pathname };
  // For a namespace's own GET, the namespace is its name (upstream sets both).
  if (resource === 'namespaces' && name) namespace = undefined;

  const watch = watchPrefix || isTrue(query.get('watch'));
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = 'connect';
  }
  // Streaming subresources are "connect" verbs upstream (exec, attach, portforward, proxy).
  if (subresource && ['exec', 'attach', 'portforward', 'proxy'].includes(subresource)) verb = 'connect';

  const info: ResourceRequest = { kind: 'resource', group, version, resource, verb };
  if (namespace !== undefined) info.namespace = decodeURIComponent(namespace);
  if (name !== undefined) info.name = decodeURIComponent(name);
  if (subresource !== undefined) info.subresource = subresource;
  return info;
}

export function isTrue(v: string | null | undefined): boolean {
  return v === 'true' || v === '1';
}
