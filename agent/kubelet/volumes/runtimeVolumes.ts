// The volume manager behind the runtime manager's VolumeManager contract
// (agent/kubelet/runtime/types.ts): syncPod asks for a pod's volumes with the lookup it already
// has for Secrets and ConfigMaps; claims and volumes come from the lookup given here.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { VolumeSetupError, type MountedVolume, type ObjectLookup, type VolumeManager as RuntimeVolumeContract } from '../runtime/types.ts';
import type { HostVolume } from './containerMounts.ts';
import type { ClaimLookup } from './persistentClaimVolume.ts';
import type { VolumeManager } from './volumeManager.ts';

export class RuntimeVolumes implements RuntimeVolumeContract {
  constructor(
    readonly manager: VolumeManager,
    private readonly claims: ClaimLookup,
  ) {}

  /** Throws VolumeSetupError with the FailedMount message; the runtime records the event. */
  async mountPodVolumes(pod: Pod, lookup: ObjectLookup): Promise<Map<string, MountedVolume>> {
    const result = await this.manager.setUpPodVolumes(pod, {
      configMap: (ns, name) => lookup.getConfigMap(ns, name),
      secret: (ns, name) => lookup.getSecret(ns, name),
      pvc: (ns, name) => this.claims.pvc(ns, name),
      pv: (name) => this.claims.pv(name),
    });
    if (!result.ok) throw new VolumeSetupError(result.message);
    return result.mounts satisfies Map<string, HostVolume>;
  }

  async unmountPodVolumes(podUid: string): Promise<void> {
    await this.manager.tearDownPodVolumes(podUid);
  }
}
