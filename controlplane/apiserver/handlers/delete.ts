// DELETE and deletecollection with DeleteOptions: preconditions, graceful deletion of pods,
// finalizers and propagationPolicy (upstream: k8s.io/apiserver/pkg/registry/generic/registry/store.go
// Delete + BeforeDelete in rest/delete.go; pod grace in pkg/registry/core/pod/strategy.go).
import { errors } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { nowTimestamp, type Obj } from '../registry/store.ts';
import { decodeObject, mediaType, readBody, sendJSON, successStatus } from '../http.ts';
import { intParam, isDryRun, type RequestScope } from './context.ts';
import { respondObject, selectorFilter, withTypeMeta } from './read.ts';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function readDeleteOptions(s: RequestScope): Promise<DeleteOptions> {
  const body = await readBody(s.req);
  let opts: Obj = {};
  // kubectl drain's delete fallback sends DeleteOptions as protobuf; decodeObject reads both.
  if (body.length > 0) opts = decodeObject(body, mediaType(s.req) || 'application/json');
  const grace = intParam(s.query, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = s.query.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy;
  if (opts.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw errors.badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    if (opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1; // upstream turns negative grace into 1
    else throw errors.badRequest('gracePeriodSeconds must be an integer');
  }
  return opts as DeleteOptions;
}

/** Graceful deletion applies to pods bound to a node: the kubelet stops the containers, then deletes with grace 0. */
function gracePeriodFor(r: ResourceInfo, obj: Obj, opts: DeleteOptions): number {
  if (r.plural !== 'pods') return 0;
  if (!obj.spec?.nodeName) return 0; // never scheduled: nothing to stop
  if (obj.status?.phase === 'Succeeded' || obj.status?.phase === 'Failed') return 0;
  return opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
}

/** Finalizers the propagation policy adds (the garbage collector removes them). */
function policyFinalizer(r: ResourceInfo, opts: DeleteOptions): string | undefined {
  if (opts.propagationPolicy === 'Foreground') return 'foregroundDeletion';
  if (opts.propagationPolicy === 'Orphan') return 'orphan';
  return undefined;
}

export interface DeleteOutcome {
  object: Obj;
  /** True when the object is gone; false when it waits for finalizers or a grace period. */
  deleted: boolean;
}

export async function deleteObject(s: RequestScope, name: string, opts: DeleteOptions, dryRun: boolean): Promise<DeleteOutcome> {
  const { resource: r, info } = s;
  const store = s.ctx.store;
  let deleted = false;
  const { object } = await store.guaranteedUpdate(
    r,
    info.namespace,
    name,
    (current) => {
      const md = current.metadata;
      if (opts.preconditions?.uid && opts.preconditions.uid !== md.uid) {
        throw errors.conflict(r.group, r.plural, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${md.uid}`);
      }
      if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== md.resourceVersion) {
        throw errors.conflict(r.group, r.plural, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${md.resourceVersion}`);
      }
      const finalizer = policyFinalizer(r, opts);
      const finalizers: string[] = [...(md.finalizers ?? [])];
      if (finalizer && !finalizers.includes(finalizer)) finalizers.push(finalizer);
      // Namespaces always go through the namespace controller (spec.finalizers "kubernetes").
      const namespacePending = r.plural === 'namespaces' && (current.spec?.finalizers ?? []).length > 0;
      const grace = gracePeriodFor(r, current, opts);
      if (finalizers.length === 0 && grace === 0 && !namespacePending) {
        deleted = true;
        return current; // unchanged: removed below with a revision check
      }
      if (finalizers.length) md.finalizers = finalizers;
      const existingGrace = md.deletionGracePeriodSeconds;
      if (!md.deletionTimestamp || (grace < (existingGrace ?? Infinity))) {
        md.deletionTimestamp = nowTimestamp(new Date(Date.now() + grace * 1000));
        md.deletionGracePeriodSeconds = grace;
      }
      if (r.plural === 'namespaces') current.status = { ...(current.status ?? {}), phase: 'Terminating' };
      if (md.generation !== undefined) md.generation += 1;
      return current;
    },
    { dryRun },
  );
  if (deleted) await store.remove(r, object, { dryRun });
  return { object, deleted };
}

/** After an update: an object being deleted with no finalizers left (and no grace pending) goes. */
export async function finishDeletionIfDone(s: RequestScope, obj: Obj): Promise<Obj> {
  const md = obj.metadata;
  if (!md.deletionTimestamp || (md.finalizers ?? []).length > 0) return obj;
  if (s.resource.plural === 'pods' && (md.deletionGracePeriodSeconds ?? 0) > 0) return obj;
  if (s.resource.plural === 'namespaces' && (obj.spec?.finalizers ?? []).length > 0) return obj;
  if (isDryRun(s.query)) return obj;
  try {
    await s.ctx.store.remove(s.resource, obj);
  } catch {
    /* someone else changed or removed it; their write decides */
  }
  return obj;
}

export async function handleDelete(s: RequestScope): Promise<void> {
  const opts = await readDeleteOptions(s);
  const { object, deleted } = await deleteObject(s, s.info.name!, opts, isDryRun(s.query));
  // upstream: 200 with the object when it is gone, 202 while it waits for finalizers/grace.
  respondObject(s, deleted ? 200 : 202, object);
}

export async function handleDeleteCollection(s: RequestScope): Promise<void> {
  const opts = await readDeleteOptions(s);
  const filter = selectorFilter(s.resource, s.query);
  const page = await s.ctx.store.list(s.resource, { namespace: s.info.namespace, filter });
  const dryRun = isDryRun(s.query);
  const items: Obj[] = [];
  for (const obj of page.items) {
    try {
      items.push((await deleteObject({ ...s, info: { ...s.info, namespace: obj.metadata.namespace } }, obj.metadata.name, opts, dryRun)).object);
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  sendJSON(s.res, 200, { kind: `${s.resource.kind}List`, apiVersion: withTypeMeta(s.resource, {}).apiVersion, metadata: { resourceVersion: page.resourceVersion }, items });
}

export { successStatus };
