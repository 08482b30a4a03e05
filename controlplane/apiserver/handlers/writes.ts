// The write path shared by create, update, patch and apply, in upstream's order
// (k8s.io/apiserver/pkg/endpoints/handlers/create.go, update.go, patch.go):
// decode + type check → identity checks → defaulting → strategy → admission → validation →
// managedFields → storage.
import { randomUUID } from 'node:crypto';
import { errors } from '../../api/errors.ts';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.ts';
import { applyDefaults } from '../../api/defaults/index.ts';
import { validateCreate, validateUpdate } from '../../api/validation/index.ts';
import { checkBody, decodeErrorMessage } from '../../api/schema/typeCheck.ts';
import { updateManagedFieldsForUpdate } from '../patch/index.ts';
import { generateNameSuffix, nowTimestamp, type Obj } from '../registry/store.ts';
import { keepServerMetadata, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from '../registry/strategies.ts';
import { admitNamespace, admitService } from './admission.ts';
import { fieldValidation, type RequestScope } from './context.ts';

/** Type check against the schema: wrong types are always 400; unknown fields per fieldValidation. */
export function checkTypes(s: RequestScope, obj: Obj): void {
  const r = s.resource;
  const mode = fieldValidation(s.query);
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const { errors: problems, warnings } = checkBody(gvk, obj, mode);
  if (problems.length) throw errors.badRequest(decodeErrorMessage(gvk, problems));
  s.warnings.push(...warnings);
}

/** apiVersion/kind in a body must name this resource (an empty one is filled in, as upstream does). */
export function checkKind(r: ResourceInfo, obj: Obj): void {
  const want = apiVersionOf(r);
  if (obj.apiVersion === undefined && obj.kind === undefined) {
    obj.apiVersion = want;
    obj.kind = r.kind;
    return;
  }
  if (typeof obj.kind !== 'string' || obj.kind === '') throw errors.badRequest("Object 'Kind' is missing in request body");
  if (obj.apiVersion !== want) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== r.kind) throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${r.kind})`);
}

function checkMetadataShape(obj: Obj): void {
  if (obj.metadata === undefined) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) {
    throw errors.badRequest('metadata: must be an object');
  }
}

/** The namespace in the body must agree with the URL's; an empty one takes the URL's. */
function checkNamespace(s: RequestScope, obj: Obj): void {
  const md = obj.metadata;
  if (!s.resource.namespaced) {
    delete md.namespace;
    return;
  }
  const urlNs = s.info.namespace;
  if (!urlNs) throw errors.badRequest('the server could not find the requested resource: a namespace is required');
  if (md.namespace && md.namespace !== urlNs) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  md.namespace = urlNs;
}

function invalid(r: ResourceInfo, obj: Obj, causes: ReturnType<typeof validateCreate>): never {
  throw errors.invalid(r.group, r.kind, String(obj.metadata?.name ?? obj.metadata?.generateName ?? ''), causes);
}

/** Everything before storage for a create; returns the object to store. */
export async function prepareCreate(s: RequestScope, obj: Obj, manager: string, operation: 'Update' | 'Apply' = 'Update'): Promise<Obj> {
  const r = s.resource;
  checkKind(r, obj);
  checkMetadataShape(obj);
  checkNamespace(s, obj);
  const md = obj.metadata;
  if (!md.name && typeof md.generateName === 'string' && md.generateName) md.name = `${md.generateName}${generateNameSuffix()}`;
  // The uid is the server's (a client-sent one is replaced), and known before prepareForCreate: a Job's selector uses it.
  md.uid = randomUUID();
  applyDefaults(r.kind, r.group, obj);
  prepareForCreate(r, obj);
  await admitNamespace(s.ctx, r, md.namespace, String(md.name ?? ''));
  const causes = validateCreate(r, obj);
  if (causes.length) invalid(r, obj, causes);
  if (r.plural === 'services') {
    const allocation = await admitService(s.ctx, obj, undefined);
    if (allocation.length) invalid(r, obj, allocation);
  }
  if (operation === 'Apply') return obj;
  return updateManagedFieldsForUpdate(undefined, obj, manager, 'Update', apiVersionOf(r), new Date(), { kind: r.kind });
}

/**
 * Everything before storage for an update of `old` into `next` (PUT, or a patch's result).
 * `subresource` 'status' keeps all but status from old; the main resource keeps old's status.
 */
export async function prepareUpdate(s: RequestScope, next: Obj, old: Obj, manager: string, operation: 'Update' | 'Apply' = 'Update'): Promise<Obj> {
  const r = s.resource;
  checkKind(r, next);
  checkMetadataShape(next);
  if (next.metadata.name !== undefined && next.metadata.name !== old.metadata.name) {
    throw errors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
  }
  next.metadata.name = old.metadata.name;
  checkNamespace(s, next);
  keepServerMetadata(next, old);
  let obj = next;
  if (s.info.subresource === 'status') {
    obj = prepareForStatusUpdate(r, next, old);
  } else {
    applyDefaults(r.kind, r.group, obj);
    prepareForUpdate(r, obj, old);
  }
  const causes = validateUpdate(r, obj, old);
  if (causes.length) invalid(r, obj, causes);
  if (r.plural === 'services' && s.info.subresource !== 'status') {
    const allocation = await s.ctx.allocation.run(() => admitService(s.ctx, obj, old));
    if (allocation.length) invalid(r, obj, allocation);
  }
  if (operation === 'Apply') return obj;
  return updateManagedFieldsForUpdate(old, obj, manager, 'Update', apiVersionOf(r), new Date(), { kind: r.kind, subresource: s.info.subresource });
}

export { nowTimestamp };
