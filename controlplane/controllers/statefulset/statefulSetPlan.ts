// What one StatefulSet sync does (pkg/controller/statefulset/stateful_set_control.go
// updateStatefulSet), computed without touching the API server: the pods split into replicas (in
// the ordinal range) and condemned (above it); then, in upstream's order,
//   1. each replica: replace a failed pod, create a missing one, create missing claims of a
//      pending one, fix a broken identity or storage;
//   2. each condemned pod, highest ordinal first: delete it;
//   3. the rolling update: delete the highest-ordinal pod not at the update revision, down to the
//      partition, one at a time and only while the pods above it are healthy.
// OrderedReady (monotonic) stops at the first pod that is not Running and Ready: pod N+1 is never
// created before pod N is ready, and scale-down waits for every remaining pod to be healthy.
// Parallel runs each phase's actions together and does not wait.
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import {
  identityMatches,
  inOrdinalRange,
  isCreated,
  isFailed,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newVersionedStatefulSetPod,
  ordinalOf,
  podRevision,
  startOrdinal,
  specReplicas,
  storageMatches,
  type PodObj,
  type STS,
} from './statefulSetUtils.ts';

export type StatefulSetAction =
  | { type: 'create'; pod: PodObj }
  | { type: 'createMissingClaims'; pod: PodObj }
  | { type: 'updateIdentity'; pod: PodObj }
  | { type: 'delete'; pod: PodObj; why: 'failed' | 'scaleDown' | 'update' };

export interface StatefulSetPlanInput {
  set: STS;
  /** The set with the current and the update revision's template applied. */
  currentSet: STS;
  updateSet: STS;
  currentRevision: string;
  updateRevision: string;
  /** The pods the set owns. */
  pods: PodObj[];
  now: number;
}

export type ReplicaCounts = Required<Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'>>;

export interface StatefulSetPlan {
  /** Run in order; the actions of one step run together; stop at the first step that fails. */
  steps: StatefulSetAction[][];
  /** The pod counts of the status (computeReplicaStatus). */
  counts: ReplicaCounts;
  /** Why the sync stops short, for logs: "waiting for web-0 to be Running and Ready". */
  waiting?: string;
}

/** computeReplicaStatus over the pods the sync looked at. */
export function countReplicas(pods: PodObj[], minReadySeconds: number, currentRevision: string, updateRevision: string, now: number): ReplicaCounts {
  const c: ReplicaCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) c.replicas++;
    if (isRunningAndReady(pod)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) c.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === currentRevision) c.currentReplicas++;
      if (podRevision(pod) === updateRevision) c.updatedReplicas++;
    }
  }
  return c;
}

/** One replica's action and whether a monotonic sync must stop there (processReplica). */
function processReplica(input: StatefulSetPlanInput, pod: PodObj, monotonic: boolean): { action?: StatefulSetAction; stop?: string } {
  const minReady = input.set.spec?.minReadySeconds ?? 0;
  const name = pod.metadata.name;
  // Failed or Succeeded: delete it; the next sync, once it is gone, makes a new one.
  if (isFailed(pod) || isSucceeded(pod)) {
    return { action: isTerminating(pod) ? undefined : { type: 'delete', pod, why: 'failed' }, stop: `${name} to be replaced` };
  }
  if (!isCreated(pod)) return { action: { type: 'create', pod }, stop: monotonic ? `${name} to be Running and Ready` : undefined };
  const claims: StatefulSetAction | undefined = isPending(pod) ? { type: 'createMissingClaims', pod } : undefined;
  if (monotonic) {
    if (isTerminating(pod)) return { action: claims, stop: `${name} to terminate` };
    if (!isRunningAndReady(pod)) return { action: claims, stop: `${name} to be Running and Ready` };
    if (!isRunningAndAvailable(pod, minReady, input.now)) return { action: claims, stop: `${name} to be available` };
  }
  if (claims) return { action: claims };
  if (identityMatches(input.set, pod) && storageMatches(input.set, pod)) return {};
  return { action: { type: 'updateIdentity', pod } };
}

export function planStatefulSet(input: StatefulSetPlanInput): StatefulSetPlan {
  const { set, now } = input;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const replicaCount = specReplicas(set);

  // Partition the pods: replicas by ordinal, condemned above the range; unparsable names are ignored.
  const replicas: (PodObj | undefined)[] = new Array(replicaCount).fill(undefined);
  const condemned: PodObj[] = [];
  for (const pod of input.pods) {
    if (inOrdinalRange(set, pod)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  const existing = [...replicas.filter((p): p is PodObj => !!p), ...condemned];
  const counts = countReplicas(existing, minReady, input.currentRevision, input.updateRevision, now);
  const full = replicas.map(
    (p, i) => p ?? newVersionedStatefulSetPod(input.currentSet, input.updateSet, input.currentRevision, input.updateRevision, start + i),
  );
  // descendingOrdinal: scale down removes the highest ordinal first.
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  // The first unavailable pod: among replicas from the lowest, then condemned from the lowest.
  const firstUnavailable = [...full, ...[...condemned].reverse()].find((p) => isUnavailable(p, minReady, now));

  const plan: StatefulSetPlan = { steps: [], counts };
  // A set being deleted only reports status.
  if (set.metadata.deletionTimestamp) return plan;
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';

  // 1. Replicas.
  const parallelStep: StatefulSetAction[] = [];
  for (const pod of full) {
    const r = processReplica(input, pod, monotonic);
    if (monotonic) {
      if (r.action) plan.steps.push([r.action]);
      if (r.stop) return { ...plan, waiting: r.stop };
    } else if (r.action) parallelStep.push(r.action);
  }
  if (parallelStep.length) plan.steps.push(parallelStep);

  // 2. Condemned pods, highest ordinal first.
  const deletions: StatefulSetAction[] = [];
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return { ...plan, waiting: `${pod.metadata.name} to terminate before scaling down` };
      continue;
    }
    if (monotonic && pod !== firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) {
      return { ...plan, waiting: `${firstUnavailable?.metadata.name ?? pod.metadata.name} to be Running and Ready before scaling down` };
    }
    const del: StatefulSetAction = { type: 'delete', pod, why: 'scaleDown' };
    if (monotonic) {
      plan.steps.push([del]);
      return { ...plan, waiting: `${pod.metadata.name} to terminate` };
    }
    deletions.push(del);
  }
  if (deletions.length) plan.steps.push(deletions);

  // 3. The rolling update (OnDelete leaves it to the user deleting pods).
  if (set.spec?.updateStrategy?.type === 'OnDelete') return plan;
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = full.length - 1; target >= partition; target--) {
    const pod = full[target]!;
    if (podRevision(pod) !== input.updateRevision && !isTerminating(pod)) {
      plan.steps.push([{ type: 'delete', pod, why: 'update' }]);
      return { ...plan, waiting: `${pod.metadata.name} to be recreated at the update revision` };
    }
    if (isUnavailable(pod, minReady, now)) return { ...plan, waiting: `${pod.metadata.name} to be available after its update` };
  }
  return plan;
}

/**
 * The status to write (updateStatefulSet + completeRollingUpdate): once every pod is at the update
 * revision and ready, the update revision becomes the current one.
 */
export function statefulSetStatus(
  set: STS,
  counts: ReplicaCounts,
  currentRevision: string,
  updateRevision: string,
  collisionCount: number,
): StatefulSetStatus {
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    ...counts,
    currentRevision,
    updateRevision,
    collisionCount,
  };
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

/** inconsistentStatus: anything the sync reports differs from what the set says. */
export function statusChanged(set: STS, status: StatefulSetStatus): boolean {
  const cur = set.status ?? { replicas: 0 };
  const keys = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;
  return keys.some((k) => (cur[k] ?? 0) !== (status[k] ?? 0));
}
