// Compute, then act: what syncPod must do to bring the runtime to the pod's spec, decided by a
// pure function of (pod, runtime status) — upstream kuberuntime_manager.go computePodActions,
// with its helpers podSandboxChanged, findNextInitContainerToRun and ShouldContainerBeRestarted.
// Restartable init containers (sidecars) and ephemeral containers are not handled.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { hashContainer } from './labels.ts';
import type { ContainerRuntimeStatus, RuntimePodStatus } from './types.ts';

export interface ContainerToKill {
  id: string;
  name: string;
  /** Why, for the Killing event: "Container app definition changed, will be restarted". */
  message: string;
  reason: 'Unknown' | 'DefinitionChanged' | 'LivenessProbe' | 'StartupProbe';
}

/** The plain record syncPod executes. */
export interface PodActions {
  /** Stop every container and the sandbox (before re-creating it, or because the pod is done). */
  killPod: boolean;
  createSandbox: boolean;
  /** The current sandbox, reused when not re-created. */
  sandboxId: string;
  /** Sandbox attempt for a new sandbox: previous + 1. */
  attempt: number;
  /** Index into spec.initContainers of the init container to start next. */
  nextInitContainerToStart?: number;
  /** Indexes into spec.containers, in order. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
}

/** Probe verdicts by container id (from the prober's results managers; none yet). */
export interface ProbeResults {
  livenessFailed(containerId: string): boolean;
  startupFailed(containerId: string): boolean;
}

const NO_PROBE_FAILURES: ProbeResults = { livenessFailed: () => false, startupFailed: () => false };

/** The newest instance of a container by name (statuses are newest first). */
export function findContainerStatus(status: RuntimePodStatus | undefined, name: string): ContainerRuntimeStatus | undefined {
  return status?.containerStatuses.find((c) => c.name === name);
}

function isHostNetwork(pod: Pod): boolean {
  return pod.spec?.hostNetwork === true;
}

/**
 * Whether the pod needs a new sandbox, and its attempt number (upstream PodSandboxChanged):
 * none yet; more than one ready; the newest not ready; network mode changed; no IP.
 */
export function podSandboxChanged(pod: Pod, status: RuntimePodStatus | undefined): { changed: boolean; attempt: number; sandboxId: string } {
  const sandboxes = status?.sandboxStatuses ?? [];
  if (sandboxes.length === 0) return { changed: true, attempt: 0, sandboxId: '' };
  const newest = sandboxes[0];
  const next = newest.metadata.attempt + 1;
  if (sandboxes.filter((s) => s.state === 'SANDBOX_READY').length > 1) return { changed: true, attempt: next, sandboxId: newest.id };
  if (newest.state !== 'SANDBOX_READY') return { changed: true, attempt: next, sandboxId: newest.id };
  const network = newest.linux?.namespaces?.options?.network ?? 'POD';
  if (network !== (isHostNetwork(pod) ? 'NODE' : 'POD')) return { changed: true, attempt: next, sandboxId: '' };
  if (!isHostNetwork(pod) && newest.network && newest.network.ip === '') return { changed: true, attempt: next, sandboxId: newest.id };
  return { changed: false, attempt: newest.metadata.attempt, sandboxId: newest.id };
}

export function shouldRestartOnFailure(pod: Pod): boolean {
  return (pod.spec?.restartPolicy ?? 'Always') !== 'Never';
}

function containerSucceeded(container: Container, status: RuntimePodStatus | undefined): boolean {
  const s = findContainerStatus(status, container.name);
  return s !== undefined && s.state === 'CONTAINER_EXITED' && s.exitCode === 0;
}

/** Upstream isInitContainerFailed: OOM-killed, exited non-zero, or in an unknown state. */
export function isInitContainerFailed(s: ContainerRuntimeStatus): boolean {
  if (s.reason === 'OOMKilled') return true;
  if (s.state === 'CONTAINER_EXITED' && s.exitCode !== 0) return true;
  return s.state === 'CONTAINER_UNKNOWN';
}

/**
 * Where initialization stands (upstream findNextInitContainerToRun): `done` when every init
 * container succeeded (or an app container already runs); otherwise `next` to run, and
 * `lastFailed` when it is the one that failed.
 */
export function findNextInitContainerToRun(
  pod: Pod,
  status: RuntimePodStatus | undefined,
): { done: boolean; next?: number; lastFailed?: ContainerRuntimeStatus } {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  // A running app container means initialization finished once, even if the runtime has since
  // garbage-collected the init containers; running them again would be wrong.
  for (const c of pod.spec?.containers ?? []) {
    if (findContainerStatus(status, c.name)?.state === 'CONTAINER_RUNNING') return { done: true };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const s = findContainerStatus(status, inits[i].name);
    if (s && isInitContainerFailed(s)) return { done: false, next: i, lastFailed: s };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const s = findContainerStatus(status, inits[i].name);
    if (!s) continue;
    if (s.state === 'CONTAINER_RUNNING') return { done: false };
    if (s.state === 'CONTAINER_EXITED') return i === inits.length - 1 ? { done: true } : { done: false, next: i + 1 };
  }
  return { done: false, next: 0 };
}

/** Upstream kubecontainer.ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(container: Container, pod: Pod, status: RuntimePodStatus | undefined): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const s = findContainerStatus(status, container.name);
  if (!s) return true;
  if (s.state === 'CONTAINER_RUNNING') return false;
  if (s.state === 'CONTAINER_UNKNOWN' || s.state === 'CONTAINER_CREATED') return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

export function computePodActions(pod: Pod, status: RuntimePodStatus | undefined, probes: ProbeResults = NO_PROBE_FAILURES): PodActions {
  const containers = pod.spec?.containers ?? [];
  const sandbox = podSandboxChanged(pod, status);
  const actions: PodActions = {
    killPod: sandbox.changed,
    createSandbox: sandbox.changed,
    sandboxId: sandbox.sandboxId,
    attempt: sandbox.attempt,
    containersToStart: [],
    containersToKill: [],
  };

  // A new sandbox means starting over: everything is killed and started again, init containers first.
  if (sandbox.changed) {
    // A pod that must not restart, whose containers already ran, gets no new sandbox: it is done.
    // (No container status at all means none was ever created: keep trying.)
    if (!shouldRestartOnFailure(pod) && sandbox.attempt !== 0 && (status?.containerStatuses.length ?? 0) !== 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart = containers
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => !(pod.spec?.restartPolicy === 'OnFailure' && containerSucceeded(c, status)))
      .map(({ i }) => i);
    // Nothing left to run and initialization already happened: no sandbox needed.
    if (toStart.length === 0 && findNextInitContainerToRun(pod, status).done) {
      actions.createSandbox = false;
      return actions;
    }
    if ((pod.spec?.initContainers ?? []).length > 0) {
      actions.nextInitContainerToStart = 0;
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  // Initialization first: while it is not done, app containers are not looked at.
  const init = findNextInitContainerToRun(pod, status);
  if (!init.done) {
    if (init.next !== undefined) {
      const failed = init.lastFailed !== undefined && isInitContainerFailed(init.lastFailed);
      if (failed && !shouldRestartOnFailure(pod)) {
        actions.killPod = true;
      } else {
        if (init.lastFailed?.state === 'CONTAINER_UNKNOWN') {
          actions.containersToKill.push({
            id: init.lastFailed.id,
            name: init.lastFailed.name,
            message: 'Init container is in "Unknown" state, try killing it before restart',
            reason: 'Unknown',
          });
        }
        actions.nextInitContainerToStart = init.next;
      }
    }
    return actions;
  }

  let keepCount = 0;
  containers.forEach((container, idx) => {
    const s = findContainerStatus(status, container.name);
    if (!s || s.state !== 'CONTAINER_RUNNING') {
      if (shouldContainerBeRestarted(container, pod, status)) {
        actions.containersToStart.push(idx);
        // Unknown may still be running: kill it first so two instances never run side by side.
        if (s?.state === 'CONTAINER_UNKNOWN') {
          actions.containersToKill.push({ id: s.id, name: s.name, message: 'Container is in "Unknown" state, try killing it before restart', reason: 'Unknown' });
        }
      }
      return;
    }
    // Running: keep it unless its definition changed or a probe failed.
    let restart = shouldRestartOnFailure(pod);
    let message: string;
    let reason: ContainerToKill['reason'];
    if (hashContainer(container) !== s.hash) {
      message = `Container ${container.name} definition changed`;
      reason = 'DefinitionChanged';
      restart = true; // whatever the restart policy: the spec asks for a different container
    } else if (probes.livenessFailed(s.id)) {
      message = `Container ${container.name} failed liveness probe`;
      reason = 'LivenessProbe';
    } else if (probes.startupFailed(s.id)) {
      message = `Container ${container.name} failed startup probe`;
      reason = 'StartupProbe';
    } else {
      keepCount++;
      return;
    }
    if (restart) {
      message += ', will be restarted';
      actions.containersToStart.push(idx);
    }
    actions.containersToKill.push({ id: s.id, name: s.name, message, reason });
  });

  // Nothing runs and nothing will: the pod is finished, stop its sandbox.
  if (keepCount === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}
