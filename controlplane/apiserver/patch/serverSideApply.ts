// Server-side apply (PATCH with Content-Type application/apply-patch+yaml, `kubectl apply
// --server-side`). The body is the full configuration a manager wants; the server merges it into
// the live object and remembers, in metadata.managedFields, which fields that manager applied.
// Upstream: structured-merge-diff merge.Updater.Apply under k8s.io/apimachinery/pkg/util/managedfields.
//
//   1. the applied fields are the members of the configuration (fieldValues.ts);
//   2. the configuration is merged into the live object (applyMerge.ts);
//   3. fields this manager applied last time, left out now and owned by nobody else, are removed;
//   4. a field the merge changed that another manager owns is a conflict: 409, unless `force`,
//      which moves the field to this manager;
//   5. the manager's entry becomes exactly the applied fields.

import { ApiError, type StatusCause } from '../../api/errors.ts';
import { deepClone, isObject, jsonType, type JsonObject } from './jsonValue.ts';
import { pathString } from './fieldSet.ts';
import { compareFields, fieldSetOf, trackedValues } from './fieldValues.ts';
import { mergeApplied, removeFields } from './applyMerge.ts';
import { decodeManagedFields, formatTime, managerIdentity, withManagedFields, type ManagerEntry } from './managedFields.ts';
import { patchMetaFor } from './patchMeta.ts';
import { badRequest } from './patchErrors.ts';

export interface ApplyOptions {
  /** The fieldManager query parameter (kubectl sends "kubectl"). */
  manager: string;
  /** The force query parameter (`--force-conflicts`). */
  force: boolean;
  /** apiVersion of the request, recorded in the manager's entry. */
  apiVersion: string;
  now: Date;
  kind: string;
  /** 'status' for an apply through the status subresource. */
  subresource?: string;
}

export interface ApplyConflict {
  /** The other manager, printed as upstream prints it: "kubectl-create" using apps/v1 */
  manager: string;
  /** The field, printed as upstream prints it: .spec.replicas */
  field: string;
}

export interface ApplyResult {
  object: JsonObject;
  /** With `force`, the fields taken over from other managers; empty otherwise. */
  conflicts: ApplyConflict[];
}

/**
 * Applies the configuration `applied` over `live` (undefined when the object does not exist yet).
 * Throws 409 Conflict listing every conflicting field when another manager owns a field this
 * apply would change and `force` is false; 400 on a malformed configuration.
 */
export function apply(live: object | undefined, applied: unknown, opts: ApplyOptions): ApplyResult {
  if (!isObject(applied)) {
    throw badRequest(`error decoding YAML: json: cannot unmarshal ${jsonType(applied)} into Go value of type map[string]interface {}`);
  }
  if (isObject(applied.metadata) && applied.metadata.managedFields != null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const meta = patchMetaFor(opts.kind);
  const liveObj = (live ? deepClone(live) : {}) as JsonObject;
  const entries = liveEntries(liveObj);

  const self = { manager: opts.manager, operation: 'Apply' as const, apiVersion: opts.apiVersion, subresource: opts.subresource };
  const selfId = managerIdentity(self);
  const previous = entries.find((e) => managerIdentity(e) === selfId);
  let others = entries.filter((e) => managerIdentity(e) !== selfId);

  const appliedFields = fieldSetOf(trackedValues(applied, meta, opts.subresource, true));
  let merged = mergeApplied(liveObj, deepClone(applied), meta);
  if (previous) {
    const owned = others.reduce((acc, e) => acc.union(e.fields), appliedFields);
    merged = removeFields(merged, previous.fields.difference(owned), owned, meta);
  }

  const cmp = compareFields(trackedValues(liveObj, meta, opts.subresource), trackedValues(merged, meta, opts.subresource));
  const changed = cmp.added.union(cmp.modified);
  const conflicts: ApplyConflict[] = [];
  const causes: StatusCause[] = [];
  for (const e of others) {
    for (const path of e.fields.intersection(changed).sorted()) {
      conflicts.push({ manager: printManager(e), field: pathString(path) });
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(e)}`, field: pathString(path) });
    }
  }
  if (conflicts.length > 0 && !opts.force) {
    throw new ApiError(409, 'Conflict', conflictMessage(conflicts), { causes });
  }
  // Forced fields move to the applier; removed fields leave everyone.
  others = others.map((e) => ({ ...e, fields: e.fields.difference(changed).difference(cmp.removed) }));

  const objectChanged = !cmp.added.isEmpty() || !cmp.modified.isEmpty() || !cmp.removed.isEmpty();
  const keepTime = previous && !objectChanged && previous.fields.equals(appliedFields);
  const entry: ManagerEntry = { ...self, time: keepTime ? previous.time : formatTime(opts.now), fields: appliedFields };
  return { object: withManagedFields(stripManagedFields(merged), [...others, entry]), conflicts };
}

function liveEntries(live: JsonObject): ManagerEntry[] {
  try {
    return decodeManagedFields(isObject(live.metadata) ? live.metadata.managedFields : undefined);
  } catch {
    // Undecodable stored managedFields are reset, as upstream does.
    return [];
  }
}

function stripManagedFields(obj: JsonObject): JsonObject {
  if (!isObject(obj.metadata)) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** printManager in managedfields/internal/conflict.go: updaters show their apiVersion. */
function printManager(e: ManagerEntry): string {
  let out = JSON.stringify(e.manager);
  if (e.subresource) out += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') out += ` using ${e.apiVersion}`;
  return out;
}

/** getConflictMessage in managedfields/internal/conflict.go. */
function conflictMessage(conflicts: ApplyConflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${conflicts[0].manager}: ${conflicts[0].field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${manager}:`);
    for (const field of byManager.get(manager)!) lines.push(`- ${field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
