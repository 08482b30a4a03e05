// Pure rules for the pod status the kubelet reports (upstream pkg/kubelet/status/status_manager.go
// updateStatusInternal, mergePodStatus, isPodStatusByKubeletEqual, TerminatePod, and
// pkg/kubelet/status/generate.go for the Ready conditions). The status manager applies
// them; tests table them without a server.
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';

/**
 * The conditions the kubelet writes (upstream kubetypes.PodConditionsByKubelet, less PodScheduled,
 * which the scheduler writes); every other condition belongs to its writer and is kept.
 */
export const KUBELET_WRITES = new Set(['Initialized', 'ContainersReady', 'Ready', 'PodReadyToStartContainers']);

/** What upstream TerminatePod says of a container it cannot find any more. */
export const CONTAINER_STATUS_UNKNOWN = 'ContainerStatusUnknown';
const CONTAINER_GONE_MESSAGE = 'The container could not be located when the pod was terminated';
/** 128 + SIGKILL, as upstream reports an unknown container's end. */
const KILLED_EXIT_CODE = 137;

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** metav1.Time serialises with whole seconds. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The ContainersReady and Ready conditions from containerStatuses[].ready, after the prober set
 * each container's readiness (upstream status generate.go GeneratePodReadyCondition, without
 * readiness gates): every app container ready, or the names of those that are not.
 */
export function updateReadyConditions(status: PodStatus): PodStatus {
  const out = structuredClone(status);
  const all = out.containerStatuses ?? [];
  const notReady = all.filter((s) => !s.ready).map((s) => s.name);
  // upstream: a Succeeded pod is not ready, for the reason PodCompleted.
  const completed = out.phase === 'Succeeded';
  const ready = !completed && all.length > 0 && notReady.length === 0;
  for (const c of out.conditions ?? []) {
    if (c.type !== 'ContainersReady' && c.type !== 'Ready') continue;
    c.status = ready ? 'True' : 'False';
    if (completed) {
      c.reason = 'PodCompleted';
      delete c.message;
    } else if (ready) {
      delete c.reason;
      delete c.message;
    } else {
      c.reason = 'ContainersNotReady';
      c.message = `containers with unready status: [${notReady.join(' ')}]`;
    }
  }
  return out;
}

/**
 * The status to cache when the kubelet reports `next` (upstream updateStatusInternal):
 * transition times stay when a condition's status did not change, startTime is set once, and a
 * terminal phase never goes back to a running one.
 */
export function nextStatus(previous: PodStatus | undefined, next: PodStatus, now: Date): PodStatus {
  const out = structuredClone(next);
  for (const c of out.conditions ?? []) {
    const before = previous?.conditions?.find((p) => p.type === c.type);
    if (before && before.status === c.status && before.lastTransitionTime) c.lastTransitionTime = before.lastTransitionTime;
    else c.lastTransitionTime ??= rfc3339(now);
  }
  out.startTime = previous?.startTime ?? next.startTime ?? rfc3339(now);
  if (isTerminalPhase(previous?.phase) && !isTerminalPhase(out.phase)) {
    out.phase = previous!.phase;
  }
  return out;
}

/**
 * What the kubelet sends: its own status, with the conditions other writers own (PodScheduled,
 * DisruptionTarget, readiness gates' conditions) kept from the API object (upstream mergePodStatus).
 */
export function mergePodStatus(apiStatus: PodStatus | undefined, kubelet: PodStatus): PodStatus {
  const out = structuredClone(kubelet);
  const others = (apiStatus?.conditions ?? []).filter((c) => !KUBELET_WRITES.has(c.type));
  const own = (out.conditions ?? []).filter((c) => KUBELET_WRITES.has(c.type));
  out.conditions = [...others, ...own];
  // Fields the kubelet leaves alone stay as the API has them (nominatedNodeName, reason, message).
  for (const key of ['nominatedNodeName', 'reason', 'message'] as const) {
    if (out[key] === undefined && apiStatus?.[key] !== undefined) out[key] = apiStatus[key];
  }
  return out;
}

function conditionKey(c: PodCondition): string {
  return JSON.stringify([c.type, c.status, c.reason ?? '', c.message ?? '', c.lastTransitionTime ?? '']);
}

function canonical(s: PodStatus | undefined): string {
  if (!s) return '';
  const { conditions, ...rest } = s;
  const conds = (conditions ?? []).map(conditionKey).sort();
  return JSON.stringify([sortKeys(rest), conds]);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  }
  return v;
}

/** Upstream isPodStatusByKubeletEqual: the same status, whatever the order of conditions or keys. */
export function statusEqual(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  return canonical(a) === canonical(b);
}

/**
 * The final status of a pod the kubelet terminated (upstream TerminatePod): every container that
 * is not known to have ended is reported terminated, and a pod that had not finished is Failed —
 * unless every container ended successfully.
 */
export function terminatedStatus(status: PodStatus, now: Date): PodStatus {
  const out = structuredClone(status);
  const finish = (list: ContainerStatus[] | undefined) => {
    for (const cs of list ?? []) {
      if (cs.state?.terminated) continue;
      cs.state = {
        terminated: { exitCode: KILLED_EXIT_CODE, reason: CONTAINER_STATUS_UNKNOWN, message: CONTAINER_GONE_MESSAGE, finishedAt: rfc3339(now) },
      };
      cs.ready = false;
      cs.started = false;
    }
  };
  finish(out.containerStatuses);
  finish(out.initContainerStatuses);
  if (!isTerminalPhase(out.phase)) {
    const allSucceeded = (out.containerStatuses ?? []).length > 0 && (out.containerStatuses ?? []).every((c) => c.state?.terminated?.exitCode === 0);
    out.phase = allSucceeded ? 'Succeeded' : 'Failed';
  }
  for (const c of out.conditions ?? []) {
    if (c.type === 'ContainersReady' || c.type === 'Ready') {
      c.status = 'False';
      c.reason = 'PodCompleted';
    }
  }
  return out;
}
