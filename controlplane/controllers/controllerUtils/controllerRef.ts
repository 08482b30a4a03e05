// Controller references (pkg/controller/controller_ref_manager.go): an object has at most one
// ownerReference with controller: true. Controllers adopt orphans that match their selector and
// release objects they own that no longer match, each through a patch of the child's
// ownerReferences that names the child's uid, so a recreated child of the same name is never hit.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject, Lister, OwnerReference, ResourceClient } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import { selectorReqs, selects } from './selector.ts';

export function getControllerOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * resolveControllerRef: the owner a controller reference points at, if the cache holds one of
 * that kind and name with the same uid (a recreated owner of the same name is not it).
 */
export function resolveControllerRef<T extends KubeObject>(lister: Lister<T>, kind: string, namespace: string | undefined, ref: OwnerReference | undefined): T | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = lister.get(namespace, ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/**
 * The owners in obj's namespace whose selector matches obj's labels — the ones that could adopt it
 * (getPodReplicaSets, getPodDaemonSets, ...). An empty selector selects nothing.
 */
export function ownersSelecting<T extends KubeObject & { spec?: { selector?: LabelSelector } }>(lister: Lister<T>, obj: Pick<KubeObject, 'metadata'>): T[] {
  return lister.list(obj.metadata.namespace).filter((owner) => selects(selectorReqs(owner.spec?.selector), obj.metadata.labels));
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion both true. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export type ClaimDecision = 'keep' | 'ignore' | 'adopt' | 'release';

/**
 * ClaimObject's decision, pure: what the controller `owner` should do with `obj`.
 * - owned by another controller → ignore
 * - owned by us and matching → keep; not matching → release (unless we are being deleted)
 * - orphan matching (neither side being deleted, same namespace) → adopt
 */
export function claimDecision(owner: KubeObject, obj: KubeObject, matches: boolean): ClaimDecision {
  const ref = getControllerOf(obj);
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    if (matches) return 'keep';
    return owner.metadata.deletionTimestamp ? 'ignore' : 'release';
  }
  if (owner.metadata.deletionTimestamp || !matches) return 'ignore';
  if (obj.metadata.deletionTimestamp) return 'ignore';
  if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) return 'ignore';
  return 'adopt';
}

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  /** The children's client, in the owner's namespace. */
  children: ResourceClient<T>;
  matches: (obj: T) => boolean;
  /**
   * Before the first adoption, a fresh read of the owner: it must still exist with the same uid and
   * not be being deleted (upstream's RecheckDeletionTimestamp), or nothing is adopted.
   */
  canAdopt: () => Promise<boolean>;
}

/** Claims children (ClaimPods / ClaimReplicaSets): returns the ones the owner controls afterwards. */
export async function claimObjects<T extends KubeObject>(objs: T[], o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  let adoptable: boolean | undefined;
  const errors: unknown[] = [];
  for (const obj of objs) {
    const decision = claimDecision(o.owner, obj, o.matches(obj));
    try {
      if (decision === 'keep') claimed.push(obj);
      else if (decision === 'adopt') {
        adoptable ??= await o.canAdopt();
        if (!adoptable) continue;
        const ref = newControllerRef(o.owner, o.ownerApiVersion, o.ownerKind);
        const patch = { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
        claimed.push(await o.children.patch(obj.metadata.name, 'strategic', patch));
      } else if (decision === 'release') {
        const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: o.owner.metadata.uid }], uid: obj.metadata.uid } };
        await o.children.patch(obj.metadata.name, 'strategic', patch);
      }
    } catch (e) {
      // Gone, or replaced by another object of the same name (the uid in the patch no longer matches).
      if (isNotFound(e) || (e as { code?: number }).code === 422 || (e as { code?: number }).code === 409) continue;
      errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** A canAdopt that re-reads the owner through its client (RecheckDeletionTimestamp). */
export function recheckOwner(get: () => Promise<KubeObject>, uid: string | undefined): () => Promise<boolean> {
  return async () => {
    try {
      const fresh = await get();
      return fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  };
}
