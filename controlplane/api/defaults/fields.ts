// Helpers for defaulting untrusted JSON in place. A field counts as unset when it is absent or
// null (what Go's decoder leaves as nil). A field of the wrong type is left alone: validation
// reports it, defaulting must neither throw on it nor paper over it.

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Sets `o[key]` to `value` when unset. */
export function setDefault(o: Json, key: string, value: unknown): void {
  if (isUnset(o[key])) o[key] = value;
}

/** Sets a string field when it is unset or "" (Go's zero value for strings). */
export function setDefaultString(o: Json, key: string, value: string): void {
  if (isUnset(o[key]) || o[key] === '') o[key] = value;
}

/** The object at `o[key]`, created empty when unset; undefined when it holds something else. */
export function ensureObject(o: Json, key: string): Json | undefined {
  if (isUnset(o[key])) o[key] = {};
  const v = o[key];
  return isObject(v) ? v : undefined;
}

/** The object at `o[key]` if there is one (never created). */
export function objectAt(o: unknown, key: string): Json | undefined {
  if (!isObject(o)) return undefined;
  const v = o[key];
  return isObject(v) ? v : undefined;
}

/** The objects in the array at `o[key]`, skipping items that are not objects. */
export function objectsAt(o: unknown, key: string): Json[] {
  if (!isObject(o)) return [];
  const v = o[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}
