// /exec/{namespace}/{pod}/{container} and /portForward/{namespace}/{pod}: find what to stream
// to, ask the runtime for a stream URL (CRI Exec / PortForward), then hand the client's
// upgraded connection to it — bridged for WebSocket clients (to SPDY for v5, see execBridge.ts),
// spliced as is for SPDY clients
// (upstream pkg/kubelet/server/server.go getExec, getPortForward, proxyStream).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { bridgeExecWebSocket } from './execBridge.ts';
import { asApiError, errors, rejectUpgrade } from './httpReplies.ts';
import { isPortForwardTunnel, requestedPorts, tunnelPortForward } from './portForwardTunnel.ts';
import { spliceUpgrade } from './upgradeProxy.ts';
import type { KubeletServerContext } from './types.ts';

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The kubelet's exec query: input/output/error/tty = "1" (remotecommand server NewOptions). */
export function parseExecOptions(query: URLSearchParams): ExecOptions {
  const on = (k: string) => query.get(k) === '1';
  const o: ExecOptions = { command: query.getAll('command'), stdin: on('input'), stdout: on('output'), stderr: on('error'), tty: on('tty') };
  // A terminal merges stderr into stdout: upstream drops stderr silently.
  if (o.tty && o.stderr) o.stderr = false;
  if (!o.stdin && !o.stdout && !o.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (o.command.length === 0) throw errors.badRequest('you must specify a command');
  return o;
}

function isWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export async function serveExec(
  ctx: KubeletServerContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  params: { namespace: string; pod: string; container: string },
  query: URLSearchParams,
): Promise<void> {
  let url: string;
  let opts: ExecOptions;
  try {
    opts = parseExecOptions(query);
    const pod = ctx.lookupPod(params.namespace, params.pod);
    if (!pod) throw errors.notFound('pod does not exist');
    // The running instance, from the runtime (upstream findContainer over the runtime's pods).
    const runtime = await ctx.runtimeStatus(pod.metadata?.uid ?? '');
    const container = runtime?.containerStatuses.find((c) => c.name === params.container && c.state === 'CONTAINER_RUNNING');
    if (!container) throw errors.internal(`container not found (${JSON.stringify(params.container)})`);
    url = await ctx.streaming.exec({ containerId: container.id, cmd: opts.command, tty: opts.tty, stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr });
    ctx.log.info({ pod: `${params.namespace}/${params.pod}`, container: params.container, command: opts.command, tty: opts.tty }, 'exec');
  } catch (err) {
    rejectUpgrade(socket, asApiError(err));
    return;
  }
  if (isWebSocket(req)) await bridgeExecWebSocket(req, socket, head, url, opts, ctx.log);
  else await spliceUpgrade(url, req, socket, head);
}

export async function servePortForward(
  ctx: KubeletServerContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  params: { namespace: string; pod: string },
  query: URLSearchParams,
): Promise<void> {
  let url: string;
  try {
    const ports = requestedPorts(query);
    const pod = ctx.lookupPod(params.namespace, params.pod);
    if (!pod) throw errors.notFound('pod does not exist');
    // The newest sandbox (upstream getSandboxIDByPodUID(...)[0]); the runtime connects inside its network namespace.
    const runtime = await ctx.runtimeStatus(pod.metadata?.uid ?? '');
    const sandbox = runtime?.sandboxStatuses.find((s) => s.state === 'SANDBOX_READY');
    if (!sandbox) throw errors.internal(`failed to find sandboxID for pod ${params.namespace}/${params.pod}`);
    url = await ctx.streaming.portForward(sandbox.id, ports);
    ctx.log.info({ pod: `${params.namespace}/${params.pod}`, ports }, 'port-forward');
  } catch (err) {
    rejectUpgrade(socket, asApiError(err));
    return;
  }
  if (isWebSocket(req)) {
    if (!isPortForwardTunnel(req)) {
      rejectUpgrade(socket, errors.badRequest('port-forward over WebSocket needs the subprotocol SPDY/3.1+portforward.k8s.io'));
      return;
    }
    await tunnelPortForward(req, socket, head, url);
  } else {
    await spliceUpgrade(url, req, socket, head);
  }
}
