// The StatefulSet's hands (pkg/controller/statefulset/stateful_pod_control.go): create a pod's
// claims before the pod, fix a pod's identity, delete a pod — each recorded as an event on the set
// in upstream's words ("create Pod web-0 in StatefulSet web successful").
import type { Logger } from 'pino';
import type { EventRecorder, Lister, ResourceClient } from '../../client/types.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/types.ts';
import { withKind } from '../controllerUtils/keys.ts';
import { errorText } from '../controllerUtils/runController.ts';
import { claimsFor, identityMatches, ordinalOf, storageMatches, updateIdentity, updateStorage, type PodObj, type PVC, type STS } from './statefulSetUtils.ts';

/** Upstream's maxUpdateRetries for a pod whose identity is being fixed. */
const MAX_UPDATE_RETRIES = 10;

export interface StatefulPodControlDeps {
  pods: (namespace: string) => ResourceClient<PodObj>;
  claims: (namespace: string) => ResourceClient<PVC>;
  claimLister: Lister<PVC>;
  recorder: EventRecorder;
  log: Logger;
}

const title = (verb: string) => verb[0]!.toUpperCase() + verb.slice(1);

export class StatefulPodControl {
  constructor(private readonly d: StatefulPodControlDeps) {}

  private podEvent(verb: string, set: STS, pod: PodObj, err?: unknown): void {
    const obj = withKind(set, 'apps/v1', 'StatefulSet');
    if (err === undefined) this.d.recorder.event(obj, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.d.recorder.event(obj, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
  }

  private claimEvent(set: STS, pod: PodObj, claim: PVC, err?: unknown): void {
    const obj = withKind(set, 'apps/v1', 'StatefulSet');
    if (err === undefined) this.d.recorder.event(obj, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else this.d.recorder.event(obj, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
  }

  /**
   * createPersistentVolumeClaims: every claim the pod needs exists afterwards. A claim being
   * deleted cannot be used: the pod waits until it is gone and made again.
   */
  async createMissingClaims(set: STS, pod: PodObj): Promise<void> {
    const errors: Error[] = [];
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.d.claimLister.get(claim.metadata.namespace, claim.metadata.name);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(new Error(`pvc ${claim.metadata.name} is being deleted`));
        continue;
      }
      try {
        await this.d.claims(set.metadata.namespace!).create(claim);
        this.claimEvent(set, pod, claim);
      } catch (e) {
        if (isAlreadyExists(e)) continue; // the cache was behind: it exists
        this.claimEvent(set, pod, claim, e);
        errors.push(new Error(`failed to create PVC ${claim.metadata.name}: ${errorText(e)}`));
      }
    }
    if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
  }

  /** CreateStatefulPod: claims first, then the pod. */
  async createPod(set: STS, pod: PodObj): Promise<void> {
    try {
      await this.createMissingClaims(set, pod);
    } catch (e) {
      this.podEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.d.pods(set.metadata.namespace!).create(pod);
      this.podEvent('create', set, pod);
    } catch (e) {
      // A pod of that name still exists (the cache was behind): no event, the next sync sees it.
      if (!isAlreadyExists(e)) this.podEvent('create', set, pod, e);
      throw e;
    }
  }

  /** UpdateStatefulPod: rewrite identity labels and claim volumes, retrying conflicts from a fresh read. */
  async updatePod(set: STS, cached: PodObj): Promise<void> {
    const client = this.d.pods(set.metadata.namespace!);
    let pod = structuredClone(cached);
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      let consistent = true;
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        consistent = false;
      }
      if (!storageMatches(set, pod)) {
        updateStorage(set, pod);
        consistent = false;
        await this.createMissingClaims(set, pod);
      }
      if (consistent) return;
      try {
        await client.update(pod);
        this.podEvent('update', set, pod);
        return;
      } catch (e) {
        if (!isConflict(e)) {
          this.podEvent('update', set, pod, e);
          throw e;
        }
      }
      pod = await client.get(pod.metadata.name);
    }
    const err = new Error(`too many conflicts updating pod ${cached.metadata.name}`);
    this.podEvent('update', set, cached, err);
    throw err;
  }

  /** DeleteStatefulPod: the pod only; its claims stay (Retain). Gone already counts as done. */
  async deletePod(set: STS, pod: PodObj): Promise<void> {
    try {
      await this.d.pods(set.metadata.namespace!).delete(pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
      this.podEvent('delete', set, pod);
    } catch (e) {
      if (isNotFound(e)) return;
      this.podEvent('delete', set, pod, e);
      throw e;
    }
  }
}
