// kubectl port-forward over WebSocket, tunnelled to the runtime's port-forward URL.
//
// kubectl 1.32 opens a WebSocket with the subprotocol SPDY/3.1+portforward.k8s.io and then runs
// an ordinary SPDY/3.1 client session inside it: the SPDY bytes travel as the payload of binary
// WebSocket messages, with no framing of their own (client-go tools/portforward
// tunneling_connection.go). Per forwarded connection it opens two SPDY streams with headers
// streamType=error|data, port and requestID.
//
// containerd's stream server serves exactly that SPDY session for CRI PortForward, connecting to
// the port inside the pod's network namespace (so hostNetwork pods and pods without a route
// from the node work alike). So the kubelet does not parse SPDY at all: it upgrades a connection
// to the runtime's URL with `Upgrade: SPDY/3.1` and `X-Stream-Protocol-Version:
// portforward.k8s.io`, then copies bytes — WebSocket message payloads to the runtime, runtime
// bytes out as binary messages. Upstream splits the same work between the API server's
// tunnelling handler and the kubelet's proxy to the CRI URL.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { asApiError, errors, rejectUpgrade } from './httpReplies.ts';
import { offeredProtocols } from './execBridge.ts';
import { upgradeTo } from './upgradeProxy.ts';

export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** The SPDY sub-protocol the runtime's port-forward server speaks (portforward.k8s.io, v1). */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** Runtime bytes queued toward a slow client before the runtime side is paused. */
const MAX_BUFFERED_TOWARD_CLIENT = 1024 * 1024;

// "SPDY/3.1+portforward.k8s.io" is not an RFC 6455 token ('/' is a separator), so `ws` refuses
// to parse it and would fail the handshake. The request's header is swapped for this token before
// `ws` reads it, and the answer names the real protocol, as kubectl (gorilla/websocket) expects.
const TOKEN_STAND_IN = 'k8ts-spdy-portforward-tunnel';

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => (offered.has(TOKEN_STAND_IN) ? PORT_FORWARD_TUNNEL_PROTOCOL : false),
});

/** Ports of ?ports=80&ports=8080 or ?port=…; the SPDY session names its own ports per stream anyway. */
export function requestedPorts(query: URLSearchParams): number[] {
  const out: number[] = [];
  for (const v of [...query.getAll('ports'), ...query.getAll('port')]) {
    for (const part of v.split(',')) {
      const n = Number(part.trim());
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw errors.badRequest(`invalid port ${JSON.stringify(part)}`);
      out.push(n);
    }
  }
  return out;
}

export function isPortForwardTunnel(req: IncomingMessage): boolean {
  return offeredProtocols(req).includes(PORT_FORWARD_TUNNEL_PROTOCOL);
}

/**
 * Completes the client's WebSocket upgrade and tunnels it to the runtime's port-forward `url`.
 * Answers an HTTP error instead when the runtime cannot be reached.
 */
export async function tunnelPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): Promise<void> {
  let runtime: Awaited<ReturnType<typeof upgradeTo>>;
  try {
    runtime = await upgradeTo(url, {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': PORT_FORWARD_PROTOCOL,
    });
  } catch (err) {
    rejectUpgrade(socket, asApiError(err));
    return;
  }
  const upstream = runtime.socket;
  upstream.pause();
  req.headers['sec-websocket-protocol'] = TOKEN_STAND_IN;
  wss.handleUpgrade(req, socket, head, (client) => {
    const closeBoth = () => {
      upstream.destroy();
      if (client.readyState === WebSocket.OPEN) client.close(1000);
    };
    if (runtime.head.length) client.send(runtime.head, { binary: true });
    upstream.on('data', (chunk: Buffer) => {
      client.send(chunk, { binary: true });
      if (client.bufferedAmount > MAX_BUFFERED_TOWARD_CLIENT) {
        upstream.pause();
        const resumeWhenDrained = () => {
          if (client.readyState !== WebSocket.OPEN) return;
          if (client.bufferedAmount > MAX_BUFFERED_TOWARD_CLIENT / 2) setTimeout(resumeWhenDrained, 10);
          else upstream.resume();
        };
        setTimeout(resumeWhenDrained, 10);
      }
    });
    client.on('message', (data) => {
      upstream.write(data as Buffer);
    });
    upstream.on('close', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.resume();
  });
}
