// The /openapi/v3 documents: a root that lists one document per group-version, and for each
// group-version an OpenAPI 3.0 document with the REST paths of its resources and the schemas
// they use. kubectl reads them for two things:
//   - create/apply/edit check that every kind has a PATCH operation tagged with its
//     x-kubernetes-group-version-kind and a `fieldValidation` query parameter; then kubectl sends
//     fieldValidation=Strict and leaves validation to the server.
//   - `kubectl explain` walks components.schemas for descriptions and types.
// Upstream builds the same from the Go types (k8s.io/kube-openapi, pkg/endpoints/openapi).

import { createHash } from 'node:crypto';
import { type GroupVersionKind, type ResourceInfo, groupVersions } from '../resources.ts';
import { definition, reachableDefinitions } from './definitions.ts';
import { type Schema, COMMON_ROOTS, DELETE_OPTIONS, PATCH, STATUS, definitionName, ref, topLevelKinds } from './upstreamNames.ts';

type Json = Record<string, unknown>;

const query = (name: string, type: string, description: string): Json => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

// Query parameters as upstream names and describes them (staging/src/k8s.io/apiserver/pkg/endpoints/installer.go).
const PRETTY = query('pretty', 'string', "If 'true', then the output is pretty printed.");
const DRY_RUN = query('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.');
const FIELD_VALIDATION = query('fieldValidation', 'string',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present.');
const FORCE = query('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.');
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  query('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  query('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  query('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true to begin the watch stream with synthetic events.'),
  query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
];
const DELETE_PARAMS = [
  DRY_RUN,
  query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.'),
  query('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  query('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
];
const pathParam = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });

const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const content = (schema: Schema, types = MEDIA): Json => Object.fromEntries(types.map((t) => [t, { schema }]));
const response = (description: string, schema: Schema): Json => ({ description, content: content(schema) });

/** "core_v1", "apps_v1", "discoveryK8sIo_v1": upstream's operation tags. */
function tag(r: GroupVersionKind): string {
  const group = r.group === '' ? 'core' : r.group.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
  return `${group}_${r.version}`;
}

function operationIdSuffix(r: ResourceInfo, namespacedPath: boolean): string {
  const gv = tag(r).replace(/_(\w)/, (_, c: string) => c.toUpperCase());
  return `${gv.charAt(0).toUpperCase()}${gv.slice(1)}${namespacedPath ? 'Namespaced' : ''}${r.kind}`;
}

function operation(action: string, operationId: string, gvk: GroupVersionKind, description: string, extra: Json): Json {
  return {
    description,
    operationId,
    tags: [tag(gvk)],
    ...extra,
    responses: { ...(extra.responses as Json), 401: { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: gvk.group, version: gvk.version, kind: gvk.kind },
  };
}

/**
 * The PATCH request body. No application/strategic-merge-patch+json on purpose: our schemas
 * carry no x-kubernetes-patch-strategy, so kubectl must build strategic merge patches from its
 * compiled-in types (it does when this content type is absent), not from these documents.
 */
const PATCH_BODY = { required: true, content: content(ref(PATCH), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']) };

/** The paths of one resource: collection, item, cluster-wide list, and status/scale subresources. */
function resourcePaths(r: ResourceInfo): Record<string, Json> {
  const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const self = ref(definitionName(r));
  const list = ref(definitionName({ ...r, kind: `${r.kind}List` }));
  const id = operationIdSuffix(r, r.namespaced);
  const can = (v: string) => r.verbs.includes(v as ResourceInfo['verbs'][number]);
  const nsParam = r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const paths: Record<string, Json> = {};

  const collection: Json = { parameters: [...nsParam, PRETTY] };
  if (can('list')) collection.get = operation('list', `list${id}`, r, `list or watch objects of kind ${r.kind}`, { parameters: LIST_PARAMS, responses: { 200: response('OK', list) } });
  if (can('create')) {
    collection.post = operation('post', `create${id}`, r, `create a ${r.kind}`, {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      requestBody: { required: true, content: { '*/*': { schema: self } } },
      responses: { 200: response('OK', self), 201: response('Created', self), 202: response('Accepted', self) },
    });
  }
  if (can('deletecollection')) {
    collection.delete = operation('deletecollection', `deleteCollection${id}`, r, `delete collection of ${r.kind}`, {
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS) } } },
      responses: { 200: response('OK', ref(STATUS)) },
    });
  }
  paths[base] = collection;

  const item: Json = { parameters: [nameParam, ...nsParam, PRETTY] };
  if (can('get')) item.get = operation('get', `read${id}`, r, `read the specified ${r.kind}`, { responses: { 200: response('OK', self) } });
  if (can('update')) {
    item.put = operation('put', `replace${id}`, r, `replace the specified ${r.kind}`, {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      requestBody: { required: true, content: { '*/*': { schema: self } } },
      responses: { 200: response('OK', self), 201: response('Created', self) },
    });
  }
  if (can('patch')) {
    item.patch = operation('patch', `patch${id}`, r, `partially update the specified ${r.kind}`, {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
      requestBody: PATCH_BODY,
      responses: { 200: response('OK', self), 201: response('Created', self) },
    });
  }
  if (can('delete')) {
    item.delete = operation('delete', `delete${id}`, r, `delete a ${r.kind}`, {
      parameters: DELETE_PARAMS,
      requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS) } } },
      responses: { 200: response('OK', ref(STATUS)), 202: response('Accepted', ref(STATUS)) },
    });
  }
  if (Object.keys(item).length > 1) paths[`${base}/{name}`] = item;

  // Namespaced kinds can also be listed across all namespaces.
  if (r.namespaced && can('list')) {
    paths[`${prefix}/${r.plural}`] = {
      parameters: [PRETTY],
      get: operation('list', `list${operationIdSuffix(r, false)}ForAllNamespaces`, r, `list or watch objects of kind ${r.kind}`, { parameters: LIST_PARAMS, responses: { 200: response('OK', list) } }),
    };
  }

  for (const sub of r.subresources.filter((s) => s.name === 'status' || s.name === 'scale')) {
    const body = ref(definitionName(sub.responseKind));
    const subId = `${id}${sub.name.charAt(0).toUpperCase()}${sub.name.slice(1)}`;
    const gvk = sub.responseKind;
    paths[`${base}/{name}/${sub.name}`] = {
      parameters: [pathParam('name', `name of the ${sub.responseKind.kind}`), ...nsParam, PRETTY],
      get: operation('get', `read${subId}`, gvk, `read ${sub.name} of the specified ${r.kind}`, { responses: { 200: response('OK', body) } }),
      put: operation('put', `replace${subId}`, gvk, `replace ${sub.name} of the specified ${r.kind}`, {
        parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
        requestBody: { required: true, content: { '*/*': { schema: body } } },
        responses: { 200: response('OK', body), 201: response('Created', body) },
      }),
      patch: operation('patch', `patch${subId}`, gvk, `partially update ${sub.name} of the specified ${r.kind}`, {
        parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
        requestBody: PATCH_BODY,
        responses: { 200: response('OK', body), 201: response('Created', body) },
      }),
    };
  }
  return paths;
}

/**
 * A definition as served: OpenAPI 3.0 ignores keywords beside a $ref, so a $ref that carries the
 * field's description is wrapped in allOf, as upstream's v3 documents do.
 */
function served(s: Schema): Schema {
  const out: Schema = { ...s };
  if (s.$ref && Object.keys(s).length > 1) {
    delete out.$ref;
    out.allOf = [{ $ref: s.$ref }];
  }
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, served(v)]));
  if (s.items) out.items = served(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = served(s.additionalProperties);
  return out;
}

/** "api/v1", "apis/apps/v1": the key of a group-version in the root document. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function buildDocument(resources: ResourceInfo[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r));
  const kinds = topLevelKinds(resources).map(definitionName);
  const schemas: Record<string, Schema> = {};
  for (const name of [...reachableDefinitions([...kinds, ...COMMON_ROOTS])].sort()) schemas[name] = served(definition(name)!);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', in: 'header', name: 'authorization', description: 'Bearer Token authentication' } },
    },
    security: [{ BearerToken: [] }],
  };
}

interface Served { document: Json; body: string; hash: string }
let cache: Map<string, Served> | undefined;

function documents(): Map<string, Served> {
  if (cache) return cache;
  cache = new Map();
  for (const gv of groupVersions()) {
    const document = buildDocument(gv.resources);
    const body = JSON.stringify(document);
    // Upstream's hash is the SHA-512 of the document, in upper-case hex; clients only compare it.
    cache.set(groupVersionPath(gv.group, gv.version), { document, body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() });
  }
  return cache;
}

/** GET /openapi/v3: every group-version document with a URL that changes when the document does. */
export function openapiV3Root(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, d] of documents()) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${d.hash}` };
  return { paths };
}

/** GET /openapi/v3/<path>: the document of one group-version ("api/v1", "apis/apps/v1"). */
export function openapiV3Document(groupVersionPath: string): object | undefined {
  return documents().get(groupVersionPath.replace(/^\/+|\/+$/g, ''))?.document;
}

/**
 * The same document serialized once, with its hash: a server answers a request carrying
 * ?hash=<hash> with `Cache-Control: public, immutable` and the ETag "<hash>", as upstream does.
 */
export function openapiV3DocumentBody(groupVersionPath: string): { body: string; hash: string } | undefined {
  const d = documents().get(groupVersionPath.replace(/^\/+|\/+$/g, ''));
  return d ? { body: d.body, hash: d.hash } : undefined;
}
