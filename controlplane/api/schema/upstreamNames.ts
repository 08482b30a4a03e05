// Names and shapes the OpenAPI documents share with upstream: definition names
// (io.k8s.api.core.v1.Pod), the small scalar definitions (Quantity, IntOrString, Time) and the
// list of kinds that carry x-kubernetes-group-version-kind.

import type { GroupVersionKind, ResourceInfo } from '../resources.ts';

/** An OpenAPI v3 schema object, as much of it as Kubernetes uses. */
export interface Schema {
  description?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  $ref?: string;
  allOf?: Schema[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
export const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
export const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
export const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
export const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';

export const SCHEMA_PREFIX = '#/components/schemas/';

export function ref(name: string): Schema {
  return { $ref: SCHEMA_PREFIX + name };
}

/** The definition name a $ref points at. */
export function refName(s: Schema): string | undefined {
  const r = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  return r?.startsWith(SCHEMA_PREFIX) ? r.slice(SCHEMA_PREFIX.length) : undefined;
}

/** Scalars written by hand as upstream writes them (their Go types marshal themselves). */
export const HAND_WRITTEN: Record<string, Schema> = {
  // Upstream's v3 spec: a string; the decoder also takes a JSON number (cpu: 0.5).
  [QUANTITY]: { description: 'Quantity is a fixed-point representation of a number.', type: 'string' },
  [INT_OR_STRING]: { description: 'IntOrString is a type that can hold an int32 or a string.', type: 'string', format: 'int-or-string' },
  [TIME]: { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.', type: 'string', format: 'date-time' },
  [MICRO_TIME]: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  [PATCH]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
};

/** Definitions every group-version document carries, whatever its kinds reach. */
export const COMMON_ROOTS = [STATUS, DELETE_OPTIONS, WATCH_EVENT, PATCH];

/** io.k8s.api.<first label of the group>: core for '', apps, discovery for discovery.k8s.io. */
export function groupPackage(group: string): string {
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}`;
}

export function definitionName(gvk: GroupVersionKind): string {
  return `${groupPackage(gvk.group)}.${gvk.version}.${gvk.kind}`;
}

/** Kinds that have their own schema with x-kubernetes-group-version-kind: served kinds, their lists, subresource kinds. */
export function topLevelKinds(resources: ResourceInfo[]): GroupVersionKind[] {
  const out: GroupVersionKind[] = [];
  const add = (g: GroupVersionKind) => {
    if (!out.some((x) => x.group === g.group && x.version === g.version && x.kind === g.kind)) out.push({ group: g.group, version: g.version, kind: g.kind });
  };
  for (const r of resources) {
    add(r);
    // Binding is create-only: upstream has no BindingList.
    if (r.verbs.includes('list')) add({ group: r.group, version: r.version, kind: `${r.kind}List` });
  }
  for (const r of resources) for (const s of r.subresources) add(s.responseKind);
  return out;
}
