// Making sure a container's image is on the node (upstream pkg/kubelet/images/image_manager.go
// EnsureImageExists): the pull policy decides, failures back off per (pod, image), and the
// Pulling/Pulled/Failed/BackOff/ErrImageNeverPull events say what happened.
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { defaultPullPolicy } from '../../../controlplane/api/defaults/podDefaults.ts';
import { CriError, type CriClient } from '../cri/criClient.ts';
import type { AuthConfig, PodSandboxConfig } from '../cri/criTypes.ts';
import { Backoff } from './backoff.ts';
import type { ObjectLookup, PodEventRecorder, StartFailure } from './types.ts';

/** Container waiting reasons (upstream pkg/kubelet/images/types.go). */
export const ERR_IMAGE_PULL = 'ErrImagePull';
export const ERR_IMAGE_PULL_BACKOFF = 'ImagePullBackOff';
export const ERR_IMAGE_NEVER_PULL = 'ErrImageNeverPull';
export const ERR_IMAGE_INSPECT = 'ImageInspectError';
export const ERR_INVALID_IMAGE_NAME = 'InvalidImageName';

export type EnsureImageResult = { ok: true; imageRef: string } | ({ ok: false } & StartFailure);

/** "busybox" → "busybox:latest"; a tag or digest stays (upstream applyDefaultImageTag). */
export function applyDefaultImageTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

/** Upstream shouldPullImage. */
export function shouldPullImage(policy: string, present: boolean): boolean {
  if (policy === 'Never') return false;
  if (policy === 'Always') return true;
  return !present; // IfNotPresent
}

/** The registry host an image reference names (docker.io when none). */
export function imageRegistry(image: string): string {
  const first = image.split('/')[0];
  if (!image.includes('/') || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return 'docker.io';
  return first;
}

const DOCKER_HUB_KEYS = ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io'];

/** Credentials from the pod's imagePullSecrets (kubernetes.io/dockerconfigjson) for the image's registry. */
export function pullAuth(image: string, secrets: Secret[]): AuthConfig | undefined {
  const registry = imageRegistry(image);
  const wanted = registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
  for (const secret of secrets) {
    const raw = secret.data?.['.dockerconfigjson'] ?? secret.data?.['.dockercfg'];
    if (!raw) continue;
    let parsed: { auths?: Record<string, { username?: string; password?: string; auth?: string }> } & Record<string, unknown>;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
      continue; // an unreadable secret gives no credentials, as upstream
    }
    const auths = (parsed.auths ?? parsed) as Record<string, { username?: string; password?: string; auth?: string }>;
    for (const key of Object.keys(auths)) {
      if (!wanted.includes(key.replace(/\/+$/, '')) && !wanted.includes(key)) continue;
      const a = auths[key];
      let { username, password } = a;
      if (a.auth && (!username || !password)) [username, password] = Buffer.from(a.auth, 'base64').toString('utf8').split(/:(.*)/s, 2);
      return { username, password, server_address: registry };
    }
  }
  return undefined;
}

export function containerFieldPath(pod: Pod, container: Container): string {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === container.name);
  return `spec.${isInit ? 'initContainers' : 'containers'}{${container.name}}`;
}

export class ImagePuller {
  readonly backoff: Backoff;

  constructor(
    private readonly cri: CriClient,
    private readonly recorder: PodEventRecorder,
    backoff?: Backoff,
  ) {
    this.backoff = backoff ?? new Backoff();
  }

  async ensureImageExists(pod: Pod, container: Container, lookup: ObjectLookup, sandboxConfig: PodSandboxConfig): Promise<EnsureImageResult> {
    const requested = container.image ?? '';
    const fieldPath = containerFieldPath(pod, container);
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => this.recorder.event(pod, type, reason, message, fieldPath);
    if (!requested) return { ok: false, reason: ERR_INVALID_IMAGE_NAME, message: `Failed to apply default image tag "": couldn't parse image name "": invalid reference format` };
    const image = applyDefaultImageTag(requested);
    const policy = container.imagePullPolicy || defaultPullPolicy(requested);

    let present: string | undefined;
    try {
      present = (await this.cri.imageStatus({ image }))?.id;
    } catch (err) {
      const message = `Failed to inspect image "${requested}": ${(err as Error).message}`;
      event('Warning', 'InspectFailed', message);
      return { ok: false, reason: ERR_IMAGE_INSPECT, message };
    }

    if (!shouldPullImage(policy, present !== undefined)) {
      if (present) {
        event('Normal', 'Pulled', `Container image "${requested}" already present on machine`);
        return { ok: true, imageRef: present };
      }
      const message = `Container image "${requested}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', message);
      return { ok: false, reason: ERR_IMAGE_NEVER_PULL, message };
    }

    const key = `${pod.metadata?.uid}_${requested}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image "${requested}"`;
      event('Normal', 'BackOff', message);
      return { ok: false, reason: ERR_IMAGE_PULL_BACKOFF, message };
    }

    event('Normal', 'Pulling', `Pulling image "${requested}"`);
    const started = performance.now();
    const secrets: Secret[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      const s = ref.name ? await lookup.getSecret(pod.metadata?.namespace ?? 'default', ref.name) : undefined;
      if (s) secrets.push(s);
    }
    try {
      const imageRef = await this.cri.pullImage({ image }, pullAuth(image, secrets), sandboxConfig);
      const seconds = ((performance.now() - started) / 1000).toFixed(3);
      const size = (await this.cri.imageStatus({ image: imageRef }).catch(() => undefined))?.size ?? '0';
      event('Normal', 'Pulled', `Successfully pulled image "${requested}" in ${seconds}s (${seconds}s including waiting). Image size: ${size} bytes.`);
      this.backoff.gc();
      return { ok: true, imageRef };
    } catch (err) {
      const detail = err instanceof CriError ? err.details : (err as Error).message;
      event('Warning', 'Failed', `Failed to pull image "${requested}": ${detail}`);
      this.backoff.next(key, this.backoff.now());
      return { ok: false, reason: ERR_IMAGE_PULL, message: detail };
    }
  }
}
