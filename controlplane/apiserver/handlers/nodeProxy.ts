// pods/log, pods/exec, pods/attach and pods/portforward: the API server finds the pod's node and
// forwards the request to that node's kubelet (https://<InternalIP>:<kubeletEndpoint port>),
// piping the response or, for exec and port-forward, the upgraded connection both ways.
// Upstream: pkg/registry/core/pod/rest/log.go, subresources.go and pkg/kubelet/client.
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { errors } from '../../api/errors.ts';
import { findResource } from '../../api/resources.ts';
import type { Obj } from '../registry/store.ts';
import type { RequestScope } from './context.ts';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface KubeletClientCredentials {
  cert: string;
  key: string;
}

let kubeletClient: KubeletClientCredentials | undefined;
export function setKubeletClientCredentials(c: KubeletClientCredentials): void {
  kubeletClient = c;
}

/** Which container a request means: ?container=, the default-container annotation, or the only one. */
export function chooseContainer(pod: Obj, requested: string | null): string {
  const names: string[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: Obj) => c.name);
  const name = pod.metadata?.name;
  if (requested) {
    if (!names.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return annotated;
  const app: string[] = (pod.spec?.containers ?? []).map((c: Obj) => c.name);
  if (app.length === 1) return app[0]!;
  throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]`);
}

export function nodeAddress(node: Obj): string | undefined {
  const addrs: Obj[] = node.status?.addresses ?? [];
  return (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'Hostname'))?.address;
}

/** The kubelet path for a subresource request (upstream's kubelet server routes). */
export function kubeletPath(sub: string, pod: Obj, container: string | undefined, q: URLSearchParams): string {
  const ns = encodeURIComponent(pod.metadata.namespace);
  const name = encodeURIComponent(pod.metadata.name);
  const c = container ? `/${encodeURIComponent(container)}` : '';
  const out = new URLSearchParams();
  if (sub === 'log') {
    for (const k of ['follow', 'tailLines', 'timestamps', 'previous', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
      const v = q.get(k);
      if (v !== null) out.set(k, v);
    }
    return `/containerLogs/${ns}/${name}${c}?${out}`;
  }
  if (sub === 'portforward') return `/portForward/${ns}/${name}?${q}`;
  for (const cmd of q.getAll('command')) out.append('command', cmd);
  // The API server says stdin/stdout/stderr; the kubelet says input/output/error.
  if (q.get('stdin') === 'true') out.set('input', '1');
  if (q.get('stdout') === 'true') out.set('output', '1');
  if (q.get('stderr') === 'true') out.set('error', '1');
  if (q.get('tty') === 'true') out.set('tty', '1');
  return `/${sub}/${ns}/${name}${c}?${out}`;
}

export async function handleNodeProxy(s: RequestScope): Promise<void> {
  const sub = s.info.subresource!;
  const pod = await s.ctx.store.get(PODS, s.info.namespace, s.info.name!);
  const container = sub === 'portforward' ? undefined : chooseContainer(pod, s.query.get('container'));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const node = await s.ctx.store.tryGet(NODES, undefined, nodeName);
  const host = node && nodeAddress(node);
  if (!host) throw errors.badRequest(`node "${nodeName}" has no address to reach its kubelet`);
  const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? s.ctx.kubeletPort;
  const path = kubeletPath(sub, pod, container, s.query);

  const headers: Record<string, string | string[]> = {};
  for (const h of ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version']) {
    const v = s.req.headers[h];
    if (v !== undefined) headers[h] = v;
  }
  const upstream = httpsRequest({
    host,
    port,
    path,
    method: s.req.method,
    headers,
    cert: kubeletClient?.cert,
    key: kubeletClient?.key,
    rejectUnauthorized: false, // upstream default without --kubelet-certificate-authority
  });
  await new Promise<void>((resolve, reject) => {
    upstream.on('error', (e) => reject(errors.internal(`error trying to reach the kubelet on ${nodeName} (${host}:${port}): ${e.message}`)));
    upstream.on('response', (resp: IncomingMessage) => {
      s.res.writeHead(resp.statusCode ?? 502, resp.headers);
      resp.pipe(s.res);
      resp.on('end', resolve);
      s.req.on('close', () => resp.destroy());
    });
    upstream.on('upgrade', (resp: IncomingMessage, kubeletSocket: Socket, head: Buffer) => {
      const client = s.req.socket;
      const lines = [`HTTP/1.1 ${resp.statusCode} ${resp.statusMessage}`];
      for (let i = 0; i < resp.rawHeaders.length; i += 2) lines.push(`${resp.rawHeaders[i]}: ${resp.rawHeaders[i + 1]}`);
      client.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) client.write(head);
      if (s.upgradeHead?.length) kubeletSocket.write(s.upgradeHead);
      kubeletSocket.pipe(client).pipe(kubeletSocket);
      const close = () => {
        kubeletSocket.destroy();
        client.destroy();
        resolve();
      };
      kubeletSocket.on('close', close);
      client.on('close', close);
    });
    if (s.upgradeHead) upstream.end(); // an upgrade request has no body; its socket is piped above
    else s.req.pipe(upstream);
  });
}
