// Starting and stopping one container (upstream kuberuntime_container.go startContainer and
// killContainer): image, create, start, postStart hook — each step's failure becomes the reason
// the container waits — and stop: the preStop hook, then StopContainer with what is left of
// the pod's grace period.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { CriError, type CriClient } from '../cri/criClient.ts';
import type { PodSandboxConfig } from '../cri/criTypes.ts';
import { buildContainerConfig, MountConfigError } from './containerConfig.ts';
import { EnvConfigError, makeEnvironmentVariables, type EnvContext } from './envVars.ts';
import { containerFieldPath, type ImagePuller } from './imagePuller.ts';
import { FAILED_POST_START_HOOK, FAILED_PRE_STOP_HOOK, LIFECYCLE_HTTP_FALLBACK, POST_START_HOOK_ERROR, runLifecycleHandler, type HookRuntime } from './lifecycleHandlers.ts';
import { findContainerStatus } from './podActions.ts';
import { readPodStatus } from './runtimeStatus.ts';
import type { MountedVolume, ObjectLookup, PodEventRecorder, RuntimePodStatus, StartFailure } from './types.ts';

/** Container waiting reasons for create/start failures (upstream kubecontainer errors). */
export const CREATE_CONTAINER_CONFIG_ERROR = 'CreateContainerConfigError';
export const CREATE_CONTAINER_ERROR = 'CreateContainerError';
export const RUN_CONTAINER_ERROR = 'RunContainerError';

/** kubelet's floor for a stop's grace period (kuberuntime minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;
/** API default of terminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

export interface StartContext {
  cri: CriClient;
  images: ImagePuller;
  recorder: PodEventRecorder;
  lookup: ObjectLookup;
  sandboxId: string;
  sandboxConfig: PodSandboxConfig;
  envContext: EnvContext;
  volumes: Map<string, MountedVolume>;
  memoryCapacity: number;
  /** <kubeletRoot>/pods/<uid>/containers: termination message files live here. */
  podContainersDir: string;
  /** The pod is to be stopped: a postStart hook in flight ends. */
  signal?: AbortSignal;
}

/** Starts one container; returns undefined on success, else why it could not. */
export async function startContainer(pod: Pod, container: Container, status: RuntimePodStatus | undefined, ctx: StartContext): Promise<StartFailure | undefined> {
  const fieldPath = containerFieldPath(pod, container);
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) => ctx.recorder.event(pod, type, reason, message, fieldPath);

  // Step 1: pull the image.
  const image = await ctx.images.ensureImageExists(pod, container, ctx.lookup, ctx.sandboxConfig);
  if (!image.ok) return { reason: image.reason, message: image.message };

  // Step 2: create the container. Its attempt number continues the previous instance's.
  const previous = findContainerStatus(status, container.name);
  const restartCount = previous ? previous.restartCount + 1 : 0;
  let containerId: string;
  try {
    const env = await makeEnvironmentVariables(pod, container, ctx.lookup, ctx.envContext);
    if (env.invalidKeys.length) {
      event('Warning', 'InvalidEnvironmentVariableNames', `Keys [${env.invalidKeys.join(', ')}] from the EnvFrom were skipped since they are considered invalid environment variable names.`);
    }
    const config = buildContainerConfig(pod, container, {
      restartCount,
      imageRef: image.imageRef,
      env: env.env,
      volumes: ctx.volumes,
      terminationMessageHostPath: terminationMessageFile(ctx.podContainersDir, container),
      memoryCapacity: ctx.memoryCapacity,
    });
    containerId = await ctx.cri.createContainer(ctx.sandboxId, config, ctx.sandboxConfig);
  } catch (err) {
    const configError = err instanceof EnvConfigError || err instanceof MountConfigError;
    const message = err instanceof CriError ? err.details : (err as Error).message;
    event('Warning', 'Failed', `Error: ${message}`);
    return { reason: configError ? CREATE_CONTAINER_CONFIG_ERROR : CREATE_CONTAINER_ERROR, message };
  }
  event('Normal', 'Created', `Created container: ${container.name}`);

  // Step 3: start it.
  try {
    await ctx.cri.startContainer(containerId);
  } catch (err) {
    const message = err instanceof CriError ? err.details : (err as Error).message;
    event('Warning', 'Failed', `Error: ${message}`);
    return { reason: RUN_CONTAINER_ERROR, message };
  }
  event('Normal', 'Started', `Started container ${container.name}`);

  // Step 4: the postStart hook. The pod's sync waits for it; if it fails the container is
  // killed (its preStop runs too, as upstream) and the restart policy decides what comes next.
  const postStart = container.lifecycle?.postStart;
  if (postStart) {
    const message = await runLifecycleHandler(hookRuntime(ctx.cri, ctx.recorder, ctx.envContext.podIPs), pod, container, containerId, postStart, ctx.signal);
    if (message !== undefined) {
      // Upstream leaves the handler's output out of the event: it may carry secrets.
      event('Warning', FAILED_POST_START_HOOK, 'PostStartHook failed');
      await killContainer(ctx.cri, ctx.recorder, pod, { id: containerId, name: container.name, message: FAILED_POST_START_HOOK });
      return { reason: POST_START_HOOK_ERROR, message };
    }
  }
  return undefined;
}

/** Hooks run through CRI ExecSync; an httpGet hook without a host goes to the pod's IP. */
function hookRuntime(cri: CriClient, recorder: PodEventRecorder, knownPodIPs?: string[]): HookRuntime {
  return {
    execSync: (id, cmd, timeout) => cri.execSync(id, cmd, timeout),
    podIP: async (pod) => knownPodIPs?.[0] ?? (await readPodStatus(cri, pod.metadata?.uid ?? ''))?.ips[0],
    httpFallback: (pod, host) => recorder.event(pod, 'Warning', LIFECYCLE_HTTP_FALLBACK, `request to HTTPS lifecycle hook ${host} got HTTP response, retry with HTTP succeeded`),
  };
}

/** An empty file per container instance, bind-mounted at terminationMessagePath (upstream makeMounts). */
function terminationMessageFile(podContainersDir: string, container: Container): string | undefined {
  if (!container.terminationMessagePath) return undefined;
  const dir = path.join(podContainersDir, container.name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, randomBytes(4).toString('hex'));
  writeFileSync(file, '', { mode: 0o666 });
  return file;
}

/**
 * The grace period a stop gets (upstream killContainer + setTerminationGracePeriod): the override,
 * else the deletion's grace period, else the pod's terminationGracePeriodSeconds; at least 2 s.
 */
export function gracePeriodSeconds(pod: Pod, overrideSeconds?: number): number {
  return Math.max(requestedGracePeriodSeconds(pod, overrideSeconds), MINIMUM_GRACE_PERIOD_SECONDS);
}

/** The grace period before the minimum applies: 0 (a forced delete) leaves no time for a preStop hook. */
function requestedGracePeriodSeconds(pod: Pod, overrideSeconds?: number): number {
  let grace = pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (pod.metadata?.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds !== undefined) grace = pod.metadata.deletionGracePeriodSeconds;
  if (overrideSeconds !== undefined) grace = overrideSeconds;
  return grace;
}

/**
 * What StopContainer gets after a preStop hook ran (upstream killContainer): the grace period
 * less the whole seconds the hook took, never under the 2 s minimum shutdown window.
 */
export function remainingGracePeriodSeconds(graceSeconds: number, hookElapsedMs: number): number {
  return Math.max(graceSeconds - Math.floor(hookElapsedMs / 1000), MINIMUM_GRACE_PERIOD_SECONDS);
}

/**
 * Stops a container: the preStop hook first, bounded by the grace period (upstream
 * executePreStopHook: a hook still running when it ends is left behind), then its image's stop
 * signal (containerd reads StopSignal) and SIGKILL when the rest of the grace period ends. The
 * Killing event says why.
 */
export async function killContainer(
  cri: CriClient,
  recorder: PodEventRecorder,
  pod: Pod,
  /** `running: false`: the container never ran (created, unknown), so no preStop hook can run in it. */
  target: { id: string; name: string; message?: string; running?: boolean },
  gracePeriodOverrideSeconds?: number,
): Promise<void> {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === target.name);
  const fieldPath = spec ? containerFieldPath(pod, spec) : undefined;
  recorder.event(pod, 'Normal', 'Killing', target.message || `Stopping container ${target.name}`, fieldPath);
  let grace = requestedGracePeriodSeconds(pod, gracePeriodOverrideSeconds);
  const preStop = spec?.lifecycle?.preStop;
  if (spec && preStop && grace > 0 && target.running !== false) {
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), grace * 1000);
    const hook = runLifecycleHandler(hookRuntime(cri, recorder), pod, spec, target.id, preStop, deadline.signal).then((message) => {
      // A hook cut short by the end of the grace period is not reported as failed.
      if (message !== undefined && !deadline.signal.aborted) recorder.event(pod, 'Warning', FAILED_PRE_STOP_HOOK, 'PreStopHook failed', fieldPath);
    });
    await Promise.race([hook, new Promise<void>((resolve) => deadline.signal.addEventListener('abort', () => resolve(), { once: true }))]);
    clearTimeout(timer);
    grace = remainingGracePeriodSeconds(grace, performance.now() - started);
  }
  await cri.stopContainer(target.id, Math.max(grace, MINIMUM_GRACE_PERIOD_SECONDS));
}
