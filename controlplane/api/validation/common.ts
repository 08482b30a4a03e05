// Small checks shared by many kinds (pkg/apis/core/validation/validation.go helpers).

import { forbidden, invalid, notSupported, required } from './causes.ts';
import { isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum } from './names.ts';
import type { Causes } from './shape.ts';
import { isObject } from './shape.ts';

export const NEGATIVE_ERROR = 'must be greater than or equal to 0';

/** ValidateNonnegativeField; returns the integer read, if any. */
export function nonNegative(c: Causes, v: unknown, path: string): number | undefined {
  const n = c.int(v, path);
  if (n !== undefined && n < 0) c.add(invalid(path, n, NEGATIVE_ERROR));
  return n;
}

/** An enum field that defaulting always fills: empty is Required, unknown is NotSupported. */
export function oneOf(c: Causes, v: unknown, path: string, supported: readonly string[], requiredDetail = ''): string | undefined {
  const s = c.str(v, path);
  if (!s) c.add(required(path, requiredDetail));
  else if (!supported.includes(s)) c.add(notSupported(path, s, supported));
  return s;
}

/** An optional enum field: only checked when present. */
export function optionalOneOf(c: Causes, v: unknown, path: string, supported: readonly string[]): string | undefined {
  const s = c.str(v, path);
  if (s !== undefined && !supported.includes(s)) c.add(notSupported(path, s, supported));
  return s;
}

/** ValidatePortNumOrName for an IntOrString port (`8080` or `"http"`). */
export function portNumOrName(c: Causes, v: unknown, path: string): void {
  if (typeof v === 'number') {
    for (const msg of isValidPortNum(v)) c.add(invalid(path, v, msg));
  } else if (typeof v === 'string') {
    for (const msg of isValidPortName(v)) c.add(invalid(path, v, msg));
  } else if (v !== undefined && v !== null) {
    c.add(invalid(path, v, 'must be an integer or a port name'));
  }
}

/** ValidateLabelName / ValidateQualifiedName for one key. */
export function qualifiedName(c: Causes, v: string, path: string): void {
  for (const msg of isQualifiedName(v)) c.add(invalid(path, v, msg));
}

/** ValidateLabelSelector (metav1 validation): matchLabels and matchExpressions well formed. */
export function validateLabelSelector(c: Causes, sel: unknown, path: string): void {
  const s = c.obj(sel, path);
  if (!s) return;
  const labels = c.strMap(s.matchLabels, `${path}.matchLabels`);
  for (const [k, v] of Object.entries(labels ?? {})) {
    qualifiedName(c, k, `${path}.matchLabels`);
    for (const msg of isValidLabelValue(v)) c.add(invalid(`${path}.matchLabels`, v, msg));
  }
  c.objects(s.matchExpressions, `${path}.matchExpressions`).forEach((e, i) => {
    if (!e) return;
    const p = `${path}.matchExpressions[${i}]`;
    const op = c.str(e.operator, `${p}.operator`);
    const values = c.strs(e.values, `${p}.values`);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) c.add(required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) c.add(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      c.add(invalid(`${p}.operator`, op ?? '', 'not a valid selector operator'));
    }
    qualifiedName(c, c.str(e.key, `${p}.key`) ?? '', `${p}.key`);
  });
}

/** Does a LabelSelector (as JSON) match these labels? An absent selector matches nothing. */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  if (!isObject(sel)) return false;
  const ml = isObject(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  for (const e of exprs) {
    if (!isObject(e) || typeof e.key !== 'string') return false;
    const values = Array.isArray(e.values) ? e.values : [];
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when a selector has neither matchLabels nor matchExpressions. */
export function selectorIsEmpty(sel: unknown): boolean {
  if (!isObject(sel)) return true;
  const ml = isObject(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const me = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return ml + me === 0;
}
