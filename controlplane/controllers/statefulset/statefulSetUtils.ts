// A StatefulSet pod's identity and storage (pkg/controller/statefulset/stateful_set_utils.go):
// pod <set>-<ordinal>, hostname = pod name, subdomain = the governing Service, one PVC per
// volumeClaimTemplate named <template>-<set>-<ordinal>, and the revision label saying which
// version of the template made it. Pure functions: nothing here talks to the API server.
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/types.ts';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import { isPodAvailable, isPodReady } from '../controllerUtils/podUtils.ts';
import { POD_REVISION_LABEL, templateOf, type Revision } from './controllerHistory.ts';

export type STS = StatefulSet & KubeObject;
export type PodObj = Pod & KubeObject;
export type PVC = PersistentVolumeClaim & KubeObject;

/** apps.StatefulSetPodNameLabel */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel (PodIndexLabel feature, on by default since 1.28). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: "web-2" → web, 2; ordinal -1 when the name has no ordinal. */
export function parentAndOrdinal(pod: Pick<KubeObject, 'metadata'>): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(pod.metadata.name);
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1]!, ordinal } : { parent: '', ordinal: -1 };
}

export const ordinalOf = (pod: Pick<KubeObject, 'metadata'>): number => parentAndOrdinal(pod).ordinal;

/** isMemberOf: only pods named after the set can belong to it. */
export const isMemberOf = (set: STS, pod: Pick<KubeObject, 'metadata'>): boolean => parentAndOrdinal(pod).parent === set.metadata.name;

export const podName = (set: STS, ordinal: number): string => `${set.metadata.name}-${ordinal}`;

export const claimName = (set: STS, template: string, ordinal: number): string => `${template}-${set.metadata.name}-${ordinal}`;

export const specReplicas = (set: STS): number => set.spec?.replicas ?? 1;

/** spec.ordinals.start (StatefulSetStartOrdinal, GA in 1.31). */
export const startOrdinal = (set: STS): number => set.spec?.ordinals?.start ?? 0;

export const endOrdinal = (set: STS): number => startOrdinal(set) + specReplicas(set) - 1;

export function inOrdinalRange(set: STS, pod: Pick<KubeObject, 'metadata'>): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export const podRevision = (pod: PodObj): string => pod.metadata.labels?.[POD_REVISION_LABEL] ?? '';

// ---- pod states the ordering rules look at ----

/** isCreated: the API server has it (it was given a phase on creation). */
export const isCreated = (pod: PodObj): boolean => !!pod.status?.phase;
export const isPending = (pod: PodObj): boolean => pod.status?.phase === 'Pending';
export const isFailed = (pod: PodObj): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: PodObj): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: PodObj): boolean => !!pod.metadata.deletionTimestamp;
export const isRunningAndReady = (pod: PodObj): boolean => pod.status?.phase === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: PodObj, minReadySeconds: number, now: number): boolean =>
  pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
export const isHealthy = (pod: PodObj): boolean => isRunningAndReady(pod) && !isTerminating(pod);
/** isUnavailable: not healthy, or not ready for minReadySeconds yet. */
export const isUnavailable = (pod: PodObj, minReadySeconds: number, now: number): boolean => !isHealthy(pod) || !isPodAvailable(pod, minReadySeconds, now);

// ---- identity ----

/** identityMatches: name, namespace and the pod-name label agree with the pod's ordinal. */
export function identityMatches(set: STS, pod: PodObj): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** updateIdentity: (re)writes the name, namespace and identity labels from the ordinal. */
export function updateIdentity(set: STS, pod: PodObj): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

// ---- storage ----

/**
 * getPersistentVolumeClaims: the claims a pod of this ordinal uses, keyed by template name. Each
 * carries the template's labels plus the set's matchLabels, so the set's selector finds them.
 */
export function claimsFor(set: STS, ordinal: number): Map<string, PVC> {
  const claims = new Map<string, PVC>();
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const name = t.metadata?.name ?? '';
    claims.set(name, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, name, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), ...matchLabels },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      },
      spec: structuredClone(t.spec ?? {}),
    });
  }
  return claims;
}

/** storageMatches: every claim template is mounted from the pod's own claim. */
export function storageMatches(set: STS, pod: PodObj): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    const v = volumes.get(name);
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== claim.metadata.name) return false;
  }
  return true;
}

/** updateStorage: claim volumes first (replacing template volumes of the same name), then the rest. */
export function updateStorage(set: STS, pod: PodObj): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata.name } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  if (pod.spec) pod.spec.volumes = volumes;
}

// ---- new pods ----

/** ApplyRevision: the set with its template replaced by the one a revision recorded. */
export function applyRevision(set: STS, revision: Pick<Revision, 'data'>): STS {
  const clone = structuredClone(set);
  clone.spec = { ...clone.spec!, template: templateOf(revision) };
  return clone;
}

/** newStatefulSetPod: the template's pod with the set's controller ref, identity and storage. */
export function newStatefulSetPod(set: STS, ordinal: number): PodObj {
  const t = set.spec?.template ?? {};
  const pod: PodObj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(set, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(t.metadata?.finalizers ? { finalizers: [...t.metadata.finalizers] } : {}),
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec: structuredClone(t.spec ?? { containers: [] }),
  };
  updateIdentity(set, pod);
  // initIdentity: set only at creation; the pod's DNS name is <pod>.<serviceName>.
  pod.spec!.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the rolling update's partition are made from the
 * current revision, the others from the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: STS, updateSet: STS, currentRevision: string, updateRevision: string, ordinal: number): PodObj {
  const strategy = currentSet.spec?.updateStrategy;
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  const useCurrent = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && ordinal < startOrdinal(currentSet) + partition;
  const pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal);
  pod.metadata.labels![POD_REVISION_LABEL] = useCurrent ? currentRevision : updateRevision;
  return pod;
}
