// secret volumes (upstream pkg/volume/secret/secret.go): like configMap volumes, but the files
// live on a tmpfs (the wrapped emptyDir has medium Memory) so secret bytes never reach the disk.
import type { Pod, Secret, SecretVolumeSource } from 'kubernetes-types/core/v1.js';
import { atomicWrite } from './atomicWriter.ts';
import { setUpDir, setUpTmpfs, tmpfsSizeBytes } from './emptyDirVolume.ts';
import { secretPayload } from './payload.ts';

export type GetSecret = (namespace: string, name: string) => Promise<Secret | undefined>;

export interface SecretVolumeOptions {
  nodeAllocatableMemory?: number;
  /** false where tmpfs cannot be mounted: the files go to a plain directory instead. */
  useTmpfs: boolean;
}

/** Sets up or refreshes the volume at `dir`; returns an error message or undefined. */
export async function setUpSecretVolume(dir: string, source: SecretVolumeSource, pod: Pod, getSecret: GetSecret, opts: SecretVolumeOptions): Promise<string | undefined> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = source.secretName ?? '';
  const optional = source.optional === true;
  let secret: Secret | undefined;
  try {
    secret = await getSecret(namespace, name);
  } catch (err) {
    return (err as Error).message;
  }
  if (!secret) {
    if (!optional) return `secret "${name}" not found`;
    secret = { metadata: { name, namespace } };
  }
  try {
    const payload = secretPayload(secret, source.items, source.defaultMode, optional);
    if (opts.useTmpfs) await setUpTmpfs(dir, tmpfsSizeBytes(pod, {}, opts.nodeAllocatableMemory));
    else setUpDir(dir);
    atomicWrite(dir, payload);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}
