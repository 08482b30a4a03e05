// The fields an object sets, with their values, as structured-merge-diff sees them
// (typed/tofieldset.go and typed.Compare). Members are the scalar leaves, empty maps, atomic lists
// and the items of associative lists and sets; a non-empty map is not a member itself, only what it
// holds. Comparing the fields of two versions of an object gives what a write added, modified and
// removed, which is what ownership follows.

import { canonicalJson, isObject, type JsonObject } from './jsonValue.ts';
import { fieldElement, FieldSet, keyElement, startsWith, valueElement, type FieldPath, type PathElement } from './fieldSet.ts';
import type { PatchMeta } from './patchMeta.ts';
import { badRequest } from './patchErrors.ts';

/** Member path → canonical value ('' for list items, whose content is in the members below them). */
export type FieldValues = Map<string, { path: FieldPath; value: string }>;

/**
 * The element naming `item` in an associative list, or undefined when it lacks a key field.
 * Key fields the item leaves out take their API default (a container port's protocol is TCP).
 */
export function listItemElement(item: JsonObject, meta: PatchMeta): PathElement | undefined {
  const key: Record<string, unknown> = {};
  for (const name of meta.listMapKeys) {
    const value = item[name] ?? meta.keyDefaults[name];
    if (value === undefined || value === null) return undefined;
    key[name] = value;
  }
  return keyElement(key);
}

/**
 * Walks `obj`. With `strict` (an applied configuration) an item of an associative list without its
 * key, or two items with one key, is a 400 as upstream refuses such a configuration; otherwise (a
 * stored object) such a list is tracked as a whole.
 */
export function fieldValues(obj: JsonObject, meta: PatchMeta, strict = false): FieldValues {
  const out: FieldValues = new Map();
  const set = (path: FieldPath, value: string) => out.set(JSON.stringify(path), { path, value });

  const walkObject = (o: JsonObject, m: PatchMeta, prefix: FieldPath): void => {
    for (const [name, value] of Object.entries(o)) {
      if (value !== undefined) walkValue(value, m.field(name), [...prefix, fieldElement(name)]);
    }
  };
  const walkValue = (value: unknown, m: PatchMeta, path: FieldPath): void => {
    if (Array.isArray(value)) {
      const items = m.applyListType === 'map' ? associativeItems(value, m, path, strict) : undefined;
      if (items) {
        for (const [el, item] of items) {
          set([...path, el], '');
          walkObject(item, m, [...path, el]);
        }
      } else if (m.applyListType === 'set' && value.every((v) => !isObject(v) && !Array.isArray(v))) {
        for (const v of value) set([...path, valueElement(v)], '');
      } else {
        set(path, canonicalJson(value));
      }
    } else if (isObject(value) && Object.keys(value).length > 0) {
      walkObject(value, m, path);
    } else {
      set(path, canonicalJson(value));
    }
  };
  walkObject(obj, meta, []);
  return out;
}

function associativeItems(list: unknown[], meta: PatchMeta, path: FieldPath, strict: boolean): [PathElement, JsonObject][] | undefined {
  const items: [PathElement, JsonObject][] = [];
  const seen = new Set<PathElement>();
  for (const [i, item] of list.entries()) {
    const el = isObject(item) ? listItemElement(item, meta) : undefined;
    if (!el || seen.has(el)) {
      if (!strict) return undefined;
      const where = `${path.map((p) => `.${p.slice(2)}`).join('')}: element ${i}`;
      throw badRequest(
        el
          ? `failed to create typed patch object: ${where}: duplicate entries for key ${el.slice(2)}`
          : `failed to create typed patch object: ${where}: associative list with keys has an element that omits key field ${JSON.stringify(meta.listMapKeys.find((k) => !isObject(item) || item[k] == null) ?? '')}`,
      );
    }
    seen.add(el);
    items.push([el, item as JsonObject]);
  }
  return items;
}

export function fieldSetOf(values: FieldValues): FieldSet {
  return new FieldSet([...values.values()].map((v) => v.path));
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed between two versions of an object (typed.Compare). */
export function compareFields(before: FieldValues, after: FieldValues): Comparison {
  const added: FieldPath[] = [];
  const modified: FieldPath[] = [];
  const removed: FieldPath[] = [];
  for (const [key, { path, value }] of after) {
    const old = before.get(key);
    if (!old) added.push(path);
    else if (old.value !== value) modified.push(path);
  }
  for (const [key, { path }] of before) if (!after.has(key)) removed.push(path);
  return { added: new FieldSet(added), modified: new FieldSet(modified), removed: new FieldSet(removed) };
}

// Fields the server owns, never a manager (upstream stripMetaManager): identity, system metadata
// and managedFields itself.
const SERVER_FIELDS: FieldPath[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'].map(
    (f): FieldPath => ['f:metadata', fieldElement(f)],
  ),
];
const STATUS: FieldPath = ['f:status'];

/**
 * Whether writes through `subresource` track `path`. The main resource does not track status and
 * the status subresource tracks only status (upstream's reset fields of the status strategies).
 */
export function isTracked(path: FieldPath, subresource?: string): boolean {
  if (SERVER_FIELDS.some((p) => startsWith(path, p))) return false;
  return subresource === 'status' ? startsWith(path, STATUS) : !startsWith(path, STATUS);
}

/** The tracked fields of `obj` with their values. */
export function trackedValues(obj: JsonObject, meta: PatchMeta, subresource?: string, strict = false): FieldValues {
  const values = fieldValues(obj, meta, strict);
  for (const [key, { path }] of values) if (!isTracked(path, subresource)) values.delete(key);
  return values;
}
