// The order of a merged list after a strategic merge patch. Upstream's rule
// (strategicpatch normalizeElementOrder, design proposal "preserve order in strategic merge patch"):
// $setElementOrder beats the order in the patch list, which beats the order in the live list.
// Items named by the patch keep the patch's order; items only on the server keep the live order;
// the two runs are interleaved by where the items stood in the live list.

import { canonicalJson, goFormat, isObject } from './jsonValue.ts';
import { badRequest } from './patchErrors.ts';

/** How items are told apart: by the merge key for lists of maps, by value for lists of scalars. */
export type Identity = (item: unknown) => string;

export function identityFor(mergeKey: string | undefined): Identity {
  if (!mergeKey) return (item) => canonicalJson(item);
  return (item) => {
    if (!isObject(item) || !(mergeKey in item)) throw noMergeKey(item, mergeKey);
    return canonicalJson(item[mergeKey]);
  };
}

export function noMergeKey(item: unknown, mergeKey: string) {
  return badRequest(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

/** Splits `items` into those present in `by` and those not (partitionMapsByPresentInList). */
export function partitionByPresence(items: unknown[], by: unknown[], id: Identity): [present: unknown[], absent: unknown[]] {
  const wanted = new Set(by.map(id));
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) (wanted.has(id(item)) ? present : absent).push(item);
  return [present, absent];
}

/** Stable sort of `items` by their position in `order`; items not in `order` keep their place at the end. */
function sortByOrder(items: unknown[], order: unknown[], id: Identity): unknown[] {
  const position = new Map<string, number>();
  order.forEach((item, i) => {
    const key = id(item);
    if (!position.has(key)) position.set(key, i);
  });
  const rank = (item: unknown) => position.get(id(item)) ?? Number.MAX_SAFE_INTEGER;
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

/**
 * Interleaves server-only items (`left`) into patch items (`right`), keeping the relative order of
 * each run; a server-only item goes first only when both items stood in the live list and it stood
 * earlier (upstream mergeSortedSlice).
 */
function mergeSorted(left: unknown[], right: unknown[], serverOrder: unknown[], id: Identity): unknown[] {
  const index = new Map<string, number>();
  serverOrder.forEach((item, i) => {
    const key = id(item);
    if (!index.has(key)) index.set(key, i);
  });
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = index.get(id(left[i]));
      const ri = index.get(id(right[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Orders `patchItems` by `patchOrder` and `serverOnly` by `serverOrder`, then interleaves them. */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  id: Identity,
): unknown[] {
  return mergeSorted(sortByOrder(serverOnly, serverOrder, id), sortByOrder(patchItems, patchOrder, id), serverOrder, id);
}

/**
 * Checks that the items of a patch list appear in its $setElementOrder list, in the same relative
 * order (validatePatchWithSetOrderList). Deletions and directive items are ignored.
 */
export function validateSetElementOrder(patchList: unknown[], order: unknown[], id: Identity): void {
  const items = patchList.filter((item) => !(isObject(item) && '$patch' in item));
  if (items.length === 0 || order.length === 0) return;
  let p = 0;
  for (let o = 0; o < order.length && p < items.length; o++) {
    if (id(items[p]) === id(order[o])) p++;
  }
  if (p < items.length) {
    throw badRequest(`The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`);
  }
}
