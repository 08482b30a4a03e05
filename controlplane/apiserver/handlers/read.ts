// GET of one object and of lists, with label/field selectors, limit/continue, and Table output
// for kubectl get (upstream: k8s.io/apiserver/pkg/endpoints/handlers/get.go, response.go).
import { errors } from '../../api/errors.ts';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorParseError } from '../../api/selectors.ts';
import { toTable } from '../printers/index.ts';
import { warningHeader } from '../../api/schema/typeCheck.ts';
import { selectableFields, supportedFields } from '../registry/fieldSelectors.ts';
import type { ListPage, Obj } from '../registry/store.ts';
import { sendJSON } from '../http.ts';
import { intParam, type RequestScope } from './context.ts';

export type ObjectFilter = (obj: Obj) => boolean;

/** ?labelSelector= and ?fieldSelector= as one predicate; bad syntax or unknown fields are 400. */
export function selectorFilter(r: ResourceInfo, q: URLSearchParams): ObjectFilter | undefined {
  const ls = q.get('labelSelector');
  const fs = q.get('fieldSelector');
  if (!ls && !fs) return undefined;
  try {
    const labels = ls ? parseLabelSelector(ls) : [];
    const fields = fs ? parseFieldSelector(fs) : [];
    const supported = supportedFields(r);
    for (const f of fields) {
      if (!supported.has(f.field)) throw errors.badRequest(`field label not supported: ${f.field}`);
    }
    return (obj) => matchesLabels(labels, obj.metadata?.labels) && matchesFields(fields, selectableFields(r, obj));
  } catch (e) {
    if (e instanceof SelectorParseError) throw errors.badRequest(`unable to parse requirement: ${e.message}`);
    throw e;
  }
}

function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Fills apiVersion/kind the way a typed response carries them. */
export function withTypeMeta(r: ResourceInfo, obj: Obj): Obj {
  return { apiVersion: apiVersionOf(r), kind: r.kind, ...obj };
}

export function respondObject(s: RequestScope, code: number, obj: Obj): void {
  const headers: Record<string, string> = {};
  if (s.warnings.length) headers.Warning = s.warnings.map(warningHeader).join(', ');
  if (s.accept.table) {
    sendJSON(s.res, code, toTable(s.resource, [obj], { now: new Date(), includeObject: includeObject(s.query), resourceVersion: obj.metadata?.resourceVersion }), headers);
  } else {
    sendJSON(s.res, code, withTypeMeta(s.resource, obj), headers);
  }
}

export async function handleGet(s: RequestScope): Promise<void> {
  const obj = await s.ctx.store.get(s.resource, s.info.namespace, s.info.name!);
  respondObject(s, 200, obj);
}

export function listBody(r: ResourceInfo, page: ListPage): Obj {
  const metadata: Obj = { resourceVersion: page.resourceVersion };
  if (page.continueToken) metadata.continue = page.continueToken;
  return { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata, items: page.items.map((o) => withTypeMeta(r, o)) };
}

export async function handleList(s: RequestScope): Promise<void> {
  const q = s.query;
  const filter = selectorFilter(s.resource, q);
  const rv = q.get('resourceVersion');
  const exact = q.get('resourceVersionMatch') === 'Exact' && rv ? Number(rv) : undefined;
  if (exact !== undefined && !Number.isInteger(exact)) throw errors.badRequest(`invalid resourceVersion: ${rv}`);
  const page = await s.ctx.store.list(s.resource, {
    namespace: s.info.namespace,
    limit: intParam(q, 'limit'),
    continueToken: q.get('continue') || undefined,
    revision: exact,
    filter,
  });
  if (s.accept.table) {
    sendJSON(s.res, 200, toTable(s.resource, page.items, { now: new Date(), includeObject: includeObject(q), resourceVersion: page.resourceVersion, continue: page.continueToken }));
  } else {
    sendJSON(s.res, 200, listBody(s.resource, page));
  }
}

export { includeObject };
