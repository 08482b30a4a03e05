// The PersistentVolume binder (upstream: pkg/controller/volume/persistentvolume/pv_controller.go,
// syncClaim / syncVolume / bind). Static binding only: a claim gets the smallest Available PV of
// its storage class that offers its access modes and size (or the PV it names in
// spec.volumeName); the PV's claimRef and the claim's volumeName point at each other, both get
// phase Bound. A PV whose claim is gone is Released, then kept (Retain) or deleted (Delete).
// StorageClass objects are not served here, so there is no provisioning and no
// WaitForFirstConsumer: every claim binds at once.
//
// One queue with two kinds of keys, "claim/<namespace>/<name>" and "volume/<name>".
import { findResource } from '../../api/resources.ts';
import type { Informer, KubeObject, WorkQueue } from '../../client/types.ts';
import { isConflict, isNotFound } from '../../client/types.ts';
import { createWorkQueue } from '../../client/workqueue.ts';
import type { ControllerDeps } from '../controllerUtils/controllerDeps.ts';
import { runController } from '../controllerUtils/runController.ts';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_YES, claimRefMatches, claimRefState, findBestVolume, mismatch, storageClassOf } from './volumeMatch.ts';

/** kube-controller-manager --pvclaimbinder-sync-period: every claim and volume is looked at again. */
export const DEFAULT_RESYNC_MS = 15_000;

export type PersistentVolumeControllerDeps = ControllerDeps & {
  queue?: WorkQueue<string>;
  resyncMs?: number;
};

export interface PersistentVolumeController {
  run(workers: number, signal: AbortSignal): Promise<void>;
  sync(key: string): Promise<void>;
}

export function newPersistentVolumeController(deps: PersistentVolumeControllerDeps): PersistentVolumeController {
  const { client, informers, recorder } = deps;
  const log = deps.log.child({ controller: 'persistentvolume-binder' });
  const queue = deps.queue ?? createWorkQueue();
  const pvResource = findResource('', 'v1', 'persistentvolumes')!;
  const pvcResource = findResource('', 'v1', 'persistentvolumeclaims')!;
  const volumes: Informer<KubeObject> = informers.informerFor(pvResource);
  const claims: Informer<KubeObject> = informers.informerFor(pvcResource);
  const pvClient = client.resource(pvResource);
  const pvcClient = (ns: string) => client.resource(pvcResource, ns);

  const claimKey = (c: KubeObject) => `claim/${c.metadata.namespace}/${c.metadata.name}`;
  const volumeKey = (v: KubeObject) => `volume/${v.metadata.name}`;
  const enqueueClaim = (c: KubeObject) => queue.add(claimKey(c));
  const enqueueVolume = (v: KubeObject) => queue.add(volumeKey(v));

  volumes.addEventHandler({
    onAdd: (v) => {
      enqueueVolume(v);
      // A new PV may be what a pending claim waits for.
      for (const c of claims.lister.list()) if (!c.spec?.volumeName) enqueueClaim(c);
    },
    onUpdate: (_o, v) => enqueueVolume(v),
    onDelete: (v) => {
      const ref = v.spec?.claimRef;
      if (ref?.namespace && ref.name) queue.add(`claim/${ref.namespace}/${ref.name}`);
    },
  });
  claims.addEventHandler({
    onAdd: enqueueClaim,
    onUpdate: (_o, c) => enqueueClaim(c),
    onDelete: (c) => {
      if (c.spec?.volumeName) queue.add(`volume/${c.spec.volumeName}`);
      for (const v of volumes.lister.list()) if (v.spec?.claimRef?.uid === c.metadata.uid) enqueueVolume(v);
    },
  });

  // --- writes, each one step of the binding; a conflict is retried from fresh caches ---

  async function setVolumePhase(pv: KubeObject, phase: string, message?: string): Promise<KubeObject> {
    if (pv.status?.phase === phase) return pv;
    const copy = structuredClone(pv);
    copy.status = { ...(copy.status ?? {}), phase, ...(message ? { message } : {}) };
    if (!message) delete copy.status.message;
    const out = await pvClient.updateStatus(copy);
    log.info({ volume: pv.metadata.name, phase }, 'volume phase changed');
    return out;
  }

  async function setClaimPhase(claim: KubeObject, phase: string): Promise<void> {
    if (claim.status?.phase === phase) return;
    const copy = structuredClone(claim);
    copy.status = { ...(copy.status ?? {}), phase };
    await pvcClient(claim.metadata.namespace!).updateStatus(copy);
  }

  /** bind(): PV → claimRef, PV → Bound, claim → volumeName, claim → Bound with capacity and modes. */
  async function bind(pv: KubeObject, claim: KubeObject): Promise<void> {
    const ns = claim.metadata.namespace!;
    // Step 1: the PV points at the claim.
    if (pv.spec?.claimRef?.uid !== claim.metadata.uid) {
      const copy = structuredClone(pv);
      const byController = !claimRefMatches(pv, claim); // a user's pre-binding stays the user's
      copy.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: ns, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
      if (byController) copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: ANN_YES };
      pv = await pvClient.update(copy);
    }
    // Step 2: the PV is Bound.
    pv = await setVolumePhase(pv, 'Bound');
    // Step 3: the claim points at the PV.
    const ann = claim.metadata.annotations ?? {};
    if (claim.spec?.volumeName !== pv.metadata.name || ann[ANN_BIND_COMPLETED] !== ANN_YES) {
      const copy = structuredClone(claim);
      const byController = !claim.spec?.volumeName;
      copy.spec.volumeName = pv.metadata.name;
      copy.metadata.annotations = { ...ann, [ANN_BIND_COMPLETED]: ANN_YES, ...(byController ? { [ANN_BOUND_BY_CONTROLLER]: ANN_YES } : {}) };
      claim = await pvcClient(ns).update(copy);
    }
    // Step 4: the claim is Bound, with what it got.
    const status = claim.status ?? {};
    if (status.phase !== 'Bound' || JSON.stringify(status.capacity) !== JSON.stringify(pv.spec?.capacity) || JSON.stringify(status.accessModes) !== JSON.stringify(pv.spec?.accessModes)) {
      const copy = structuredClone(claim);
      copy.status = { ...status, phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity };
      await pvcClient(ns).updateStatus(copy);
      log.info({ claim: `${ns}/${claim.metadata.name}`, volume: pv.metadata.name }, 'bound claim to volume');
    }
  }

  // --- syncClaim ---

  async function syncClaim(ns: string, name: string): Promise<void> {
    const claim = claims.lister.get(ns, name);
    if (!claim || claim.metadata.deletionTimestamp) return;
    const volumeName: string | undefined = claim.spec?.volumeName;
    if (!volumeName) {
      const pv = findBestVolume(volumes.lister.list(), claim);
      if (pv) return bind(pv, claim);
      const cls = storageClassOf(claim);
      if (cls) recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
      else recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return setClaimPhase(claim, 'Pending');
    }
    const pv = volumes.lister.get(undefined, volumeName);
    const completed = claim.metadata.annotations?.[ANN_BIND_COMPLETED] === ANN_YES;
    if (!pv) {
      if (completed) {
        recorder.event(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        return setClaimPhase(claim, 'Lost');
      }
      return setClaimPhase(claim, 'Pending'); // pre-bound to a PV that does not exist yet
    }
    const ref = pv.spec?.claimRef;
    if (!ref || claimRefMatches(pv, claim)) {
      // A user named this PV (or we are half-way through binding): it must fit.
      const why = mismatch(pv, claim);
      if (why && !ref?.uid) {
        recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        return setClaimPhase(claim, 'Pending');
      }
      return bind(pv, claim);
    }
    if (completed) {
      recorder.event(claim, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      return setClaimPhase(claim, 'Lost');
    }
    recorder.event(claim, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
    return setClaimPhase(claim, 'Pending');
  }

  // --- syncVolume ---

  async function liveClaim(ns: string, name: string): Promise<KubeObject | undefined> {
    const cached = claims.lister.get(ns, name);
    if (cached) return cached;
    try {
      return await pvcClient(ns).get(name); // the cache may not have a just-created claim yet
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async function syncVolume(name: string): Promise<void> {
    let pv = volumes.lister.get(undefined, name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      await setVolumePhase(pv, 'Available');
      return;
    }
    const claim = ref.uid ? await liveClaim(ref.namespace, ref.name) : undefined;
    switch (claimRefState(pv, claim)) {
      case 'available':
        await setVolumePhase(pv, 'Available');
        if (ref.namespace && ref.name) queue.add(`claim/${ref.namespace}/${ref.name}`);
        return;
      case 'bound':
        await setVolumePhase(pv, 'Bound');
        return;
      case 'binding':
        queue.add(claimKey(claim!)); // syncClaim finishes the job
        return;
      case 'misbound':
        if (pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === ANN_YES) {
          // We bound it, the claim went elsewhere: make the PV available again.
          const copy = structuredClone(pv);
          delete copy.spec.claimRef;
          delete copy.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER];
          pv = await pvClient.update(copy);
          await setVolumePhase(pv, 'Available');
        }
        return;
      case 'released': {
        pv = await setVolumePhase(pv, 'Released');
        const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
        if (policy === 'Delete') {
          try {
            await pvClient.delete(name, { preconditions: { uid: pv.metadata.uid } });
            log.info({ volume: name }, 'deleted released volume (reclaim policy Delete)');
          } catch (e) {
            if (!isNotFound(e) && !isConflict(e)) throw e;
          }
        } else if (policy === 'Recycle') {
          recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'Recycle is not supported; the volume is kept as Released');
        }
        return;
      }
    }
  }

  async function sync(key: string): Promise<void> {
    const parts = key.split('/');
    if (parts[0] === 'claim') return syncClaim(parts[1]!, parts.slice(2).join('/'));
    if (parts[0] === 'volume') return syncVolume(parts.slice(1).join('/'));
  }

  return {
    sync,
    async run(workers, signal) {
      const timer = setInterval(() => {
        for (const v of volumes.lister.list()) enqueueVolume(v);
        for (const c of claims.lister.list()) enqueueClaim(c);
      }, deps.resyncMs ?? DEFAULT_RESYNC_MS);
      try {
        await runController({ name: 'persistentvolume-binder', queue, log, informers: [volumes, claims], sync }, workers, signal);
      } finally {
        clearInterval(timer);
      }
    },
  };
}
