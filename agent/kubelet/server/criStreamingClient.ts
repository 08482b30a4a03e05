// CRI's streaming calls: Exec and PortForward do not stream themselves, they return a single-use
// URL on the runtime's stream server that the kubelet then connects to (upstream
// pkg/kubelet/kuberuntime/kuberuntime_container.go GetExec, kuberuntime_sandbox.go
// GetPortForward). The URL lives on the loopback of the node's network namespace, which is where
// the kubelet runs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CriError, RUNTIME_REQUEST_TIMEOUT_MS } from '../cri/criClient.ts';

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** What the kubelet server needs from the runtime for exec and port-forward. */
export interface StreamingRuntime {
  /** CRI Exec → the stream server URL for this exec. */
  exec(req: ExecRequest): Promise<string>;
  /** CRI PortForward → the stream server URL for the sandbox's ports. */
  portForward(podSandboxId: string, ports: number[]): Promise<string>;
  close(): void;
}

/** StreamingRuntime over the CRI socket (its own channel: the two calls are rare and short). */
export class CriStreamingClient implements StreamingRuntime {
  private readonly client: grpc.Client;

  constructor(endpoint: string) {
    const definition = protoLoader.loadSync('cri/api.proto', {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [PROTO_ROOT],
    });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: Record<string, grpc.ServiceClientConstructor> } };
    const target = endpoint.startsWith('unix:') ? endpoint : `unix://${path.resolve(endpoint)}`;
    this.client = new pkg.runtime.v1.RuntimeService(target, grpc.credentials.createInsecure());
  }

  private call<T>(method: string, req: object): Promise<T> {
    const fn = (this.client as unknown as Record<string, Function>)[method];
    return new Promise<T>((resolve, reject) => {
      fn.call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + RUNTIME_REQUEST_TIMEOUT_MS }, (err: grpc.ServiceError | null, res: T) => {
        if (err) reject(new CriError(method, err.code === grpc.status.NOT_FOUND ? 'NotFound' : 'Unknown', err.details || err.message));
        else resolve(res);
      });
    });
  }

  async exec(req: ExecRequest): Promise<string> {
    const res = await this.call<{ url: string }>('Exec', {
      container_id: req.containerId,
      cmd: req.cmd,
      tty: req.tty,
      stdin: req.stdin,
      stdout: req.stdout,
      stderr: req.stderr,
    });
    return res.url;
  }

  async portForward(podSandboxId: string, ports: number[]): Promise<string> {
    const res = await this.call<{ url: string }>('PortForward', { pod_sandbox_id: podSandboxId, port: ports });
    return res.url;
  }

  close(): void {
    this.client.close();
  }
}
