// VolumeBinding (plugins/volumebinding, and its binder.go FindPodVolumes): a pod's claims decide
// where it can run. A claim bound to a PersistentVolume pins the pod to the nodes the PV's
// nodeAffinity allows (local volumes: kubernetes.io/hostname In [worker-0]). A claim not yet
// bound needs an Available PV that would satisfy it (storageClassName, accessModes, volumeMode,
// capacity, selector) and that the node can reach.
//
// k8ts has no StorageClass resource, so every unbound claim is treated like upstream's
// WaitForFirstConsumer claims are: matched against existing PVs on each node. The PV controller
// does the binding itself; the scheduler does not pre-bind.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels, selectorRequirements } from '../../api/selectors.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { StateKey, type CycleState } from '../framework/cycleState.ts';
import type { ClusterView, FilterPlugin, PreFilterPlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { SKIP, SUCCESS, unresolvable, type Status } from '../framework/status.ts';
import { matchesAnyTerm } from './helper/nodeSelector.ts';

export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

interface PodVolumes {
  /** Bound claims: the PV each one names (undefined when that PV does not exist). */
  boundPVs: (PersistentVolume | undefined)[];
  unbound: PersistentVolumeClaim[];
  candidatePVs: PersistentVolume[];
}

const podVolumesKey = new StateKey<PodVolumes>('VolumeBinding/preFilter');

export function pvReachableFrom(pv: PersistentVolume, node: NodeInfo): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  return !terms || matchesAnyTerm(terms, node.node);
}

/** pkg/controller/volume/persistentvolume/util: would this PV satisfy this claim? */
export function pvMatchesClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref && (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace)) return false;
  if (!ref && pv.status?.phase && pv.status.phase !== 'Available') return false;
  if (pv.metadata?.deletionTimestamp) return false;
  if ((pv.spec?.storageClassName ?? '') !== (claim.spec?.storageClassName ?? '')) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  const pvModes = pv.spec?.accessModes ?? [];
  if (!(claim.spec?.accessModes ?? []).every((m) => pvModes.includes(m))) return false;
  const want = parseQuantity(claim.spec?.resources?.requests?.['storage']) ?? 0;
  const have = parseQuantity(pv.spec?.capacity?.['storage']) ?? 0;
  if (have < want) return false;
  if (claim.spec?.selector && !matchesLabels(selectorRequirements(claim.spec.selector as never), pv.metadata?.labels)) return false;
  return true;
}

/** Gives each unbound claim its own PV (smallest first, as upstream's findMatchingVolume) among those the node reaches. */
export function findPVsForClaims(claims: PersistentVolumeClaim[], pvs: PersistentVolume[], node: NodeInfo): boolean {
  const taken = new Set<string>();
  const bySize = [...pvs].sort((a, b) => (parseQuantity(a.spec?.capacity?.['storage']) ?? 0) - (parseQuantity(b.spec?.capacity?.['storage']) ?? 0));
  for (const claim of claims) {
    const pv = bySize.find((p) => !taken.has(p.metadata?.name ?? '') && pvMatchesClaim(p, claim) && pvReachableFrom(p, node));
    if (!pv) return false;
    taken.add(pv.metadata?.name ?? '');
  }
  return true;
}

export function volumeBinding(view: ClusterView) {
  return {
    name: 'VolumeBinding',

    preFilter(state: CycleState, pod: Pod) {
      const ns = pod.metadata?.namespace ?? 'default';
      const claims = (pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim!.claimName);
      if (claims.length === 0) return { status: SKIP };
      const result: PodVolumes = { boundPVs: [], unbound: [], candidatePVs: [] };
      for (const name of claims) {
        const pvc = view.pvc(ns, name);
        if (!pvc) return { status: unresolvable(`persistentvolumeclaim "${name}" not found`) };
        if (pvc.metadata?.deletionTimestamp) return { status: unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
        if (pvc.spec?.volumeName) result.boundPVs.push(view.pv(pvc.spec.volumeName));
        else result.unbound.push(pvc);
      }
      if (result.unbound.length > 0) result.candidatePVs = view.pvs().filter((pv) => result.unbound.some((c) => pvMatchesClaim(pv, c)));
      state.write(podVolumesKey, result);
      return { status: SUCCESS };
    },

    filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
      const vols = state.read(podVolumesKey);
      if (!vols) return SUCCESS;
      const reasons: string[] = [];
      if (vols.boundPVs.some((pv) => pv === undefined)) return unresolvable(ERR_REASON_PV_NOT_EXIST);
      if (vols.boundPVs.some((pv) => !pvReachableFrom(pv!, node))) reasons.push(ERR_REASON_NODE_CONFLICT);
      if (vols.unbound.length > 0 && !findPVsForClaims(vols.unbound, vols.candidatePVs, node)) reasons.push(ERR_REASON_BIND_CONFLICT);
      return reasons.length === 0 ? SUCCESS : unresolvable(...reasons);
    },
  } satisfies PreFilterPlugin & FilterPlugin;
}
