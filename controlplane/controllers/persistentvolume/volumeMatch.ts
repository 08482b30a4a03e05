// Which PersistentVolume fits a claim (upstream: pkg/controller/volume/persistentvolume/index.go
// findMatchingVolume and util.CheckVolumeSatisfyClaim), and how the binder names its annotations.
import { matchesLabels, selectorRequirements } from '../../api/selectors.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { KubeObject } from '../../client/types.ts';

/** Set on a claim once the binder has finished binding it. */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** Set on a PV (claimRef) or claim (volumeName) when the binder, not the user, wrote the link. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_YES = 'yes';

export function storageClassOf(o: KubeObject): string {
  return o.spec?.storageClassName ?? '';
}

export function volumeModeOf(o: KubeObject): string {
  return o.spec?.volumeMode ?? 'Filesystem';
}

export function requestedBytes(claim: KubeObject): number {
  return parseQuantity(claim.spec?.resources?.requests?.storage) ?? 0;
}

export function capacityBytes(pv: KubeObject): number {
  return parseQuantity(pv.spec?.capacity?.storage) ?? 0;
}

/** True when the PV's claimRef names this claim (by namespace/name, and uid when the ref has one). */
export function claimRefMatches(pv: KubeObject, claim: KubeObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.namespace !== claim.metadata.namespace || ref.name !== claim.metadata.name) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/**
 * Why the PV cannot serve the claim, or undefined when it can: storage class, volume mode, access
 * modes (the PV must offer every mode the claim asks for), size and the claim's label selector.
 */
export function mismatch(pv: KubeObject, claim: KubeObject): string | undefined {
  if (storageClassOf(pv) !== storageClassOf(claim)) return `storageClassName does not match`;
  if (volumeModeOf(pv) !== volumeModeOf(claim)) return `volumeMode does not match`;
  const offered = new Set<string>(pv.spec?.accessModes ?? []);
  const missing = (claim.spec?.accessModes ?? []).filter((m: string) => !offered.has(m));
  if (missing.length) return `access modes ${missing.join(', ')} not offered`;
  if (capacityBytes(pv) < requestedBytes(claim)) return `requested PV is too small`;
  if (claim.spec?.selector) {
    const reqs = selectorRequirements(claim.spec.selector);
    if (!matchesLabels(reqs, pv.metadata.labels)) return `labels do not match the claim's selector`;
  }
  return undefined;
}

/** A PV the binder may hand out: not being deleted, not bound to anyone, not Released or Failed. */
function isAvailable(pv: KubeObject): boolean {
  if (pv.metadata.deletionTimestamp) return false;
  const phase = pv.status?.phase;
  return phase === undefined || phase === 'Pending' || phase === 'Available';
}

/**
 * findMatchingVolume for an unbound claim without spec.volumeName: a PV pre-bound to this claim
 * (claimRef set by the user) wins if it fits; otherwise the smallest free PV that fits, ties broken
 * by name. PVs pre-bound to other claims are never chosen.
 */
export function findBestVolume(pvs: KubeObject[], claim: KubeObject): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const pv of pvs) {
    if (pv.metadata.deletionTimestamp || mismatch(pv, claim)) continue;
    if (pv.spec?.claimRef) {
      if (claimRefMatches(pv, claim) && pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') return pv;
      continue;
    }
    if (!isAvailable(pv)) continue;
    if (!best) best = pv;
    else {
      const d = capacityBytes(pv) - capacityBytes(best);
      if (d < 0 || (d === 0 && pv.metadata.name < best.metadata.name)) best = pv;
    }
  }
  return best;
}

export type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

/**
 * syncVolume's view of a PV with a claimRef, given the claim the ref names (or undefined when it is
 * gone or has another uid): 'available' — pre-bound by a user to a claim not yet created/bound;
 * 'bound' — the claim points back; 'binding' — the claim does not point anywhere yet (its sync
 * finishes the job); 'misbound' — the claim is bound to another PV; 'released' — the claim is gone.
 */
export function claimRefState(pv: KubeObject, claim: KubeObject | undefined): 'available' | 'bound' | 'binding' | 'misbound' | 'released' {
  const ref = pv.spec?.claimRef;
  if (!ref?.uid) return 'available';
  if (!claim || claim.metadata.uid !== ref.uid) return 'released';
  const vn = claim.spec?.volumeName;
  if (!vn) return 'binding';
  return vn === pv.metadata.name ? 'bound' : 'misbound';
}
