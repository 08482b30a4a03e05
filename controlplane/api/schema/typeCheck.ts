// Type checking of request bodies against the OpenAPI schemas, with the messages upstream's JSON
// decoder gives (k8s.io/apimachinery/pkg/runtime/serializer/json, sigs.k8s.io/json):
//   - a value of the wrong JSON type fails the request whatever fieldValidation says:
//       json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
//   - an unknown field is an error with fieldValidation=Strict, a warning with Warn, nothing with
//     Ignore:   unknown field "spec.template.spec.containers[0].imagee"
// Duplicate fields cannot be seen once the body is parsed, so they are not reported.

import type { GroupVersionKind } from '../resources.ts';
import { definition, schemaNameFor } from './definitions.ts';
import { type Schema, INT_OR_STRING, MICRO_TIME, QUANTITY, TIME, refName } from './upstreamNames.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface CheckResult {
  /** Messages that fail the request: type errors, and unknown fields in Strict mode. */
  errors: string[];
  /** Unknown fields in Warn mode, for the Warning header (299 - "<message>"). */
  warnings: string[];
}

// Deeper than any real object; past it a value is accepted as it is rather than risk the stack.
const MAX_DEPTH = 200;

// resource.MustParse's grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go).
const QUANTITY_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[EPTGMk]i?|[KMGTP]i|[mnu])?$/;
const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
// RFC 3339, as metav1.Time parses it.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

interface Walk {
  strict: boolean; // report unknown fields
  unknown: string[];
  typeError?: string; // the decoder stops at the first one
}

/** The JSON kind of a value as Go's decoder names it in UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** The last two segments of an upstream name: io.k8s.api.core.v1.PodSpec → v1.PodSpec. */
function goTypeOfDefinition(name: string): string {
  return name.split('.').slice(-2).join('.');
}

/** The Go type a schema stands for, as it appears in decoder messages (int32, []v1.Container, map[string]string). */
function goType(s: Schema): string {
  const name = refName(s);
  if (name) return goTypeOfDefinition(name);
  switch (s.type) {
    case 'integer':
      return s.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return s.format === 'byte' ? '[]uint8' : 'string';
    case 'array':
      return `[]${s.items ? goType(s.items) : 'interface {}'}`;
    case 'object':
      if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${goType(s.additionalProperties)}`;
      return 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

/** The unknown-field path: spec.containers[0].imagee */
function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** The decoder's field path: struct fields and map keys, no list indices (spec.template.spec.containers). */
function joinGo(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Checker {
  constructor(private readonly w: Walk) {}

  private fail(value: unknown, s: Schema, struct: string, goPath: string, describe = jsonKind(value)): void {
    if (this.w.typeError) return;
    const where = struct ? `Go struct field ${struct}.${goPath}` : 'Go value';
    this.w.typeError = `json: cannot unmarshal ${describe} into ${where} of type ${goType(s)}`;
  }

  /**
   * Checks `value` against `s`. `struct` is the Go struct the field belongs to and `goPath` the
   * decoder's path to it, for type errors; `path` is the unknown-field path.
   */
  value(value: unknown, s: Schema, path: string, struct: string, goPath: string, depth: number): void {
    if (this.w.typeError || value === null || depth > MAX_DEPTH) return; // null leaves a Go field at its zero value
    const name = refName(s);
    if (name === QUANTITY) return this.quantity(value);
    if (name === INT_OR_STRING) return this.intOrString(value);
    if (name === TIME || name === MICRO_TIME) return this.time(value);
    const def = name ? definition(name) : s;
    if (def) this.typed(value, def, s, name, path, struct, goPath, depth);
  }

  /** `s` is the resolved schema; `field` the field's own (a $ref names the Go type in messages). */
  private typed(value: unknown, s: Schema, field: Schema, self: string | undefined, path: string, struct: string, goPath: string, depth: number): void {
    if (s['x-kubernetes-preserve-unknown-fields']) return;
    switch (s.type) {
      case 'string':
        if (typeof value !== 'string') return this.fail(value, field, struct, goPath);
        if (s.format === 'byte') this.base64(value);
        return;
      case 'integer':
        if (typeof value !== 'number') return this.fail(value, field, struct, goPath);
        if (!Number.isInteger(value) || !this.inRange(value, s.format)) this.fail(value, field, struct, goPath, `number ${value}`);
        return;
      case 'number':
        if (typeof value !== 'number') this.fail(value, field, struct, goPath);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.fail(value, field, struct, goPath);
        return;
      case 'array':
        if (!Array.isArray(value)) return this.fail(value, field, struct, goPath);
        if (s.items) value.forEach((v, i) => this.value(v, s.items!, join(path, i), struct, goPath, depth + 1));
        return;
      case 'object':
        if (typeof value !== 'object' || Array.isArray(value)) return this.fail(value, field, struct, goPath);
        return this.object(value as Record<string, unknown>, s, self, path, struct, goPath, depth);
      default:
        return;
    }
  }

  private object(obj: Record<string, unknown>, s: Schema, self: string | undefined, path: string, struct: string, goPath: string, depth: number): void {
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      for (const [k, v] of Object.entries(obj)) this.value(v, s.additionalProperties, join(path, k), struct, joinGo(goPath, k), depth + 1);
      return;
    }
    // An object without declared fields (RawExtension, FieldsV1) keeps whatever it is given.
    if (!s.properties || Object.keys(s.properties).length === 0) return;
    const structName = self ? self.split('.').pop()! : struct;
    for (const [k, v] of Object.entries(obj)) {
      const field = Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
      if (!field) {
        if (this.w.strict) this.w.unknown.push(join(path, k));
        continue;
      }
      this.value(v, field, join(path, k), structName, joinGo(goPath, k), depth + 1);
    }
  }

  private inRange(n: number, format: string | undefined): boolean {
    const [min, max] = INT_RANGE[format ?? 'int64'] ?? INT_RANGE.int64;
    return n >= min && n <= max;
  }

  private quantity(value: unknown): void {
    // resource.Quantity.UnmarshalJSON takes a string or a bare number.
    if (typeof value === 'number') return;
    if (typeof value !== 'string' || !QUANTITY_PATTERN.test(value.trim())) this.w.typeError ??= QUANTITY_ERROR;
  }

  private intOrString(value: unknown): void {
    if (typeof value === 'string') return;
    // A non-string goes to json.Unmarshal into the int32 half.
    if (typeof value !== 'number') this.w.typeError ??= `json: cannot unmarshal ${jsonKind(value)} into Go value of type int32`;
    else if (!Number.isInteger(value) || !this.inRange(value, 'int32')) this.w.typeError ??= `json: cannot unmarshal number ${value} into Go value of type int32`;
  }

  private time(value: unknown): void {
    if (typeof value !== 'string') {
      this.w.typeError ??= `json: cannot unmarshal ${jsonKind(value)} into Go value of type string`;
      return;
    }
    if (value !== '' && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
      this.w.typeError ??= `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`;
    }
  }

  private base64(value: string): void {
    // encoding/base64 StdEncoding, as Go decodes []byte fields (Secret.data).
    const bad = value.search(/[^A-Za-z0-9+/=]/);
    if (bad >= 0) {
      this.w.typeError ??= `illegal base64 data at input byte ${bad}`;
      return;
    }
    const padded = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value) && value.length % 4 === 0;
    if (!padded) {
      const firstPad = value.indexOf('=');
      this.w.typeError ??= `illegal base64 data at input byte ${firstPad >= 0 ? firstPad : Math.floor(value.length / 4) * 4}`;
    }
  }

  root(obj: unknown, schemaName: string): void {
    const s = definition(schemaName);
    if (!s) return;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      this.w.typeError = `json: cannot unmarshal ${obj === null ? 'null' : jsonKind(obj)} into Go value of type ${goTypeOfDefinition(schemaName)}`;
      return;
    }
    this.object(obj as Record<string, unknown>, s, schemaName, '', '', '', 0);
  }
}

/**
 * Checks a decoded request body against the schema of its kind. Never throws; a kind without a
 * schema passes unchecked.
 */
export function checkBody(gvk: GroupVersionKind, obj: unknown, mode: FieldValidation): CheckResult {
  const name = schemaNameFor(gvk);
  if (!name) return { errors: [], warnings: [] };
  const walk: Walk = { strict: mode !== 'Ignore', unknown: [] };
  try {
    new Checker(walk).root(obj, name);
  } catch {
    // A checker bug must not fail a request the decoder would have taken.
    return { errors: [], warnings: [] };
  }
  const unknown = walk.unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
  if (walk.typeError) return { errors: [walk.typeError], warnings: [] };
  if (mode === 'Strict') return { errors: unknown, warnings: [] };
  if (mode === 'Warn') return { errors: [], warnings: unknown };
  return { errors: [], warnings: [] };
}

/**
 * The message of the 400 BadRequest upstream answers when decoding fails:
 *   Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"
 */
export function decodeErrorMessage(gvk: GroupVersionKind, errors: string[]): string {
  const typeError = errors.find((e) => !e.startsWith('unknown field '));
  const detail = typeError ?? `strict decoding error: ${errors.join(', ')}`;
  return `${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${gvk.kind}: ${detail}`;
}

/** A warning as the Warning response header carries it: 299 - "unknown field \"spec.foo\"" */
export function warningHeader(message: string): string {
  return `299 - ${JSON.stringify(message)}`;
}
