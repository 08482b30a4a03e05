// Update rules: what may not change once an object exists (the *Update validators of
// pkg/apis/*/validation). The new object is also validated as on create; these checks only
// compare it with the stored one.

import type { StatusCause } from '../errors.ts';
import { forbidden, GoSyntax, goStringSlice, immutable, invalid, OMIT, required } from './causes.ts';
import { labelSelectorGoSyntax } from './goSyntax.ts';
import { parseQuantity } from './quantity.ts';
import { dig, isObject, jsonEqual, type Json } from './shape.ts';

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const STATEFULSET_UPDATE_MESSAGE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
  "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

const PVC_UPDATE_MESSAGE = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

const spec = (o: unknown): Json => (isObject(o) && isObject(o.spec) ? o.spec : {});
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** A short path-by-path diff, appended to "may not change" messages as upstream appends cmp.Diff. */
export function describeDiff(oldV: unknown, newV: unknown, path: string, out: string[] = []): string[] {
  if (jsonEqual(oldV, newV)) return out;
  if (isObject(oldV) && isObject(newV)) {
    for (const k of new Set([...Object.keys(oldV), ...Object.keys(newV)])) describeDiff(oldV[k], newV[k], `${path}.${k}`, out);
  } else if (Array.isArray(oldV) && Array.isArray(newV) && oldV.length === newV.length) {
    oldV.forEach((x, i) => describeDiff(x, newV[i], `${path}[${i}]`, out));
  } else {
    if (oldV !== undefined) out.push(`- ${path}: ${JSON.stringify(oldV)}`);
    if (newV !== undefined) out.push(`+ ${path}: ${JSON.stringify(newV)}`);
  }
  return out;
}

/** ValidateImmutableField for a label selector, printed as upstream prints it. */
export function selectorImmutable(obj: unknown, old: unknown, path = 'spec.selector'): StatusCause[] {
  const a = dig(obj, ...path.split('.'));
  const b = dig(old, ...path.split('.'));
  return jsonEqual(a, b) ? [] : [immutable(path, new GoSyntax(labelSelectorGoSyntax(a)))];
}

/** ValidatePodUpdate: only images, a shorter deadline, added tolerations and gate removals. */
export function validatePodUpdate(obj: unknown, old: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  const next = clone(spec(obj));
  const prev = spec(old);
  for (const list of ['containers', 'initContainers'] as const) {
    const a = Array.isArray(next[list]) ? (next[list] as unknown[]) : [];
    const b = Array.isArray(prev[list]) ? (prev[list] as unknown[]) : [];
    if (a.length !== b.length) {
      out.push(forbidden(`spec.${list}`, 'pod updates may not add or remove containers'));
      return out;
    }
    // Images may change: compare the rest with the old images put back.
    a.forEach((ctr, i) => {
      if (isObject(ctr) && isObject(b[i])) ctr.image = (b[i] as Json).image;
    });
  }
  const newDeadline = next.activeDeadlineSeconds;
  const oldDeadline = prev.activeDeadlineSeconds;
  if (typeof newDeadline === 'number') {
    if (typeof oldDeadline === 'number' && oldDeadline < newDeadline) {
      out.push(invalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'));
    }
  } else if (typeof oldDeadline === 'number') {
    out.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  next.activeDeadlineSeconds = oldDeadline;

  const oldTolerations = Array.isArray(prev.tolerations) ? prev.tolerations : [];
  const newTolerations = Array.isArray(next.tolerations) ? next.tolerations : [];
  oldTolerations.forEach((t, i) => {
    if (!newTolerations.some((n) => jsonEqual(n, t))) {
      out.push(forbidden(`spec.tolerations[${i}]`, 'existing toleration can not be modified except its tolerationSeconds'));
    }
  });
  next.tolerations = prev.tolerations;
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && next.terminationGracePeriodSeconds === 1) {
    next.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  // Scheduling gates may only be removed.
  const oldGates = Array.isArray(prev.schedulingGates) ? prev.schedulingGates : [];
  const newGates = Array.isArray(next.schedulingGates) ? next.schedulingGates : [];
  if (newGates.every((g) => oldGates.some((o) => jsonEqual(o, g)))) next.schedulingGates = prev.schedulingGates;

  if (!jsonEqual(next, prev)) {
    out.push(forbidden('spec', `${POD_UPDATE_MESSAGE}\n${describeDiff(prev, next, 'spec').join('\n')}`));
  }
  return out;
}

export function validateStatefulSetUpdate(obj: unknown, old: unknown): StatusCause[] {
  const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
  const strip = (s: Json) => Object.fromEntries(Object.entries(s).filter(([k]) => !mutable.includes(k)));
  return jsonEqual(strip(spec(obj)), strip(spec(old))) ? [] : [forbidden('spec', STATEFULSET_UPDATE_MESSAGE)];
}

/** ValidateJobSpecUpdate: the selector, the pod template and the completion settings are fixed. */
export function validateJobUpdate(obj: unknown, old: unknown): StatusCause[] {
  const out = selectorImmutable(obj, old);
  const a = spec(obj);
  const b = spec(old);
  if (!jsonEqual(a.template, b.template)) out.push(immutable('spec.template', OMIT));
  if (!jsonEqual(a.completionMode, b.completionMode)) out.push(immutable('spec.completionMode', a.completionMode ?? null));
  if (!jsonEqual(a.completions, b.completions) && a.completionMode !== 'Indexed') out.push(immutable('spec.completions', a.completions ?? null));
  return out;
}

/** validateUpgradeDowngradeClusterIPs: the allocated addresses stay, unless ExternalName is involved. */
export function validateServiceUpdate(obj: unknown, old: unknown): StatusCause[] {
  const a = spec(obj);
  const b = spec(old);
  if (a.type === 'ExternalName' || b.type === 'ExternalName') return [];
  const ips = (s: Json): string[] => {
    if (Array.isArray(s.clusterIPs) && s.clusterIPs.length > 0) return s.clusterIPs.map(String);
    return typeof s.clusterIP === 'string' && s.clusterIP ? [s.clusterIP] : [];
  };
  const next = ips(a);
  const prev = ips(b);
  const out: StatusCause[] = [];
  for (const i of [0, 1]) {
    if (prev.length > i && next.length > i && next[i] !== prev[i]) {
      out.push(invalid(`spec.clusterIPs[${i}]`, new GoSyntax(goStringSlice(next)), 'may not change once set'));
    }
  }
  if (prev.length > 0 && next.length === 0) out.push(required('spec.clusterIPs[0]', 'primary clusterIP can not be unset'));
  return out;
}

/** ValidatePersistentVolumeClaimUpdate: only a bound claim's storage request may change, and only grow. */
export function validatePersistentVolumeClaimUpdate(obj: unknown, old: unknown): StatusCause[] {
  const a = clone(spec(obj));
  const b = clone(spec(old));
  const out: StatusCause[] = [];
  // The volume binder fills volumeName in once.
  if (!b.volumeName) b.volumeName = a.volumeName;
  const bound = dig(old, 'status', 'phase') === 'Bound';
  const newSize = parseQuantity(dig(a, 'resources', 'requests', 'storage'));
  const oldSize = parseQuantity(dig(b, 'resources', 'requests', 'storage'));
  if (bound && isObject(a.resources) && isObject(a.resources.requests)) {
    a.resources.requests.storage = dig(b, 'resources', 'requests', 'storage');
  }
  if (!jsonEqual(a, b)) out.push(forbidden('spec', `${PVC_UPDATE_MESSAGE}\n${describeDiff(b, a, 'spec').join('\n')}`));
  if (newSize !== undefined && oldSize !== undefined && newSize < oldSize) {
    out.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return out;
}

// The fields of a PersistentVolumeSpec that are not the volume source itself.
const PV_NON_SOURCE_FIELDS = [
  'accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions',
  'volumeMode', 'nodeAffinity', 'volumeAttributesClassName',
];

export function validatePersistentVolumeUpdate(obj: unknown, old: unknown): StatusCause[] {
  const source = (s: Json) => Object.fromEntries(Object.entries(s).filter(([k]) => !PV_NON_SOURCE_FIELDS.includes(k)));
  const a = spec(obj);
  const b = spec(old);
  const out: StatusCause[] = [];
  if (!jsonEqual(source(a), source(b))) {
    out.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${describeDiff(source(b), source(a), 'spec').join('\n')}`));
  }
  if (!jsonEqual(a.volumeMode, b.volumeMode)) out.push(immutable('volumeMode', a.volumeMode ?? null));
  if (b.nodeAffinity !== undefined && b.nodeAffinity !== null && !jsonEqual(a.nodeAffinity, b.nodeAffinity)) {
    out.push(immutable('nodeAffinity', OMIT));
  }
  return out;
}

/** ValidateConfigMapUpdate / ValidateSecretUpdate: `immutable: true` freezes the data for good. */
export function validateConfigDataUpdate(obj: unknown, old: unknown, fields: string[]): StatusCause[] {
  if (!isObject(old) || old.immutable !== true) return [];
  const next = isObject(obj) ? obj : {};
  const out: StatusCause[] = [];
  if (next.immutable !== true) out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!jsonEqual(next[f], old[f])) out.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return out;
}

export function validateSecretUpdate(obj: unknown, old: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  const a = isObject(obj) ? obj.type : undefined;
  const b = isObject(old) ? old.type : undefined;
  if ((a ?? '') !== (b ?? '')) out.push(immutable('type', a ?? ''));
  return [...out, ...validateConfigDataUpdate(obj, old, ['data'])];
}

/** ValidateNodeUpdate: podCIDRs and providerID are set once. */
export function validateNodeUpdate(obj: unknown, old: unknown): StatusCause[] {
  const a = spec(obj);
  const b = spec(old);
  const out: StatusCause[] = [];
  if (Array.isArray(b.podCIDRs) && b.podCIDRs.length > 0 && !jsonEqual(a.podCIDRs, b.podCIDRs)) {
    out.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (b.providerID && a.providerID !== b.providerID) {
    out.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return out;
}

export function validateEndpointSliceUpdate(obj: unknown, old: unknown): StatusCause[] {
  const a = isObject(obj) ? obj.addressType : undefined;
  const b = isObject(old) ? old.addressType : undefined;
  return a === b ? [] : [immutable('addressType', a ?? '')];
}
