// The garbage collector's decisions (upstream: pkg/controller/garbagecollector/garbagecollector.go
// attemptToDeleteItem, classifyReferences, processDeletingDependentsItem, orphanDependents), pure:
// the controller looks the owners up and carries the decision out.
import type { KubeObject, OwnerReference } from '../../client/types.ts';

export const FINALIZER_FOREGROUND = 'foregroundDeletion';
export const FINALIZER_ORPHAN = 'orphan';

/**
 * What an owner reference points at:
 * - absent: no object with that name and uid (gone, or replaced by a new one of the same name);
 * - deletingDependents: present, being deleted in the foreground (waits for its dependents);
 * - present: there, and not waiting for its dependents;
 * - unresolvable: a kind this API does not serve, or a namespaced owner of a cluster-scoped
 *   object; never acted on (upstream retries such items forever).
 */
export type OwnerState = 'absent' | 'present' | 'deletingDependents' | 'unresolvable';

export function ownerStateOf(owner: KubeObject | undefined, ref: OwnerReference): OwnerState {
  if (!owner || owner.metadata.uid !== ref.uid) return 'absent';
  if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND)) return 'deletingDependents';
  return 'present';
}

export interface ClassifiedRefs {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waitingForDependentsDeletion: OwnerReference[];
  unresolvable: OwnerReference[];
}

export function classifyReferences(refs: OwnerReference[], states: OwnerState[]): ClassifiedRefs {
  const out: ClassifiedRefs = { solid: [], dangling: [], waitingForDependentsDeletion: [], unresolvable: [] };
  refs.forEach((ref, i) => {
    const s = states[i];
    if (s === 'absent') out.dangling.push(ref);
    else if (s === 'deletingDependents') out.waitingForDependentsDeletion.push(ref);
    else if (s === 'unresolvable') out.unresolvable.push(ref);
    else out.solid.push(ref);
  });
  return out;
}

export type ItemAction =
  | { kind: 'none' }
  /** The owner is being deleted with `orphan`: strip dependents' references to it, then the finalizer. */
  | { kind: 'orphanDependents' }
  /** The owner is being deleted in the foreground: delete dependents, drop the finalizer when none block. */
  | { kind: 'processDeletingDependents' }
  /** Some owners are still there: only drop the references to the ones that are gone or going. */
  | { kind: 'removeOwnerReferences'; uids: string[] }
  | { kind: 'delete'; propagationPolicy: 'Background' | 'Foreground' | 'Orphan' };

/** attemptToDeleteItem's decision for one object given its classified owner references. */
export function decideItemAction(item: KubeObject, refs: ClassifiedRefs, hasDependents: boolean): ItemAction {
  const md = item.metadata;
  const finalizers = md.finalizers ?? [];
  if (md.deletionTimestamp) {
    if (finalizers.includes(FINALIZER_ORPHAN)) return { kind: 'orphanDependents' };
    if (finalizers.includes(FINALIZER_FOREGROUND)) return { kind: 'processDeletingDependents' };
    return { kind: 'none' }; // already going away
  }
  if (refs.unresolvable.length > 0) return { kind: 'none' };
  if (refs.solid.length > 0) {
    const gone = [...refs.dangling, ...refs.waitingForDependentsDeletion];
    return gone.length ? { kind: 'removeOwnerReferences', uids: gone.map((r) => r.uid) } : { kind: 'none' };
  }
  if (refs.dangling.length === 0 && refs.waitingForDependentsDeletion.length === 0) return { kind: 'none' }; // no owners at all
  // Every owner is gone or waiting for us. An owner waits: go in the foreground too, so our own
  // dependents are removed before we are and the wait propagates down the chain.
  if (refs.waitingForDependentsDeletion.length > 0 && hasDependents) return { kind: 'delete', propagationPolicy: 'Foreground' };
  // Otherwise honour what the object itself asks for.
  if (finalizers.includes(FINALIZER_ORPHAN)) return { kind: 'delete', propagationPolicy: 'Orphan' };
  if (finalizers.includes(FINALIZER_FOREGROUND)) return { kind: 'delete', propagationPolicy: 'Foreground' };
  return { kind: 'delete', propagationPolicy: 'Background' };
}

/** Dependents that keep a foreground-deleted owner: references to it with blockOwnerDeletion. */
export function blockingDependents(ownerUid: string, dependents: KubeObject[]): KubeObject[] {
  return dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true));
}

/** The object's owner references without the given uids. */
export function ownerReferencesWithout(obj: KubeObject, uids: string[]): OwnerReference[] {
  return (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
}

export function finalizersWithout(obj: KubeObject, finalizer: string): string[] {
  return (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
}
