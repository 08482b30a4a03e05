// The two object edits of server-side apply (structured-merge-diff typed/merge.go and
// typed/remove.go): merging an applied configuration into the live object, and removing the
// fields an applier stopped applying.

import { deepClone, isObject, type JsonObject } from './jsonValue.ts';
import { listItemElement } from './fieldValues.ts';
import { valueElement, type FieldPath, type FieldSet, type PathElement } from './fieldSet.ts';
import type { PatchMeta } from './patchMeta.ts';

/** `applied` merged into `live`: applied values win, maps and keyed lists merge, atomic lists are replaced. */
export function mergeApplied(live: JsonObject, applied: JsonObject, meta: PatchMeta): JsonObject {
  return mergeObject(live, applied, meta);
}

function mergeObject(live: JsonObject, applied: JsonObject, meta: PatchMeta): JsonObject {
  const out: JsonObject = { ...live };
  for (const [name, value] of Object.entries(applied)) {
    const merged = mergeValue(live[name], value, meta.field(name));
    if (merged === undefined) delete out[name];
    else out[name] = merged;
  }
  return out;
}

function mergeValue(live: unknown, applied: unknown, meta: PatchMeta): unknown {
  // An applied null clears the field (the typed object has no room for it).
  if (applied === null || applied === undefined) return undefined;
  if (isObject(live) && isObject(applied)) return mergeObject(live, applied, meta);
  if (Array.isArray(live) && Array.isArray(applied)) {
    if (meta.applyListType === 'map') return mergeList(live, applied, (item) => (isObject(item) ? listItemElement(item, meta) : undefined), meta);
    if (meta.applyListType === 'set') return mergeList(live, applied, (item) => valueElement(item), meta);
  }
  return deepClone(applied);
}

/**
 * Merges two lists whose items are named by `name` (mergingWalker.visitListItems): applied items
 * keep the applied order, live-only items stay where they stood relative to them. Items the
 * function cannot name (a live list with malformed items) make the applied list win whole.
 */
function mergeList(live: unknown[], applied: unknown[], name: (item: unknown) => PathElement | undefined, meta: PatchMeta): unknown[] {
  const liveNames = live.map(name);
  const appliedNames = applied.map(name);
  if (liveNames.includes(undefined) || appliedNames.includes(undefined)) return deepClone(applied);
  const liveByName = new Map<PathElement | undefined, unknown>();
  live.forEach((item, i) => liveByName.has(liveNames[i]) || liveByName.set(liveNames[i], item));
  const appliedSet = new Set(appliedNames);
  const shared = appliedNames.filter((n) => liveByName.has(n));
  const done = new Set<PathElement | undefined>();
  const mergeItem = (l: unknown, a: unknown) => (isObject(l) && isObject(a) ? mergeObject(l, a, meta) : deepClone(a));

  const out: unknown[] = [];
  let l = 0;
  let a = 0;
  while (l < live.length || a < applied.length) {
    if (l < live.length && a < applied.length) {
      if (liveNames[l] === appliedNames[a]) {
        out.push(mergeItem(live[l], applied[a]));
        done.add(appliedNames[a]);
        if (shared[0] === appliedNames[a]) shared.shift();
        l++;
        a++;
        continue;
      }
      // A shared live item that comes later in the applied order waits for its turn.
      if (appliedSet.has(liveNames[l]) && shared.length > 0 && shared[0] !== liveNames[l]) {
        l++;
        continue;
      }
    }
    if (l < live.length) {
      if (!appliedSet.has(liveNames[l])) {
        out.push(live[l++]);
        continue;
      }
      if (done.has(liveNames[l])) {
        l++;
        continue;
      }
    }
    if (a < applied.length) {
      const n = appliedNames[a];
      out.push(liveByName.has(n) ? mergeItem(liveByName.get(n), applied[a]) : deepClone(applied[a]));
      done.add(n);
      if (shared[0] === n) shared.shift();
      a++;
    }
  }
  return out;
}

/**
 * `obj` without the members of `remove`. A member that still has an owned member below it (in
 * `keep`) stays; maps left empty by a removal go too, unless someone owns them.
 */
export function removeFields(obj: JsonObject, remove: FieldSet, keep: FieldSet, meta: PatchMeta): JsonObject {
  let out = deepClone(obj);
  // Shallowest first: a removed list item takes its fields with it, and the paths below it then
  // find nothing left to remove.
  const paths = [...remove].sort((x, y) => x.length - y.length);
  for (const path of paths) {
    if (keep.hasDescendantOf(path)) continue;
    out = removePath(out, path, meta, keep);
  }
  return out;
}

function removePath(root: JsonObject, path: FieldPath, meta: PatchMeta, keep: FieldSet): JsonObject {
  // Walk down, remembering each container so empty maps can be cleaned on the way back.
  const trail: { container: JsonObject | unknown[]; el: PathElement; meta: PatchMeta }[] = [];
  let current: unknown = root;
  let m = meta;
  for (const el of path) {
    const found = locate(current, el, m);
    if (!found) return root;
    trail.push({ container: current as JsonObject | unknown[], el, meta: m });
    current = found.value;
    if (el.startsWith('f:')) m = m.field(el.slice(2));
  }
  for (let depth = trail.length - 1; depth >= 0; depth--) {
    const { container, el, meta: cm } = trail[depth];
    const prefix = path.slice(0, depth + 1);
    if (depth < trail.length - 1) {
      // A parent: drop it only when the removal left it an empty map nobody owns.
      const value = locate(container, el, cm)?.value;
      if (!isObject(value) || Object.keys(value).length > 0 || keep.has(prefix) || keep.hasDescendantOf(prefix)) break;
    }
    if (Array.isArray(container)) {
      const at = locate(container, el, cm)!.index!;
      container.splice(at, 1);
      break; // a list left empty stays: an empty list is a value someone may own
    }
    delete container[el.slice(2)];
  }
  return root;
}

function locate(container: unknown, el: PathElement, meta: PatchMeta): { value: unknown; index?: number } | undefined {
  if (el.startsWith('f:')) {
    if (!isObject(container) || !(el.slice(2) in container)) return undefined;
    return { value: container[el.slice(2)] };
  }
  if (!Array.isArray(container)) return undefined;
  const index = container.findIndex((item) =>
    el.startsWith('k:') ? isObject(item) && listItemElement(item, meta) === el : el.startsWith('v:') ? valueElement(item) === el : false,
  );
  return index >= 0 ? { value: container[index], index } : undefined;
}
