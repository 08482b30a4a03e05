// Strategic merge patch (Content-Type application/strategic-merge-patch+json), the patch kubectl
// apply, edit, set image, rollout restart and cordon send. It is a JSON merge patch that knows the
// schema: lists with a merge key merge item by item, lists of scalars with strategy "merge" are
// sets, and a few directives steer the merge. Upstream: strategicpatch.StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls (k8s.io/apimachinery/pkg/util/strategicpatch/patch.go).
//
// Directives:
//   {"$patch": "replace"} in a map        the map replaces the live map
//   {"$patch": "delete"}  in a map        the map is removed (becomes {})
//   [{"$patch": "replace"}, items...]     the items replace the live list
//   [{"name": "x", "$patch": "delete"}]   the item with that merge key is removed
//   "$setElementOrder/<field>": [...]     the order of the merged list
//   "$deleteFromPrimitiveList/<field>"    scalars to remove from a merged list of scalars
//   "$retainKeys": [...]                  keys of the live map to keep; the others are cleared
// None of them ever reaches the result.

import { deepClone, goFormat, isObject, jsonType, type JsonObject } from './jsonValue.ts';
import { identityFor, noMergeKey, normalizeElementOrder, partitionByPresence, validateSetElementOrder } from './elementOrder.ts';
import type { PatchMeta } from './patchMeta.ts';
import { badRequest, MERGEPATCH, unprocessable } from './patchErrors.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** Applies `patch` to `original` without touching either; throws ApiError 400/422 on a malformed patch. */
export function strategicMergePatch(original: object, patch: unknown, meta: PatchMeta): JsonObject {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonType(patch)} into Go value of type map[string]interface {}`);
  }
  if (!isObject(original)) throw badRequest(MERGEPATCH.badJSONDoc);
  return mergeMap(deepClone(original), deepClone(patch), meta);
}

/** Merges `patch` into `original`; both are private copies and may be changed. */
function mergeMap(original: JsonObject, patch: JsonObject, meta: PatchMeta): JsonObject {
  if (DIRECTIVE in patch) return mapDirective(patch, meta);
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, meta);

  const deletions: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!field) throw badRequest(MERGEPATCH.badPatchFormatForPrimitiveList);
      deletions.push([field, value]);
    } else if (!key.startsWith('$')) {
      mergeField(original, key, value, meta.field(key));
    }
    // Any other "$..." key is a directive this server does not know; like every directive it
    // must not reach the stored object.
  }
  // Deletions run after additions so a patch that swaps a scalar for another ends with the new one.
  for (const [field, value] of deletions) deleteFromPrimitiveList(original, field, value);
  return original;
}

/** A map carrying "$patch": replace gives itself, delete gives {}, anything else is an error. */
function mapDirective(patch: JsonObject, meta: PatchMeta): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const { [DIRECTIVE]: _, ...rest } = patch;
    return mergeMap({}, rest, meta);
  }
  if (directive === 'delete') return {};
  throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
}

function mergeField(original: JsonObject, key: string, value: unknown, meta: PatchMeta): void {
  // null deletes the key; a null for a key the object lacks is dropped (IgnoreUnmatchedNulls).
  if (value === null) {
    delete original[key];
    return;
  }
  const current = original[key];
  if (current === undefined || current === null || jsonType(current) !== jsonType(value)) {
    original[key] = materialize(value, meta);
    return;
  }
  if (isObject(current)) original[key] = mergeMap(current, value as JsonObject, meta);
  else if (Array.isArray(current)) original[key] = mergeList(current, value as unknown[], meta);
  else original[key] = value;
}

/** A patch value that has nothing to merge with: merged into an empty value so no directive or null survives. */
function materialize(value: unknown, meta: PatchMeta): unknown {
  if (isObject(value)) return mergeMap({}, value, meta);
  if (Array.isArray(value)) return mergeList([], value, meta);
  return value;
}

function mergeList(original: unknown[], patch: unknown[], meta: PatchMeta): unknown[] {
  if (meta.listType === 'atomic') {
    // No patch strategy: the patch list replaces the live list.
    return patch.map((item) => (isObject(item) ? mergeMap({}, item, meta) : item));
  }
  if (original.length === 0 && patch.length === 0) return original;
  const elementType = sliceElementType(original, patch);

  if (elementType !== 'object') {
    // A set of scalars: union, patch items in patch order, server items in live order.
    const id = identityFor(undefined);
    const seen = new Set<string>();
    const union = [...original, ...patch].filter((item) => !seen.has(id(item)) && seen.add(id(item)));
    const [fromPatch, serverOnly] = partitionByPresence(union, patch, id);
    return normalizeElementOrder(fromPatch, serverOnly, patch, original, id);
  }

  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type map');
  const { remaining, items, replaced } = applyListDirectives(original, patch, mergeKey);
  if (replaced) return items.map((item) => mergeMap({}, item, meta));

  const id = identityFor(mergeKey);
  const merged = [...remaining];
  for (const item of items) {
    if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex((live) => isObject(live) && live[mergeKey] === item[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, meta);
    else merged.push(mergeMap({}, item, meta));
  }
  const [fromPatch, serverOnly] = partitionByPresence(merged, items, id);
  return normalizeElementOrder(fromPatch, serverOnly, items, remaining, id);
}

/**
 * Handles the items that carry "$patch" (mergeSliceWithSpecialElements): deletions remove live
 * items by merge key, a replace marker makes the other items the whole list.
 */
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string) {
  let remaining = original;
  const items: JsonObject[] = [];
  let replaced = false;
  for (const item of patch as JsonObject[]) {
    if (!(DIRECTIVE in item)) {
      items.push(item);
      continue;
    }
    switch (item[DIRECTIVE]) {
      case 'delete':
        if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
        remaining = remaining.filter((live) => !(isObject(live) && live[mergeKey] === item[mergeKey]));
        break;
      case 'replace':
        replaced = true;
        break;
      case 'merge':
        throw badRequest('merging lists cannot yet be specified in the patch');
      default:
        throw badRequest(`unknown patch type: ${goFormat(item[DIRECTIVE])} in map: ${goFormat(item)}`);
    }
  }
  return { remaining, items, replaced };
}

/** All items of the lists share one JSON type, and lists of lists are not supported (sliceElementType). */
function sliceElementType(...lists: unknown[][]): string {
  let type: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const t = jsonType(item);
      if (t === 'array') throw unprocessable(MERGEPATCH.noListOfLists);
      if (type !== undefined && t !== type) {
        throw badRequest(`list element types are not identical: ${goFormat(lists)}`);
      }
      type = t;
    }
  }
  return type ?? 'null';
}

/** "$retainKeys": clears live keys the list does not name; every key the patch sets must be named. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRequest(MERGEPATCH.badPatchFormatForRetainKeys);
  const keep = new Set(retain.map(String));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw badRequest(MERGEPATCH.badPatchFormatForRetainKeys);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

/**
 * "$setElementOrder/<field>" (mergePatchIntoOriginal): merges the field's patch list now and orders
 * the result by the directive list, then removes both from the patch so they are not merged again.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, meta: PatchMeta): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (!field || !Array.isArray(order)) throw badRequest(MERGEPATCH.badPatchFormatForSetElementOrderList);
    const fieldMeta = meta.field(field);
    const live = original[field];
    const patchList = patch[field];
    if (live !== undefined && live !== null && !Array.isArray(live)) throw badRequest(`expected a slice, but received a ${jsonType(live)}`);
    if (patchList !== undefined && !Array.isArray(patchList)) throw badRequest(MERGEPATCH.badPatchFormatForSetElementOrderList);
    const liveList = Array.isArray(live) ? live : undefined;
    if (!liveList && !patchList) continue;

    const scalars = sliceElementType(liveList ?? [], patchList ?? [], order) !== 'object';
    const mergeKey = scalars ? undefined : fieldMeta.mergeKey;
    if (!scalars && !mergeKey) {
      // An atomic list of maps has nothing to order by: the patch list simply replaces it.
      if (patchList) original[field] = mergeList(liveList ?? [], patchList, fieldMeta);
      delete patch[field];
      continue;
    }
    const id = identityFor(mergeKey);
    if (patchList) validateSetElementOrder(patchList, order, id);
    const merged = patchList ? mergeList(liveList ?? [], patchList, fieldMeta) : liveList!;
    const [named, serverOnly] = partitionByPresence(merged, order, id);
    original[field] = normalizeElementOrder(named, serverOnly, order, liveList ?? [], id);
    delete patch[field];
  }
}

/** "$deleteFromPrimitiveList/<field>": removes the listed scalars from the live list. */
function deleteFromPrimitiveList(original: JsonObject, field: string, toDelete: unknown): void {
  if (!Array.isArray(toDelete)) throw badRequest(MERGEPATCH.badPatchFormatForPrimitiveList);
  const live = original[field];
  if (!Array.isArray(live)) return;
  const id = identityFor(undefined);
  const drop = new Set(toDelete.map(id));
  original[field] = live.filter((item) => !drop.has(id(item)));
}
