// ObjectMeta checks: ValidateObjectMeta and ValidateObjectMetaUpdate from
// apimachinery pkg/api/validation/objectmeta.go, plus label and annotation rules.

import type { StatusCause } from '../errors.ts';
import { forbidden, immutable, invalid, required, tooLong } from './causes.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';
import { Causes, isObject } from './shape.ts';

/** A name rule: a list of problems with `name`; `prefix` is true when checking generateName. */
export type NameRule = (name: string, prefix: boolean) => string[];

/**
 * maskTrailingDash: a generateName prefix may end in '-' because random characters follow.
 * Upstream swaps the last two characters for an 'a'; we do the same.
 */
export function masked(rule: (v: string) => string[]): NameRule {
  return (name, prefix) => rule(prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name);
}

export const nameIsDNSSubdomain: NameRule = masked(isDNS1123Subdomain);
export const nameIsDNSLabel: NameRule = masked(isDNS1123Label);

// Upstream's TotalAnnotationSizeLimitB: all keys and values together.
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(c: Causes, labels: unknown, path: string): void {
  const m = c.strMap(labels, path);
  if (!m) return;
  for (const [k, v] of Object.entries(m)) {
    for (const msg of isQualifiedName(k)) c.add(invalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) c.add(invalid(path, v, msg));
  }
}

export function validateAnnotations(c: Causes, annotations: unknown, path: string): void {
  const m = c.strMap(annotations, path);
  if (!m) return;
  let size = 0;
  for (const [k, v] of Object.entries(m)) {
    for (const msg of isQualifiedName(k.toLowerCase())) c.add(invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) c.add(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
}

// Finalizers without a domain prefix must be one of the built-in ones (validateKubeFinalizerName).
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/**
 * ValidateFinalizers plus core's rule for unprefixed names. metadata.finalizers reports that rule
 * per index; Namespace spec.finalizers reports it on the list (`perIndex` false), as upstream.
 */
export function validateFinalizers(c: Causes, finalizers: unknown, path: string, perIndex = true): void {
  c.strs(finalizers, path).forEach((f, i) => {
    for (const msg of isQualifiedName(f)) c.add(invalid(path, f, msg));
    if (!f.includes('/') && !STANDARD_FINALIZERS.includes(f)) {
      c.add(invalid(perIndex ? `${path}[${i}]` : path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
}

function validateOwnerReferences(c: Causes, refs: unknown, path: string): void {
  let controllers = 0;
  c.objects(refs, path).forEach((ref, i) => {
    if (!ref) return;
    const p = `${path}[${i}]`;
    if (!c.str(ref.apiVersion, `${p}.apiVersion`)) c.add(invalid(`${p}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!c.str(ref.kind, `${p}.kind`)) c.add(invalid(`${p}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!c.str(ref.name, `${p}.name`)) c.add(invalid(`${p}.name`, ref.name ?? '', 'name must not be empty'));
    if (!c.str(ref.uid, `${p}.uid`)) c.add(invalid(`${p}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (c.bool(ref.controller, `${p}.controller`)) controllers++;
  });
  if (controllers > 1) c.add(invalid(path, refs, 'Only one reference can have Controller set to true'));
}

/**
 * ValidateObjectMeta: name (or generateName) in the kind's syntax, namespace present exactly when
 * the resource is namespaced, labels, annotations, finalizers and owner references well formed.
 */
export function validateObjectMeta(c: Causes, obj: unknown, namespaced: boolean, nameRule: NameRule): void {
  const meta = isObject(obj) ? c.obj(obj.metadata, 'metadata') : undefined;
  if (!meta) {
    c.add(required('metadata.name', 'name or generateName is required'));
    return;
  }
  const generateName = c.str(meta.generateName, 'metadata.generateName');
  if (generateName) {
    for (const msg of nameRule(generateName, true)) c.add(invalid('metadata.generateName', generateName, msg));
  }
  const name = c.str(meta.name, 'metadata.name');
  if (!name) {
    if (!generateName) c.add(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of nameRule(name, false)) c.add(invalid('metadata.name', name, msg));
  }
  const namespace = c.str(meta.namespace, 'metadata.namespace');
  if (namespaced) {
    if (!namespace) c.add(required('metadata.namespace'));
    else for (const msg of isDNS1123Label(namespace)) c.add(invalid('metadata.namespace', namespace, msg));
  } else if (namespace) {
    c.add(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  const generation = c.int(meta.generation, 'metadata.generation');
  if (generation !== undefined && generation < 0) c.add(invalid('metadata.generation', generation, 'must be greater than or equal to 0'));
  validateLabels(c, meta.labels, 'metadata.labels');
  validateAnnotations(c, meta.annotations, 'metadata.annotations');
  validateFinalizers(c, meta.finalizers, 'metadata.finalizers');
  validateOwnerReferences(c, meta.ownerReferences, 'metadata.ownerReferences');
}

/**
 * ValidateObjectMetaUpdate: identity fields never change. An absent uid or creationTimestamp is
 * not a change: the API server carries the stored values over before validating, as upstream's
 * BeforeUpdate does.
 */
export function validateObjectMetaUpdate(obj: unknown, old: unknown): StatusCause[] {
  const meta = isObject(obj) && isObject(obj.metadata) ? obj.metadata : {};
  const prev = isObject(old) && isObject(old.metadata) ? old.metadata : {};
  const out: StatusCause[] = [];
  for (const f of ['name', 'namespace'] as const) {
    if ((meta[f] ?? '') !== (prev[f] ?? '')) out.push(immutable(`metadata.${f}`, meta[f] ?? ''));
  }
  for (const f of ['uid', 'creationTimestamp'] as const) {
    if (meta[f] !== undefined && meta[f] !== null && prev[f] !== undefined && meta[f] !== prev[f]) out.push(immutable(`metadata.${f}`, meta[f]));
  }
  if (prev.deletionTimestamp && meta.deletionTimestamp && meta.deletionTimestamp !== prev.deletionTimestamp) {
    out.push(immutable('metadata.deletionTimestamp', meta.deletionTimestamp));
  }
  return out;
}
