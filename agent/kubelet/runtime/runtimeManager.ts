// The kubelet's runtime manager over CRI (upstream pkg/kubelet/kuberuntime/kuberuntime_manager.go):
// syncPod reads the runtime, computes the actions (podActions.ts, pure) and executes them in
// numbered steps; killPod stops a pod with its grace period; getPodStatus/listPods read back
// what runs, so a restarted kubelet adopts its pods instead of starting them twice.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Pod, PodStatus as ApiPodStatus } from 'kubernetes-types/core/v1.js';
import { CriError, type CriClient } from '../cri/criClient.ts';
import type { PodSandboxConfig } from '../cri/criTypes.ts';
import { apiPodStatus, type ApiStatusInput } from './apiStatus.ts';
import { Backoff, type Clock } from './backoff.ts';
import { gracePeriodSeconds, killContainer, startContainer, type StartContext } from './containerLifecycle.ts';
import type { EnvContext } from './envVars.ts';
import { ImagePuller } from './imagePuller.ts';
import { computePodActions, findContainerStatus, type ProbeResults } from './podActions.ts';
import { listRuntimePods, readPodStatus } from './runtimeStatus.ts';
import { buildPodSandboxConfig, DEFAULT_POD_LOGS_ROOT, podLogDirectory, type ResolvConf } from './sandboxConfig.ts';
import { serviceEnvVars, MASTER_SERVICE_NAMESPACE } from './serviceEnv.ts';
import type { ObjectLookup, PodEventRecorder, PodSyncResult, RuntimeManager, RuntimePod, RuntimePodStatus, StartFailure, VolumeManager } from './types.ts';

/** The waiting reason of a container in crash-loop back-off. */
export const CRASH_LOOP_BACK_OFF = 'CrashLoopBackOff';
/** Dead instances kept per container for lastState and `logs --previous` (kubelet --maximum-dead-containers-per-container default 1). */
export const MAX_DEAD_PER_CONTAINER = 1;

export interface RuntimeManagerOptions {
  cri: CriClient;
  volumes: VolumeManager;
  recorder: PodEventRecorder;
  /** The node's addresses (status.hostIP). */
  hostIPs: string[];
  /** --root-dir (/var/lib/kubelet): pods/<uid>/… */
  kubeletRoot: string;
  podLogsRoot?: string;
  /** --cgroup-root ("/"). */
  cgroupRoot?: string;
  /** --cluster-dns and --cluster-domain. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The node's resolver (--resolv-conf, parsed). */
  resolvConf: ResolvConf;
  nodeAllocatable: EnvContext['nodeAllocatable'];
  memoryCapacity: number;
  probes?: ProbeResults;
  clock?: Clock;
  /** Rotated log files of a container go when the container is removed (logs/ContainerLogManager). */
  containerLogs?: { clean(containerId: string): Promise<void> };
}

export class KubeRuntimeManager implements RuntimeManager {
  private readonly cri: CriClient;
  private readonly images: ImagePuller;
  /** CrashLoopBackOff per pod + container (upstream kubelet.backOff). */
  readonly crashBackoff: Backoff;
  /** Why each container last failed to start, per pod UID (upstream kubelet reasonCache). */
  private readonly reasons = new Map<string, Map<string, StartFailure>>();

  constructor(private readonly opts: RuntimeManagerOptions) {
    this.cri = opts.cri;
    const clock = opts.clock ?? Date.now;
    this.crashBackoff = new Backoff(undefined, undefined, clock);
    this.images = new ImagePuller(opts.cri, opts.recorder, new Backoff(undefined, undefined, clock));
  }

  get imageBackoff(): Backoff {
    return this.images.backoff;
  }

  async syncPod(pod: Pod, lookup: ObjectLookup, signal?: AbortSignal): Promise<PodSyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const result: PodSyncResult = { failures: new Map(), started: [], killed: [] };
    const status = await readPodStatus(this.cri, uid);

    // Step 1: compute sandbox and container changes.
    const actions = computePodActions(pod, status, this.opts.probes);

    // Step 2: kill the pod if the sandbox changed or nothing should run any more.
    if (actions.killPod) {
      await this.stopPod(pod, status, undefined, result);
      if (!actions.createSandbox) return this.finish(uid, result);
    } else {
      // Step 3: kill the containers that should not keep running.
      for (const k of actions.containersToKill) {
        await killContainer(this.cri, this.opts.recorder, pod, k);
        result.killed.push(k.name);
      }
    }

    // Step 4: volumes, then a sandbox if there is none.
    let volumes;
    try {
      volumes = await this.opts.volumes.mountPodVolumes(pod, lookup);
    } catch (err) {
      const message = `Unable to attach or mount volumes: ${(err as Error).message}`;
      this.opts.recorder.event(pod, 'Warning', 'FailedMount', message);
      result.error = message;
      return this.finish(uid, result);
    }
    const sandboxConfig = buildPodSandboxConfig(pod, actions.attempt, this.sandboxOptions());
    let sandboxId = actions.sandboxId;
    let podIPs = status?.ips ?? [];
    if (actions.createSandbox) {
      try {
        mkdirSync(sandboxConfig.log_directory, { recursive: true, mode: 0o755 });
        sandboxId = await this.cri.runPodSandbox(sandboxConfig);
        const sandbox = await this.cri.podSandboxStatus(sandboxId);
        podIPs = sandbox?.network?.ip ? [sandbox.network.ip, ...sandbox.network.additional_ips.map((i) => i.ip)] : [];
      } catch (err) {
        const message = `Failed to create pod sandbox: ${err instanceof CriError ? err.details : (err as Error).message}`;
        this.opts.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', message);
        result.error = message;
        return this.finish(uid, result);
      }
    }

    const ctx = { ...(await this.startContext(pod, lookup, sandboxId, sandboxConfig, volumes, podIPs)), signal };
    // Earlier instances count even under a new sandbox: restartCount goes on, back-off applies.

    // Step 5 upstream starts ephemeral containers; not supported.

    // Step 6: the next init container, alone: the rest waits for it to complete.
    if (actions.nextInitContainerToStart !== undefined) {
      const init = pod.spec!.initContainers![actions.nextInitContainerToStart];
      await this.startWithBackoff(pod, init, status, ctx, result);
      return this.finish(uid, result);
    }

    // Step 7: the app containers, each after its crash-loop back-off.
    for (const idx of actions.containersToStart) {
      if (signal?.aborted) break;
      await this.startWithBackoff(pod, pod.spec!.containers[idx], status, ctx, result);
    }

    await this.pruneDeadContainers(await readPodStatus(this.cri, uid));
    return this.finish(uid, result);
  }

  /**
   * Upstream doBackOff: a container that exited waits `backoff` after its finish before it is
   * started again (10 s doubling to 5 min; forgotten after 10 min without a crash).
   */
  private async startWithBackoff(
    pod: Pod,
    container: NonNullable<Pod['spec']>['containers'][number],
    status: RuntimePodStatus | undefined,
    ctx: StartContext,
    result: PodSyncResult,
  ): Promise<void> {
    const exited = status?.containerStatuses.find((c) => c.name === container.name && c.state === 'CONTAINER_EXITED');
    const key = `${pod.metadata?.name}_${pod.metadata?.namespace}_${pod.metadata?.uid}_${container.name}`;
    if (exited?.finishedAt) {
      const finished = exited.finishedAt.getTime();
      if (this.crashBackoff.isInBackOffSince(key, finished)) {
        const delay = this.crashBackoff.get(key);
        this.opts.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`);
        result.failures.set(container.name, {
          reason: CRASH_LOOP_BACK_OFF,
          message: `back-off ${formatDuration(delay)} restarting failed container=${container.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`,
        });
        const left = this.crashBackoff.remaining(key, finished);
        result.requeueAfterMs = Math.min(result.requeueAfterMs ?? Infinity, left);
        return;
      }
      this.crashBackoff.next(key, finished);
    }
    const failure = await startContainer(pod, container, status, ctx);
    if (failure) {
      result.failures.set(container.name, failure);
      if (failure.reason === 'ImagePullBackOff' || failure.reason === 'ErrImagePull') {
        const left = this.images.backoff.get(`${pod.metadata?.uid}_${container.image}`);
        if (left > 0) result.requeueAfterMs = Math.min(result.requeueAfterMs ?? Infinity, left);
      }
    } else {
      result.started.push(container.name);
    }
  }

  private finish(uid: string, result: PodSyncResult): PodSyncResult {
    // Like upstream reasonCache.Update: a container started now forgets its old failure.
    const reasons = this.reasons.get(uid) ?? new Map<string, StartFailure>();
    for (const name of result.started) reasons.delete(name);
    for (const [name, failure] of result.failures) reasons.set(name, failure);
    this.reasons.set(uid, reasons);
    return result;
  }

  private sandboxOptions() {
    return {
      podLogsRoot: this.opts.podLogsRoot ?? DEFAULT_POD_LOGS_ROOT,
      cgroupRoot: this.opts.cgroupRoot ?? '/',
      clusterDNS: this.opts.clusterDNS ?? [],
      clusterDomain: this.opts.clusterDomain ?? 'cluster.local',
      hostResolvConf: this.opts.resolvConf,
    };
  }

  private async startContext(
    pod: Pod,
    lookup: ObjectLookup,
    sandboxId: string,
    sandboxConfig: PodSandboxConfig,
    volumes: StartContext['volumes'],
    podIPs: string[],
  ): Promise<StartContext> {
    const ns = pod.metadata?.namespace ?? 'default';
    const services = await lookup.listServices(ns);
    if (ns !== MASTER_SERVICE_NAMESPACE) services.push(...(await lookup.listServices(MASTER_SERVICE_NAMESPACE)));
    return {
      cri: this.cri,
      images: this.images,
      recorder: this.opts.recorder,
      lookup,
      sandboxId,
      sandboxConfig,
      volumes,
      memoryCapacity: this.opts.memoryCapacity,
      podContainersDir: path.join(this.opts.kubeletRoot, 'pods', pod.metadata?.uid ?? '', 'containers'),
      envContext: {
        hostIPs: this.opts.hostIPs,
        podIPs: pod.spec?.hostNetwork ? this.opts.hostIPs : podIPs,
        nodeAllocatable: this.opts.nodeAllocatable,
        serviceEnv: serviceEnvVars(pod, services),
      },
    };
  }

  /** Stops every running container (in parallel, each with the grace period), then the sandboxes. */
  private async stopPod(pod: Pod, status: RuntimePodStatus | undefined, graceOverride: number | undefined, result?: PodSyncResult): Promise<void> {
    const running = (status?.containerStatuses ?? []).filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_UNKNOWN' || c.state === 'CONTAINER_CREATED');
    await Promise.all(running.map((c) => killContainer(this.cri, this.opts.recorder, pod, { id: c.id, name: c.name, running: c.state === 'CONTAINER_RUNNING' }, graceOverride)));
    result?.killed.push(...running.map((c) => c.name));
    for (const s of status?.sandboxStatuses ?? []) {
      if (s.state === 'SANDBOX_READY') await this.cri.stopPodSandbox(s.id);
    }
  }

  async killPod(pod: Pod, gracePeriodOverrideSeconds?: number): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const status = await readPodStatus(this.cri, uid);
    await this.stopPod(pod, status, gracePeriodOverrideSeconds);
    // RemovePodSandbox removes the sandbox's containers too.
    for (const s of status?.sandboxStatuses ?? []) await this.cri.removePodSandbox(s.id);
    for (const c of status?.containerStatuses ?? []) await this.cri.removeContainer(c.id);
  }

  /**
   * Everything of a pod that is gone from the API: containers, sandboxes, volumes, its pod
   * directory and logs (upstream: pod cleanup in HandlePodCleanups + container GC).
   */
  async removePod(uid: string): Promise<void> {
    const status = await readPodStatus(this.cri, uid);
    for (const c of status?.containerStatuses ?? []) {
      if (c.state === 'CONTAINER_RUNNING') await this.cri.stopContainer(c.id, 0);
      await this.cri.removeContainer(c.id);
    }
    for (const s of status?.sandboxStatuses ?? []) {
      await this.cri.stopPodSandbox(s.id);
      await this.cri.removePodSandbox(s.id);
    }
    await this.opts.volumes.unmountPodVolumes(uid);
    rmSync(path.join(this.opts.kubeletRoot, 'pods', uid), { recursive: true, force: true });
    if (status) {
      const logDir = podLogDirectory({ metadata: { uid, name: status.name, namespace: status.namespace } }, this.opts.podLogsRoot ?? DEFAULT_POD_LOGS_ROOT);
      rmSync(logDir, { recursive: true, force: true });
    }
    this.reasons.delete(uid);
  }

  /** Container GC within a pod: only the newest dead instance of each container stays. */
  private async pruneDeadContainers(status: RuntimePodStatus | undefined): Promise<void> {
    const kept = new Map<string, number>();
    for (const c of status?.containerStatuses ?? []) {
      if (c.state !== 'CONTAINER_EXITED') continue;
      const n = kept.get(c.name) ?? 0;
      // The newest instance, exited or not, is what computePodActions reads: never remove it.
      const newest = findContainerStatus(status, c.name)?.id === c.id;
      if (newest || n < MAX_DEAD_PER_CONTAINER) {
        kept.set(c.name, n + 1);
        continue;
      }
      await this.opts.containerLogs?.clean(c.id).catch(() => undefined);
      await this.cri.removeContainer(c.id);
    }
  }

  getPodStatus(uid: string): Promise<RuntimePodStatus | undefined> {
    return readPodStatus(this.cri, uid);
  }

  /** `probes`: the prober's started/ready verdicts by container (without: running means both). */
  apiPodStatus(pod: Pod, status: RuntimePodStatus | undefined, probes?: Pick<ApiStatusInput, 'started' | 'ready'>): ApiPodStatus {
    return apiPodStatus(pod, status, { failures: this.reasons.get(pod.metadata?.uid ?? '') ?? new Map(), hostIPs: this.opts.hostIPs, ...probes });
  }

  listPods(): Promise<RuntimePod[]> {
    return listRuntimePods(this.cri);
  }

  /** For a pod worker: the grace period a kill of this pod would use. */
  gracePeriodSeconds(pod: Pod, overrideSeconds?: number): number {
    return gracePeriodSeconds(pod, overrideSeconds);
  }
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}
