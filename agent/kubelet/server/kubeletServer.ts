// The kubelet's HTTPS server (:10250): what the API server reaches for `kubectl logs`, `exec`
// and `port-forward`, plus /healthz and /pods (upstream pkg/kubelet/server/server.go).
//
//   GET  /healthz                                  "ok", to anyone
//   GET  /pods                                     PodList of the pods this kubelet runs
//   GET  /containerLogs/{ns}/{pod}/{container}     ?follow&tailLines&timestamps&previous&sinceSeconds&sinceTime&limitBytes
//   GET  /exec/{ns}/{pod}/{container}              ?command=…&input=1&output=1&error=1&tty=1, upgraded
//   GET  /portForward/{ns}/{pod}                   upgraded
//
// Clients authenticate with a certificate signed by the cluster CA (the API server's
// kube-apiserver-kubelet-client). Upstream then asks the API server whether that user may use
// the endpoint (SubjectAccessReview); here every CA-signed client is allowed, like the API
// server's own system:masters identity would be.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { CriClient } from '../cri/criClient.ts';
import { serveContainerLogs } from './containerLogsHandler.ts';
import { CriStreamingClient, type StreamingRuntime } from './criStreamingClient.ts';
import { errors, rejectUpgrade, writeError } from './httpReplies.ts';
import { serveExec, servePortForward } from './streamingHandlers.ts';
import type { KubeletServerContext, PodSource, ServerLog } from './types.ts';

/** kubelet --port default. */
export const DEFAULT_KUBELET_PORT = 10250;

export interface KubeletServerOptions extends PodSource {
  /** --address (default 0.0.0.0 upstream; the node's InternalIP is the safer choice in the lab). */
  bindAddress: string;
  /** --port; 0 picks a free one (tests). */
  port: number;
  tls: {
    /** Serving certificate and key, PEM (servingCertificate.ts makes one). */
    cert: string;
    key: string;
    /** --client-ca-file: the cluster CA that signs the API server's client certificate. */
    clientCA: string;
  };
  /** For container status and log paths. */
  cri: CriClient;
  /** CRI Exec / PortForward; default: a CriStreamingClient on `criEndpoint`. */
  streaming?: StreamingRuntime;
  /** containerd's socket, for the default streaming client. */
  criEndpoint?: string;
  log: ServerLog;
}

export interface KubeletServer {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

type Route =
  | { kind: 'healthz' }
  | { kind: 'pods' }
  | { kind: 'containerLogs'; namespace: string; pod: string; container: string }
  | { kind: 'exec'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string };

/** Maps a path to its endpoint (path segments URL-decoded). */
export function route(pathname: string): Route | undefined {
  const parts = pathname.split('/').slice(1).map((p) => decodeURIComponent(p));
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  const [head, ns, pod, container] = parts;
  if (parts.length === 1 && head === 'healthz') return { kind: 'healthz' };
  if (parts.length === 1 && head === 'pods') return { kind: 'pods' };
  if (parts.length === 4 && head === 'containerLogs') return { kind: 'containerLogs', namespace: ns!, pod: pod!, container: container! };
  if (parts.length === 4 && head === 'exec') return { kind: 'exec', namespace: ns!, pod: pod!, container: container! };
  if (parts.length === 3 && head === 'portForward') return { kind: 'portForward', namespace: ns!, pod: pod! };
  return undefined;
}

/** True when the client presented a certificate that chains to the client CA. */
function authenticated(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).authorized === true;
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  let streaming = o.streaming;
  const ownsStreaming = !streaming;
  if (!streaming) {
    if (!o.criEndpoint) throw new Error('startKubeletServer: give streaming or criEndpoint');
    streaming = new CriStreamingClient(o.criEndpoint);
  }
  const ctx: KubeletServerContext = {
    cri: o.cri,
    streaming,
    log: o.log,
    lookupPod: o.lookupPod,
    listPods: o.listPods,
    runtimeStatus: o.runtimeStatus,
  };

  const server: Server = createServer({
    cert: o.tls.cert,
    key: o.tls.key,
    ca: o.tls.clientCA,
    // Ask for a certificate but let the handshake through without one: /healthz is open, the
    // rest checks `authorized` itself and answers 401.
    requestCert: true,
    rejectUnauthorized: false,
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const r = route(url.pathname);
    if (r?.kind === 'healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (!authenticated(req)) return writeError(res, errors.unauthorized());
    if (!r) return writeError(res, errors.notFound('the server could not find the requested resource'));
    if (req.method !== 'GET' && req.method !== 'POST') return writeError(res, errors.badRequest(`method ${req.method} is not allowed`));
    switch (r.kind) {
      case 'pods':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: o.listPods() }));
        return;
      case 'containerLogs':
        void serveContainerLogs(ctx, res, r, url.searchParams);
        return;
      case 'exec':
      case 'portForward':
        return writeError(res, errors.badRequest('Upgrade request required'));
    }
  });

  // Upgraded connections leave the server's bookkeeping: kept here so close() can end them.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const r = route(url.pathname);
    if (!authenticated(req)) return rejectUpgrade(socket, errors.unauthorized());
    const fail = (err: unknown) => {
      o.log.warn({ path: url.pathname, err: (err as Error)?.message }, 'stream failed');
      if (!socket.destroyed) rejectUpgrade(socket, err);
    };
    if (r?.kind === 'exec') serveExec(ctx, req, socket, head, r, url.searchParams).catch(fail);
    else if (r?.kind === 'portForward') servePortForward(ctx, req, socket, head, r, url.searchParams).catch(fail);
    else rejectUpgrade(socket, errors.notFound('the server could not find the requested resource'));
  });

  server.on('tlsClientError', (err) => o.log.debug({ err: err.message }, 'TLS handshake failed'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.log.info({ address: o.bindAddress, port }, 'kubelet server listening');

  return {
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      });
      if (ownsStreaming) streaming.close();
    },
  };
}
