// POST (create), PUT (update) and PATCH (JSON, merge, strategic merge, server-side apply).
// Upstream: k8s.io/apiserver/pkg/endpoints/handlers/create.go, update.go, patch.go.
import { errors } from '../../api/errors.ts';
import { apiVersionOf } from '../../api/resources.ts';
import { applyPatch, apply as serverSideApply } from '../patch/index.ts';
import type { Obj } from '../registry/store.ts';
import { decodeObject, mediaType, readBody } from '../http.ts';
import { fieldManager, isDryRun, type RequestScope } from './context.ts';
import { respondObject } from './read.ts';
import { checkTypes, prepareCreate, prepareUpdate } from './writes.ts';
import { finishDeletionIfDone } from './delete.ts';

const APPLY_PATCH = 'application/apply-patch+yaml';

/** Creates with Service allocation serialised, so two Services never get one address. */
async function createObject(s: RequestScope, obj: Obj, manager: string, operation: 'Update' | 'Apply'): Promise<Obj> {
  const dryRun = isDryRun(s.query);
  const run = async () => s.ctx.store.create(s.resource, await prepareCreate(s, obj, manager, operation), { dryRun });
  return s.resource.plural === 'services' ? s.ctx.allocation.run(run) : run();
}

export async function handleCreate(s: RequestScope): Promise<void> {
  const obj = decodeObject(await readBody(s.req), mediaType(s.req));
  checkTypes(s, obj);
  const created = await createObject(s, obj, fieldManager(s.query, s.req), 'Update');
  respondObject(s, 201, created);
}

export async function handleUpdate(s: RequestScope): Promise<void> {
  const next = decodeObject(await readBody(s.req), mediaType(s.req));
  checkTypes(s, next);
  const manager = fieldManager(s.query, s.req);
  const { resource: r, info } = s;
  const { object } = await s.ctx.store.guaranteedUpdate(
    r,
    info.namespace,
    info.name!,
    async (current) => {
      const candidate = structuredClone(next);
      candidate.metadata = candidate.metadata ?? {};
      // No resourceVersion in the body: an unconditional update (upstream AllowUnconditionalUpdate).
      return prepareUpdate(s, candidate, current, manager);
    },
    { dryRun: isDryRun(s.query) },
  );
  respondObject(s, 200, await finishDeletionIfDone(s, object));
}

export async function handlePatch(s: RequestScope): Promise<void> {
  const contentType = mediaType(s.req);
  const body = await readBody(s.req);
  const manager = fieldManager(s.query, s.req);
  const { resource: r, info } = s;
  const dryRun = isDryRun(s.query);
  const force = s.query.get('force') === 'true';

  if (contentType === APPLY_PATCH) {
    const applied = decodeObject(body, contentType);
    checkTypes(s, applied);
    if (!s.query.get('fieldManager')) throw errors.badRequest('fieldManager is required for apply requests');
    const live = await s.ctx.store.tryGet(r, info.namespace, info.name!);
    if (!live) {
      // Apply upserts: 201 with the applied configuration as the new object.
      const { object } = serverSideApply(undefined, applied, { manager, force, apiVersion: apiVersionOf(r), now: new Date(), kind: r.kind });
      object.metadata = { ...(object.metadata ?? {}), name: info.name };
      const created = await createObject(s, object, manager, 'Apply');
      respondObject(s, 201, created);
      return;
    }
  } else if (s.query.get('force')) {
    throw errors.badRequest('force: Invalid value: true: may not be specified for non-apply patch');
  }

  const { object } = await s.ctx.store.guaranteedUpdate(
    r,
    info.namespace,
    info.name!,
    async (current) => {
      let next: Obj;
      if (contentType === APPLY_PATCH) {
        const applied = decodeObject(body, contentType);
        next = serverSideApply(current, applied, { manager, force, apiVersion: apiVersionOf(r), now: new Date(), kind: r.kind, subresource: s.info.subresource }).object;
        // A resourceVersion in an apply is a precondition; none means "whatever is there".
        next.metadata.resourceVersion = applied.metadata?.resourceVersion ?? current.metadata.resourceVersion;
        return prepareUpdate(s, next, current, manager, 'Apply');
      }
      next = applyPatch(contentType, current, body, r.kind);
      checkTypes(s, next);
      // A patch that sets resourceVersion makes it a precondition (kubectl's apply migration does this).
      if (!next.metadata?.resourceVersion) next.metadata = { ...(next.metadata ?? {}), resourceVersion: current.metadata.resourceVersion };
      return prepareUpdate(s, next, current, manager);
    },
    { dryRun },
  );
  respondObject(s, 200, await finishDeletionIfDone(s, object));
}
