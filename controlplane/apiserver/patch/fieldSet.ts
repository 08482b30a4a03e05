// Sets of field paths, the unit of ownership in server-side apply (sigs.k8s.io/structured-merge-diff
// fieldpath). A path is a list of elements:
//   f:<name>            a field of a map or struct           f:spec
//   k:<json object>     an item of an associative list       k:{"name":"nginx"}
//   v:<json value>      an item of a set of scalars          v:"example.com/finalizer"
//   i:<index>           an item of a list by position        i:0
// A set is stored in metadata.managedFields as FieldsV1: a tree of these elements where `{}` marks
// a member and "." marks a node that is a member and also has members below it, e.g.
//   {"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{}}}}}

import { ApiError, errors } from '../../api/errors.ts';
import { isObject, type JsonObject } from './jsonValue.ts';

export type PathElement = string;
export type FieldPath = readonly PathElement[];

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (value: unknown): PathElement => `v:${JSON.stringify(value)}`;
/** A key element; the key fields are sorted by name, as structured-merge-diff sorts them. */
export const keyElement = (key: Record<string, unknown>): PathElement =>
  `k:${JSON.stringify(Object.fromEntries(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))}`;

const pathKey = (path: FieldPath): string => JSON.stringify(path);

/** An immutable set of field paths. */
export class FieldSet implements Iterable<FieldPath> {
  private readonly paths: ReadonlyMap<string, FieldPath>;

  constructor(paths: Iterable<FieldPath> = []) {
    const m = new Map<string, FieldPath>();
    for (const p of paths) m.set(pathKey(p), p);
    this.paths = m;
  }

  static readonly EMPTY = new FieldSet();

  get size(): number {
    return this.paths.size;
  }
  isEmpty(): boolean {
    return this.paths.size === 0;
  }
  has(path: FieldPath): boolean {
    return this.paths.has(pathKey(path));
  }
  [Symbol.iterator](): Iterator<FieldPath> {
    return this.paths.values();
  }
  union(other: FieldSet): FieldSet {
    return new FieldSet([...this, ...other]);
  }
  difference(other: FieldSet): FieldSet {
    return new FieldSet([...this].filter((p) => !other.has(p)));
  }
  intersection(other: FieldSet): FieldSet {
    return new FieldSet([...this].filter((p) => other.has(p)));
  }
  filter(keep: (path: FieldPath) => boolean): FieldSet {
    return new FieldSet([...this].filter(keep));
  }
  equals(other: FieldSet): boolean {
    return this.size === other.size && [...this].every((p) => other.has(p));
  }
  /** Whether some member lies strictly below `prefix`. */
  hasDescendantOf(prefix: FieldPath): boolean {
    for (const p of this) if (p.length > prefix.length && startsWith(p, prefix)) return true;
    return false;
  }
  /** The paths in a stable order: shorter prefixes first, siblings sorted as structured-merge-diff sorts them. */
  sorted(): FieldPath[] {
    return [...this].sort(comparePaths);
  }
}

export function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((el, i) => path[i] === el);
}

// structured-merge-diff orders path elements by kind (field, key, value, index), then by text.
const KIND_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };
function compareElements(a: PathElement, b: PathElement): number {
  const ra = KIND_RANK[a[0]] ?? 4;
  const rb = KIND_RANK[b[0]] ?? 4;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}
function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareElements(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

interface TrieNode {
  member: boolean;
  children: Map<PathElement, TrieNode>;
}

/** The FieldsV1 JSON of a set. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: TrieNode = { member: false, children: new Map() };
  for (const path of set) {
    let node = root;
    for (const el of path) {
      let child = node.children.get(el);
      if (!child) node.children.set(el, (child = { member: false, children: new Map() }));
      node = child;
    }
    node.member = true;
  }
  const encode = (node: TrieNode): JsonObject => {
    const out: JsonObject = {};
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const el of [...node.children.keys()].sort(compareElements)) out[el] = encode(node.children.get(el)!);
    return out;
  };
  return encode(root);
}

/** Reads FieldsV1 JSON; throws 400 on anything that is not one. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const paths: FieldPath[] = [];
  const walk = (node: unknown, prefix: PathElement[]): void => {
    if (!isObject(node)) throw invalidFieldsV1(`expected an object at ${pathString(prefix) || '.'}`);
    const keys = Object.keys(node);
    if (keys.length === 0 && prefix.length > 0) paths.push(prefix);
    for (const key of keys) {
      if (key === '.') {
        if (prefix.length > 0) paths.push(prefix);
        continue;
      }
      if (!/^[fkvi]:/.test(key)) throw invalidFieldsV1(`unknown path element ${JSON.stringify(key)}`);
      walk(node[key], [...prefix, key]);
    }
  };
  walk(fields, []);
  return new FieldSet(paths);
}

function invalidFieldsV1(why: string): ApiError {
  return errors.badRequest(`error decoding managed fields: ${why}`);
}

/** A path as upstream prints it in conflict messages: .spec.containers[name="nginx"].image */
export function pathString(path: FieldPath): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      switch (el[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
