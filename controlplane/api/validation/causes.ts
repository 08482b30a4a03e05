// Cause builders in the exact shapes of apimachinery's pkg/util/validation/field/errors.go.
// Each returns a StatusCause whose message is what upstream's ErrorBody() prints, so the API
// server's 422 text reads like a real cluster's: `spec.containers[0].image: Required value`.

import type { StatusCause } from '../errors.ts';

/** A value printed verbatim, for places where upstream prints a Go struct with %#v. */
export class GoSyntax {
  constructor(readonly text: string) {}
}

/** Upstream's omitValue: the message carries no value at all ("Invalid value: field is immutable"). */
export const OMIT = Symbol('omit');

/**
 * How upstream prints a bad value: strings quoted, numbers and booleans bare. Structures print as
 * JSON unless the caller passes the Go rendering upstream shows (GoSyntax).
 */
export function formatValue(value: unknown): string {
  if (value instanceof GoSyntax) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** %#v of a map[string]string: keys sorted, as Go's fmt prints maps. */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const entries = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** %#v of a []string. */
export function goStringSlice(s: string[] | undefined): string {
  if (!s) return '[]string(nil)';
  return `[]string{${s.map((x) => JSON.stringify(x)).join(', ')}}`;
}

function withDetail(head: string, detail?: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  const head = value === OMIT ? 'Invalid value' : `Invalid value: ${formatValue(value)}`;
  return { reason: 'FieldValueInvalid', message: withDetail(head, detail), field };
}

/** A value of the wrong JSON type (`replicas: "three"`); upstream fails while decoding instead. */
export function typeInvalid(field: string, value: unknown, expected: string): StatusCause {
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${formatValue(value)}: must be of type ${expected}`, field };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const detail = supported.length ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: withDetail(`Unsupported value: ${formatValue(value)}`, detail), field };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}`, field };
}

export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${formatValue(value)}`, field };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

export function tooLong(field: string, maxBytes: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${maxBytes} bytes`, field };
}

/** ValidateImmutableField: `Invalid value: <new>: field is immutable`. */
export function immutable(field: string, value: unknown): StatusCause {
  return invalid(field, value, 'field is immutable');
}
