// A ReplicaSet's status from its pods (pkg/controller/replicaset/replica_set_utils.go
// calculateStatus): replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (after
// minReadySeconds), and a ReplicaFailure condition while creating or deleting pods fails.
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../controllerUtils/podUtils.ts';
import { isDeepStrictEqual } from 'node:util';

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function templateLabelsMatch(template: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(template ?? {}).every(([k, v]) => labels?.[k] === v);
}

/** filteredPods: the active pods the set controls. manageError: what creating/deleting threw. */
export function calculateReplicaSetStatus(rs: ReplicaSet, filteredPods: Pod[], manageError: unknown, now: number): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    if (templateLabelsMatch(rs.spec?.template?.metadata?.labels, pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, rs.spec?.minReadySeconds ?? 0, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: ReplicaSetCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: rfc3339(now),
      reason,
      message: manageError instanceof Error ? manageError.message : String(manageError),
    };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (!manageError && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== 'ReplicaFailure');
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = filteredPods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** Whether the stored status must be written: it differs, or the generation was not yet observed. */
export function replicaSetStatusNeedsUpdate(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur: ReplicaSetStatus = rs.status ?? { replicas: 0 };
  const { observedGeneration: _a, ...curRest } = cur;
  const { observedGeneration: _b, ...nextRest } = next;
  return !isDeepStrictEqual(normalize(curRest), normalize(nextRest)) || cur.observedGeneration !== rs.metadata?.generation;
}

// Counts the API server drops when zero (omitempty) compare equal to absent ones.
function normalize(s: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (v !== 0 && v !== undefined) out[k] = v;
  return out;
}
