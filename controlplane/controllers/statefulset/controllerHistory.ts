// ControllerRevisions (pkg/controller/history/controller_history.go): an immutable snapshot of a
// workload's pod template, owned by the workload, named <parent>-<hash>. StatefulSets and
// DaemonSets record each template they ever ran as one; a rollback is the old snapshot getting
// the next revision number again. Both controllers use these helpers.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject, ResourceClient } from '../../client/types.ts';
import { isAlreadyExists } from '../../client/types.ts';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import { safeEncodeString, stableStringify } from '../deployment/hash.ts';

export type Revision = ControllerRevision & KubeObject;

/** history.ControllerRevisionHashLabel: the hash, on the revision itself. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** apps.ControllerRevisionHashLabelKey: what pods carry to say which revision made them. */
export const POD_REVISION_LABEL = 'controller-revision-hash';
/** Object names are at most 253 characters; upstream keeps 223 of the parent's name for the prefix. */
const MAX_PREFIX_LENGTH = 223;

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1 (multiply, then xor), as Go's hash/fnv New32 that HashControllerRevision uses. */
function fnv32(bytes: Uint8Array, h = FNV32_OFFSET): number {
  for (const b of bytes) h = (Math.imul(h, FNV32_PRIME) ^ b) >>> 0;
  return h >>> 0;
}

/**
 * The data a revision records (getPatch): a strategic merge patch that replaces the template,
 * `{"spec":{"template":{..., "$patch":"replace"}}}`. Applying it to the workload restores that template.
 */
export function templatePatch(template: PodTemplateSpec | undefined): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(template ?? {}), $patch: 'replace' } } };
}

/** The template a revision recorded (ApplyRevision's effect on spec.template). */
export function templateOf(revision: Pick<ControllerRevision, 'data'>): PodTemplateSpec {
  const t = structuredClone(((revision.data ?? {}) as { spec?: { template?: Record<string, unknown> } }).spec?.template ?? {});
  delete t['$patch'];
  return t as PodTemplateSpec;
}

/** The bytes upstream hashes and compares: the data as JSON with sorted keys. */
export const revisionData = (r: Pick<ControllerRevision, 'data'>): string => stableStringify(r.data ?? null);

/** HashControllerRevision: FNV-1 of the data, then of the collision count's decimal digits. */
export function hashControllerRevision(r: Pick<ControllerRevision, 'data'>, collisionCount?: number): string {
  let h = fnv32(new TextEncoder().encode(revisionData(r)));
  if (collisionCount !== undefined) h = fnv32(new TextEncoder().encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_PREFIX_LENGTH)}-${hash}`;
}

/** NewControllerRevision: owned by parent, labelled with the template's labels and the hash. */
export function newControllerRevision(
  parent: KubeObject,
  parentKind: string,
  templateLabels: Record<string, string> | undefined,
  data: Record<string, unknown>,
  revision: number,
  collisionCount?: number,
): Revision {
  const cr: Revision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: '', namespace: parent.metadata.namespace, labels: { ...(templateLabels ?? {}) }, ownerReferences: [newControllerRef(parent, 'apps/v1', parentKind)] },
    data,
    revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata.name = controllerRevisionName(parent.metadata.name, hash);
  cr.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = hash;
  return cr;
}

/** SortControllerRevisions: by revision number, then creation, then name. */
export function sortRevisions<R extends Revision>(revisions: R[]): R[] {
  const created = (r: R) => (r.metadata.creationTimestamp ? Date.parse(r.metadata.creationTimestamp) : 0);
  return [...revisions].sort((a, b) => a.revision - b.revision || created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** EqualRevision: the same recorded data (the hash labels, when both have one, must agree too). */
export function equalRevision(a: Revision | undefined, b: Revision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha && hb && ha !== hb) return false;
  return revisionData(a) === revisionData(b);
}

export const findEqualRevisions = <R extends Revision>(revisions: R[], needle: Revision): R[] => revisions.filter((r) => equalRevision(r, needle));

/** nextRevision: one more than the highest revision number in the (sorted) history. */
export const nextRevision = (sorted: Revision[]): number => (sorted.length === 0 ? 1 : sorted[sorted.length - 1]!.revision + 1);

/**
 * CreateControllerRevision: creates the revision under the name its hash gives. If that name is
 * taken by a revision with the same data, that one is the answer; by different data (a hash
 * collision), the collision count goes up and the name is computed again.
 */
export async function createControllerRevision(
  client: ResourceClient<Revision>,
  parent: KubeObject,
  revision: Revision,
  collisionCount: { value: number },
): Promise<Revision> {
  for (;;) {
    const clone = structuredClone(revision);
    const hash = hashControllerRevision(revision, collisionCount.value);
    clone.metadata.name = controllerRevisionName(parent.metadata.name, hash);
    clone.metadata.labels = { ...clone.metadata.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash };
    try {
      return await client.create(clone);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get(clone.metadata.name);
      if (revisionData(existing) === revisionData(clone)) return existing;
      collisionCount.value++;
    }
  }
}
