// configMap volumes (upstream pkg/volume/configmap/configmap.go): the ConfigMap's keys as files,
// written by the atomic writer into an emptyDir on disk. Run again on every pod sync, it rewrites
// the files only when the ConfigMap changed — that is how a mounted ConfigMap updates in place.
import type { ConfigMap, ConfigMapVolumeSource, Pod } from 'kubernetes-types/core/v1.js';
import { atomicWrite } from './atomicWriter.ts';
import { setUpDir } from './emptyDirVolume.ts';
import { configMapPayload } from './payload.ts';

export type GetConfigMap = (namespace: string, name: string) => Promise<ConfigMap | undefined>;

/** Sets up or refreshes the volume at `dir`; returns an error message or undefined. */
export async function setUpConfigMapVolume(dir: string, source: ConfigMapVolumeSource, pod: Pod, getConfigMap: GetConfigMap): Promise<string | undefined> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = source.name ?? '';
  const optional = source.optional === true;
  let cm: ConfigMap | undefined;
  try {
    cm = await getConfigMap(namespace, name);
  } catch (err) {
    return (err as Error).message;
  }
  // upstream's configmap manager: NotFound for resource "configmap"; optional → an empty volume.
  if (!cm) {
    if (!optional) return `configmap "${name}" not found`;
    cm = { metadata: { name, namespace } };
  }
  try {
    const payload = configMapPayload(cm, source.items, source.defaultMode, optional);
    setUpDir(dir);
    atomicWrite(dir, payload);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}
