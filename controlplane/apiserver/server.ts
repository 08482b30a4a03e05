// The API server: HTTPS (HTTP/1.1; kubectl's h2 offer is declined by ALPN), authentication, then
// health, version, discovery and OpenAPI documents, and the resource REST handlers.
import { createServer, type Server } from 'node:https';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ApiError, errors } from '../api/errors.ts';
import { openapiV3Document, openapiV3Root } from '../api/schema/index.ts';
import { Authenticator, PUBLIC_PATHS } from './authn.ts';
import { aggregatedDiscovery, AGGREGATED_DISCOVERY_CONTENT_TYPE, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { negotiate, sendError, sendJSON } from './http.ts';
import { parseRequestInfo } from './requestInfo.ts';
import type { ApiContext, RequestScope } from './handlers/context.ts';
import { dispatch, resolveResource } from './handlers/dispatch.ts';
import type { ClusterPki } from './pki.ts';

export interface ApiServerOptions {
  ctx: ApiContext;
  pki: ClusterPki;
  authenticator: Authenticator;
  bindAddress: string;
  port: number;
  /** The address clients reach this server on (discovery's serverAddressByClientCIDRs). */
  advertiseAddress?: string;
}

export interface RunningApiServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Non-resource paths: health, version, discovery, OpenAPI. Returns false when the path is none of them. */
function serveNonResource(o: ApiServerOptions, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean {
  const parts = path.split('/').filter(Boolean);
  const { aggregatedDiscovery: wantsAggregated } = negotiate(req);
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    sendText(res, 200, 'ok');
    return true;
  }
  if (path === '/version') {
    sendJSON(res, 200, versionInfo());
    return true;
  }
  if (path === '/api' || path === '/apis') {
    if (wantsAggregated) {
      const body = JSON.stringify(aggregatedDiscovery(path === '/api'));
      res.writeHead(200, { 'Content-Type': AGGREGATED_DISCOVERY_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      sendJSON(res, 200, path === '/api' ? apiVersions(`${o.advertiseAddress ?? o.bindAddress}:${o.port}`) : apiGroupList());
    }
    return true;
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const doc = apiResourceList('', parts[1]!);
    if (!doc) return false;
    sendJSON(res, 200, doc);
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const doc = apiGroupDoc(parts[1]!);
    if (!doc) return false;
    sendJSON(res, 200, doc);
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const doc = apiResourceList(parts[1]!, parts[2]!);
    if (!doc) return false;
    sendJSON(res, 200, doc);
    return true;
  }
  if (path === '/openapi/v3') {
    sendJSON(res, 200, openapiV3Root());
    return true;
  }
  if (parts[0] === 'openapi' && parts[1] === 'v3' && parts.length > 2) {
    const doc = openapiV3Document(parts.slice(2).join('/'));
    if (!doc) return false;
    sendJSON(res, 200, doc, { 'Cache-Control': query.get('hash') ? 'public, immutable' : 'no-cache, private' });
    return true;
  }
  return false; // includes /openapi/v2: kubectl asks for it as protobuf only and tolerates 404
}

async function handle(o: ApiServerOptions, req: IncomingMessage, res: ServerResponse, upgradeHead?: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const path = url.pathname;
  const user = o.authenticator.authenticate(req);
  if (!user && !PUBLIC_PATHS.has(path)) throw errors.unauthorized();
  const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
  if (info.kind === 'nonresource') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    if (!serveNonResource(o, req, res, path, url.searchParams)) throw errors.pathNotFound();
    return;
  }
  const scope: RequestScope = {
    ctx: o.ctx,
    req,
    res,
    info,
    resource: resolveResource(info),
    query: url.searchParams,
    user: user!,
    accept: negotiate(req),
    warnings: [],
    upgradeHead,
  };
  await dispatch(scope);
}

export async function startApiServer(o: ApiServerOptions): Promise<RunningApiServer> {
  const server = createServer({
    cert: o.pki.serving.cert,
    key: o.pki.serving.key,
    ca: o.pki.ca.cert,
    requestCert: true, // client certificates are how kubectl's admin kubeconfig authenticates
    rejectUnauthorized: false, // ... but bearer tokens and the public endpoints need none
    ALPNProtocols: ['http/1.1'],
  });
  const log = o.ctx.log;
  const onError = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    if (!(err instanceof ApiError) || err.code >= 500) log.error({ err, method: req.method, url: req.url }, 'request failed');
    sendError(res, err);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(o, req, res).catch((err) => onError(req, res, err));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Errors before the upgrade are ordinary HTTP responses written on the raw socket.
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.on('finish', () => socket.end());
    handle(o, req, res, head).catch((err) => onError(req, res, err));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // Watches are long-lived: no request timeout; keep idle keep-alive connections a while.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `https://${o.bindAddress.includes(':') ? `[${o.bindAddress}]` : o.bindAddress}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
