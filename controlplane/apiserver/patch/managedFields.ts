// metadata.managedFields: who set which field. Every write records its changes under the writer's
// field manager (the `fieldManager` query parameter, or the user agent): an apply under operation
// "Apply", everything else (create, update, patch) under "Update". Upstream:
// k8s.io/apimachinery/pkg/util/managedfields/internal (managedfields.go, managedfieldsupdater.go,
// fieldmanager.go) on top of structured-merge-diff's merge.Updater.

import { isObject, type JsonObject } from './jsonValue.ts';
import { FieldSet, fromFieldsV1, toFieldsV1 } from './fieldSet.ts';
import { compareFields, trackedValues } from './fieldValues.ts';
import { patchMetaFor } from './patchMeta.ts';

export type Operation = 'Apply' | 'Update';

/** One decoded managedFields entry. */
export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/**
 * The identity of a manager (BuildManagerIdentifier): name, operation and subresource; an updater's
 * apiVersion too, so one client writing two versions shows as two entries. An applier's apiVersion
 * is not part of it, so re-applying in another version keeps one entry.
 */
export function managerIdentity(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([e.manager, e.operation, e.operation === 'Apply' ? '' : e.apiVersion, e.subresource ?? '']);
}

/** Decodes metadata.managedFields; throws 400 on an entry that is not one. */
export function decodeManagedFields(value: unknown): ManagerEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badEntry('managedFields must be a list');
  return value.map((raw): ManagerEntry => {
    if (!isObject(raw)) throw badEntry('an entry is not an object');
    const { manager, operation, apiVersion, time, subresource, fieldsType, fieldsV1 } = raw;
    if (operation !== 'Apply' && operation !== 'Update') throw badEntry(`unknown operation ${JSON.stringify(operation)}`);
    if (fieldsType !== undefined && fieldsType !== 'FieldsV1') throw badEntry(`unknown fieldsType ${JSON.stringify(fieldsType)}`);
    return {
      manager: typeof manager === 'string' ? manager : '',
      operation,
      apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
      time: typeof time === 'string' ? time : undefined,
      subresource: typeof subresource === 'string' && subresource ? subresource : undefined,
      fields: fieldsV1 === undefined ? FieldSet.EMPTY : fromFieldsV1(fieldsV1),
    };
  });
}

function badEntry(why: string): Error {
  return new Error(`invalid managedFields: ${why}`);
}

/**
 * Encodes entries the way upstream stores them: empty sets dropped, Apply entries before Update
 * entries, then by time, manager, apiVersion and subresource (sortEncodedManagedFields).
 */
export function encodeManagedFields(entries: ManagerEntry[]): JsonObject[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return entries
    .filter((e) => !e.fields.isEmpty())
    .sort(
      (a, b) =>
        cmp(a.operation, b.operation) ||
        seconds(a.time) - seconds(b.time) ||
        cmp(a.manager, b.manager) ||
        cmp(a.apiVersion, b.apiVersion) ||
        cmp(a.subresource ?? '', b.subresource ?? ''),
    )
    .map((e) => {
      const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
      if (e.time) out.time = e.time;
      out.fieldsType = 'FieldsV1';
      out.fieldsV1 = toFieldsV1(e.fields);
      if (e.subresource) out.subresource = e.subresource;
      return out;
    });
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns a copy of `obj` whose metadata.managedFields holds `entries` (absent when none). */
export function withManagedFields(obj: JsonObject, entries: ManagerEntry[]): JsonObject {
  const metadata: JsonObject = isObject(obj.metadata) ? { ...obj.metadata } : {};
  const encoded = encodeManagedFields(entries);
  if (encoded.length > 0) metadata.managedFields = encoded;
  else delete metadata.managedFields;
  return { ...obj, metadata };
}

const managedFieldsOf = (obj: unknown): unknown => (isObject(obj) && isObject(obj.metadata) ? obj.metadata.managedFields : undefined);

/**
 * The entries a write starts from (decodeLiveOrNew): a request that sends managedFields `[]` or
 * `[{}]` resets them; one that sends valid entries sets them; otherwise (absent or undecodable)
 * the live object's entries stay, so clients unaware of managedFields cannot wipe them.
 */
export function entriesForWrite(live: unknown, next: unknown): ManagerEntry[] {
  const sent = managedFieldsOf(next);
  if (Array.isArray(sent) && (sent.length === 0 || (sent.length === 1 && isObject(sent[0]) && Object.keys(sent[0]).length === 0))) {
    return [];
  }
  try {
    const decoded = decodeManagedFields(sent);
    if (decoded.length > 0) return decoded;
  } catch {
    // Undecodable entries in a request fall back to the live ones, as upstream.
  }
  try {
    return decodeManagedFields(managedFieldsOf(live));
  } catch {
    return [];
  }
}

export interface UpdateOptions {
  /** The kind, when `next` does not carry it. */
  kind?: string;
  /** 'status' for writes through the status subresource. */
  subresource?: string;
}

/**
 * Records a non-apply write (create, update, patch) of `next` over `old` (undefined on create):
 * the fields it added or changed now belong to `manager` (operation "Update"), and leave every
 * other manager's set, as do the fields it removed. A write that changes nothing keeps the entry's
 * time. Returns a copy of `next` with the new managedFields.
 */
export function updateManagedFieldsForUpdate(
  old: object | undefined,
  next: object,
  manager: string,
  operation: 'Update',
  apiVersion: string,
  now: Date,
  opts: UpdateOptions = {},
): JsonObject {
  const nextObj = next as JsonObject;
  const kind = opts.kind ?? (typeof nextObj.kind === 'string' ? nextObj.kind : '');
  const meta = patchMetaFor(kind);
  const entries = entriesForWrite(old, next);
  const cmp = compareFields(trackedValues((old ?? {}) as JsonObject, meta, opts.subresource), trackedValues(nextObj, meta, opts.subresource));
  const changed = cmp.added.union(cmp.modified);

  const self = { manager, operation, apiVersion, subresource: opts.subresource };
  const selfId = managerIdentity(self);
  const updated = entries.map((e) => ({ ...e, fields: e.fields.difference(changed).difference(cmp.removed) }));
  if (!changed.isEmpty()) {
    const previous = updated.find((e) => managerIdentity(e) === selfId);
    const fields = (previous?.fields ?? FieldSet.EMPTY).union(changed);
    const rest = updated.filter((e) => managerIdentity(e) !== selfId);
    return withManagedFields(nextObj, [...rest, { ...self, time: formatTime(now), fields }]);
  }
  return withManagedFields(nextObj, updated);
}
