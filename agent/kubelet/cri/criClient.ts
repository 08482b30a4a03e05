// A typed CRI v1 client: RuntimeService and ImageService over a unix socket, the way the
// kubelet's remote runtime (staging/src/k8s.io/cri-client/pkg/remote_runtime.go,
// remote_image.go) talks to containerd. Every call carries a deadline; failures become a
// CriError with a stable code, and "not found" on reads and idempotent deletes is a value
// (undefined / success), not an exception.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  ExecSyncResult,
  FilesystemUsage,
  Image,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeCondition,
  VersionResponse,
} from './criTypes.ts';

/** kubelet --runtime-request-timeout default (2m), applied to every call but PullImage. */
export const RUNTIME_REQUEST_TIMEOUT_MS = 2 * 60_000;
/** Upstream's maxMsgSize for CRI responses (cri-client/pkg/remote_runtime.go): 16 MiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

// The options that work with containerd 1.6 (../shared/reference/cri-api/README.md).
const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

/** Stable error codes: the gRPC status names the kubelet branches on. */
export type CriErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidArgument'
  | 'DeadlineExceeded'
  | 'Unavailable'
  | 'Unimplemented'
  | 'Canceled'
  | 'Unknown'
  | 'Internal'
  | 'FailedPrecondition'
  | 'ResourceExhausted'
  | 'PermissionDenied'
  | 'Unauthenticated';

const CODE_NAMES: Record<number, CriErrorCode> = {
  [grpc.status.NOT_FOUND]: 'NotFound',
  [grpc.status.ALREADY_EXISTS]: 'AlreadyExists',
  [grpc.status.INVALID_ARGUMENT]: 'InvalidArgument',
  [grpc.status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [grpc.status.UNAVAILABLE]: 'Unavailable',
  [grpc.status.UNIMPLEMENTED]: 'Unimplemented',
  [grpc.status.CANCELLED]: 'Canceled',
  [grpc.status.INTERNAL]: 'Internal',
  [grpc.status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [grpc.status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [grpc.status.PERMISSION_DENIED]: 'PermissionDenied',
  [grpc.status.UNAUTHENTICATED]: 'Unauthenticated',
};

/** A failed CRI call: `code` is the gRPC status, `details` containerd's message. */
export class CriError extends Error {
  override readonly name = 'CriError';
  constructor(
    readonly method: string,
    readonly code: CriErrorCode,
    readonly details: string,
  ) {
    super(`${method}: ${code}: ${details}`);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === 'NotFound';
}

export interface CriClientOptions {
  /** containerd's socket, absolute: "/run/containerd/containerd.sock" or "unix:///..." */
  endpoint: string;
  /** Deadline for every call but PullImage; default RUNTIME_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
}

type Callback = (err: grpc.ServiceError | null, res: unknown) => void;
type UnaryMethod = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => void;

/** The RuntimeService and ImageService methods the kubelet uses. */
export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly image: grpc.Client;
  private readonly timeoutMs: number;

  constructor(options: CriClientOptions) {
    const definition = protoLoader.loadSync('cri/api.proto', { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      runtime: { v1: Record<string, grpc.ServiceClientConstructor> };
    };
    const target = options.endpoint.startsWith('unix:') ? options.endpoint : `unix://${path.resolve(options.endpoint)}`;
    const channelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    };
    this.runtime = new pkg.runtime.v1.RuntimeService(target, grpc.credentials.createInsecure(), channelOptions);
    // Both services share one channel to the socket, like upstream's single connection.
    this.image = new pkg.runtime.v1.ImageService(target, grpc.credentials.createInsecure(), {
      ...channelOptions,
      channelOverride: this.runtime.getChannel(),
    });
    this.timeoutMs = options.requestTimeoutMs ?? RUNTIME_REQUEST_TIMEOUT_MS;
  }

  close(): void {
    this.image.close();
    this.runtime.close();
  }

  /** timeoutMs null: no deadline (an explicit undefined would take the default). */
  private call<T>(client: grpc.Client, method: string, req: object, timeoutMs: number | null = this.timeoutMs): Promise<T> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    const opts: grpc.CallOptions = timeoutMs === null ? {} : { deadline: Date.now() + timeoutMs };
    return new Promise<T>((resolve, reject) => {
      fn.call(client, req, new grpc.Metadata(), opts, (err, res) => {
        if (err) reject(new CriError(method, CODE_NAMES[err.code] ?? 'Unknown', err.details || err.message));
        else resolve(res as T);
      });
    });
  }

  // ---- RuntimeService ----

  async version(): Promise<VersionResponse> {
    return this.call(this.runtime, 'Version', { version: 'v1' });
  }

  /** Runtime conditions (RuntimeReady, NetworkReady). */
  async status(): Promise<RuntimeCondition[]> {
    const res = await this.call<{ status: { conditions: RuntimeCondition[] } | null }>(this.runtime, 'Status', {});
    return res.status?.conditions ?? [];
  }

  /** Status with the runtime's verbose info (containerd: its CRI config as JSON under "config"). */
  async verboseStatus(): Promise<Record<string, string>> {
    const res = await this.call<{ info: Record<string, string> }>(this.runtime, 'Status', { verbose: true });
    return res.info ?? {};
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const res = await this.call<{ pod_sandbox_id: string }>(this.runtime, 'RunPodSandbox', {
      config,
      runtime_handler: runtimeHandler,
    });
    return res.pod_sandbox_id;
  }

  /** Idempotent: stopping a sandbox that is gone succeeds. */
  async stopPodSandbox(id: string): Promise<void> {
    await this.ignoreNotFound(this.call(this.runtime, 'StopPodSandbox', { pod_sandbox_id: id }));
  }

  /** Idempotent: removing a sandbox that is gone succeeds. */
  async removePodSandbox(id: string): Promise<void> {
    await this.ignoreNotFound(this.call(this.runtime, 'RemovePodSandbox', { pod_sandbox_id: id }));
  }

  /** The sandbox's status, or undefined when the runtime no longer knows it. */
  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    const res = await this.ignoreNotFound(
      this.call<{ status: PodSandboxStatus }>(this.runtime, 'PodSandboxStatus', { pod_sandbox_id: id }),
    );
    return res?.status;
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const res = await this.call<{ items: PodSandbox[] }>(this.runtime, 'ListPodSandbox', filter ? { filter } : {});
    return res.items;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const res = await this.call<{ container_id: string }>(this.runtime, 'CreateContainer', {
      pod_sandbox_id: podSandboxId,
      config,
      sandbox_config: sandboxConfig,
    });
    return res.container_id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { container_id: id });
  }

  /**
   * Stops a container: its stop signal, then SIGKILL after `timeoutSeconds`. The deadline is the
   * grace period plus the request timeout, as upstream's remote runtime does.
   */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.ignoreNotFound(
      this.call(this.runtime, 'StopContainer', { container_id: id, timeout: timeoutSeconds }, this.timeoutMs + timeoutSeconds * 1000),
    );
  }

  async removeContainer(id: string): Promise<void> {
    await this.ignoreNotFound(this.call(this.runtime, 'RemoveContainer', { container_id: id }));
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const res = await this.call<{ containers: Container[] }>(this.runtime, 'ListContainers', filter ? { filter } : {});
    return res.containers;
  }

  /** The container's status, or undefined when the runtime no longer knows it. */
  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const res = await this.ignoreNotFound(
      this.call<{ status: ContainerStatus }>(this.runtime, 'ContainerStatus', { container_id: id }),
    );
    return res?.status;
  }

  /** Asks the runtime to reopen the container's log file (after the kubelet renamed it for rotation). */
  async reopenContainerLog(id: string): Promise<void> {
    await this.call(this.runtime, 'ReopenContainerLog', { container_id: id });
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    return this.call(this.runtime, 'ExecSync', { container_id: id, cmd, timeout: timeoutSeconds }, this.timeoutMs + timeoutSeconds * 1000);
  }

  // ---- ImageService ----

  /** The image if present on the node, else undefined (CRI answers an empty image). */
  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    const res = await this.call<{ image: Image | null }>(this.image, 'ImageStatus', { image });
    return res.image && res.image.id ? res.image : undefined;
  }

  /** Pulls an image; no deadline, as upstream (a large image may take long). Returns its ref. */
  async pullImage(image: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const res = await this.call<{ image_ref: string }>(
      this.image,
      'PullImage',
      { image, auth, sandbox_config: sandboxConfig },
      null,
    );
    return res.image_ref;
  }

  async listImages(): Promise<Image[]> {
    const res = await this.call<{ images: Image[] }>(this.image, 'ListImages', {});
    return res.images;
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await this.ignoreNotFound(this.call(this.image, 'RemoveImage', { image }));
  }

  /** Usage of the filesystem(s) holding images. */
  async imageFsInfo(): Promise<FilesystemUsage[]> {
    const res = await this.call<{ image_filesystems: FilesystemUsage[] }>(this.image, 'ImageFsInfo', {});
    return res.image_filesystems ?? [];
  }

  private async ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
