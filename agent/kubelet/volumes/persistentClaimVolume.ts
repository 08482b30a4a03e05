// persistentVolumeClaim volumes: the claim leads to its bound PV (upstream
// pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go createVolumeSpec), and
// the PV's source to a path on this node — `spec.local.path` (pkg/volume/local) or
// `spec.hostPath.path` (pkg/volume/hostpath). Containers bind-mount that path directly; upstream's
// local plugin first bind-mounts it into the pod directory, which adds nothing on one node.
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod } from 'kubernetes-types/core/v1.js';
import { observePath, setUpHostPath } from './hostPathVolume.ts';

export interface ClaimLookup {
  pvc(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  pv(name: string): Promise<PersistentVolume | undefined>;
}

export type ClaimResolution =
  | { ok: true; pv: PersistentVolume; readOnly: boolean }
  | { ok: false; message: string };

/** upstream getPVCExtractPV + getPVSpec, with their messages under "error processing PVC ns/name: ". */
export async function resolveClaim(pod: Pod, source: PersistentVolumeClaimVolumeSource, lookup: ClaimLookup, mountedByContainers: boolean): Promise<ClaimResolution> {
  const ns = pod.metadata?.namespace ?? 'default';
  const claimName = source.claimName;
  const fail = (why: string): ClaimResolution => ({ ok: false, message: `error processing PVC ${ns}/${claimName}: ${why}` });
  let pvc: PersistentVolumeClaim | undefined;
  let pv: PersistentVolume | undefined;
  try {
    pvc = await lookup.pvc(ns, claimName);
  } catch (err) {
    return fail(`failed to fetch PVC from API server: ${(err as Error).message}`);
  }
  if (!pvc) return fail(`failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
  if (pvc.metadata?.deletionTimestamp) return fail('PVC is being deleted');
  if (pvc.status?.phase !== 'Bound') return fail('PVC is not bound');
  const pvName = pvc.spec?.volumeName ?? '';
  if (!pvName) return fail('PVC has empty pvc.Spec.VolumeName');
  try {
    pv = await lookup.pv(pvName);
  } catch (err) {
    return fail(`failed to fetch PV ${pvName} from API server: ${(err as Error).message}`);
  }
  if (!pv) return fail(`failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
  const ref = pv.spec?.claimRef;
  if (!ref) return fail(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (ref.uid !== pvc.metadata?.uid) {
    return fail(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID ${ref.uid ?? ''} does not point to claim.UID ${pvc.metadata?.uid ?? ''}`);
  }
  const volumeMode = pv.spec?.volumeMode ?? 'Filesystem';
  if (mountedByContainers && volumeMode !== 'Filesystem') {
    return { ok: false, message: `volume ${pvName} has volumeMode ${volumeMode}, but is specified in volumeMounts` };
  }
  return { ok: true, pv, readOnly: source.readOnly === true };
}

export type PersistentVolumePath = { ok: true; hostPath: string } | { ok: false; message: string };

/** The node path of a bound PV, checked as upstream's local and hostPath plugins check it. */
export function persistentVolumePath(pv: PersistentVolume): PersistentVolumePath {
  const name = pv.metadata?.name ?? '';
  const newMounterFailed = (why: string): PersistentVolumePath => ({ ok: false, message: `MountVolume.NewMounter initialization failed for volume "${name}" : ${why}` });
  const local = pv.spec?.local;
  if (local) {
    // upstream localVolumePlugin.getGlobalLocalPath via hostutil.GetFileType.
    if (!local.path) return newMounterFailed('local volume source is nil or local path is not set');
    const seen = observePath(local.path);
    if (!seen.exists) return newMounterFailed(`path "${local.path}" does not exist`);
    if (seen.type === 'Directory') return { ok: true, hostPath: local.path };
    // A raw block device must be formatted and mounted first (upstream's local plugin does it): not here.
    if (seen.type === 'BlockDevice') return newMounterFailed(`local block device volumes are not supported on this node: ${local.path}`);
    return newMounterFailed('only directory and block device are supported');
  }
  const hostPath = pv.spec?.hostPath;
  if (hostPath) {
    const error = setUpHostPath(hostPath);
    if (error) return { ok: false, message: `MountVolume.SetUp failed for volume "${name}" : ${error}` };
    return { ok: true, hostPath: hostPath.path };
  }
  return newMounterFailed('no volume plugin matched');
}

