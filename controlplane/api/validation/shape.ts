// Reading untrusted JSON. Objects reach validation straight from a request body, so any field may
// have any type (`spec: "x"`, `containers: {}`). Every read goes through these helpers: a missing
// value reads as undefined, a value of the wrong type reads as undefined *and* leaves a cause,
// so validators never throw and the user learns which field was malformed.

import type { StatusCause } from '../errors.ts';
import { typeInvalid } from './causes.ts';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** field.Path.Key: `data[my.key]` (upstream prints map keys in brackets, unquoted). */
export function keyPath(base: string, key: string): string {
  return `${base}[${key}]`;
}

/** Collects causes while reading a possibly malformed object. */
export class Causes {
  readonly list: StatusCause[] = [];

  add(...causes: StatusCause[]): void {
    this.list.push(...causes);
  }

  obj(v: unknown, path: string): Json | undefined {
    if (v === undefined || v === null) return undefined;
    if (isObject(v)) return v;
    this.add(typeInvalid(path, v, 'object'));
    return undefined;
  }

  /** An array; undefined when absent. */
  arr(v: unknown, path: string): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v;
    this.add(typeInvalid(path, v, 'array'));
    return undefined;
  }

  /** Array of objects: wrong-typed items leave a cause and come back as undefined at their index. */
  objects(v: unknown, path: string): (Json | undefined)[] {
    const items = this.arr(v, path) ?? [];
    return items.map((item, i) => this.obj(item, `${path}[${i}]`) ?? (item === null || item === undefined ? {} : undefined));
  }

  str(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.add(typeInvalid(path, v, 'string'));
    return undefined;
  }

  int(v: unknown, path: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.add(typeInvalid(path, v, 'integer'));
    return undefined;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.add(typeInvalid(path, v, 'boolean'));
    return undefined;
  }

  /** A map[string]string such as labels; entries with non-string values leave causes and are dropped. */
  strMap(v: unknown, path: string): Record<string, string> | undefined {
    const o = this.obj(v, path);
    if (!o) return undefined;
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(o)) {
      if (typeof val === 'string') out[k] = val;
      else this.add(typeInvalid(keyPath(path, k), val, 'string'));
    }
    return out;
  }

  /** A list of strings; non-string items leave causes and are dropped. */
  strs(v: unknown, path: string): string[] {
    const items = this.arr(v, path) ?? [];
    const out: string[] = [];
    items.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.add(typeInvalid(`${path}[${i}]`, item, 'string'));
    });
    return out;
  }
}

/** Reads a nested field without a type check (for comparisons in update validation). */
export function dig(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Structural equality over JSON values (key order ignored), like apiequality.Semantic.DeepEqual for JSON. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
