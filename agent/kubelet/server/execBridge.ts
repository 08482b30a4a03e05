// kubectl exec over WebSocket, bridged to the runtime's exec URL.
//
// kubectl 1.32 speaks the channel protocol v5.channel.k8s.io: binary messages whose first byte is
// the channel — 0 stdin, 1 stdout, 2 stderr, 3 status (a metav1.Status as JSON), 4 resize
// ({"Width","Height"}) — plus v5's close message [255, channel] when its stdin ends.
// containerd 1.6's stream server knows WebSocket only up to v4.channel.k8s.io, which has the same
// channels but no way to end stdin; its SPDY/3.1 side can (a half-closed stdin stream). So:
//   v5 clients   the kubelet accepts the WebSocket and opens a SPDY session to the runtime
//                (spdyExecClient.ts): channel n ↔ the stream of the same type, [255, 0] → FIN
//                on stdin, the Status passes through, so `kubectl exec` exits with the command's
//                code and `echo hi | kubectl exec -i POD -- cat` ends. Upstream does the same
//                translation in the API server (StreamTranslatorHandler, WebSocket v5 → SPDY).
//   older ones   (v4, base64, channel.k8s.io) are relayed message by message to the runtime's
//                WebSocket with the same protocol: they cannot end stdin either.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { asApiError, errors, rejectUpgrade } from './httpReplies.ts';
import { SPDY_EXEC_PROTOCOL, openSpdyExec, type ExecStreams, type OutputChannel, type SpdyExecSession } from './spdyExecClient.ts';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
/** What containerd's stream server accepts (its remotecommand websocket.go), best first. */
const RUNTIME_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];
/** What the kubelet accepts from clients, best first. */
export const EXEC_PROTOCOLS = [V5_PROTOCOL, ...RUNTIME_PROTOCOLS];

/** v5's close message: [255, channel]. */
const CLOSE_CHANNEL = 255;
const STDIN_CHANNEL = 0;
const RESIZE_CHANNEL = 4;
const OUTPUT_CHANNELS: Record<OutputChannel, number> = { stdout: 1, stderr: 2, error: 3 };
/** Runtime output queued toward a slow client before reading from the runtime pauses. */
const MAX_BUFFERED_TOWARD_CLIENT = 1024 * 1024;

/** The client's offered protocols (Sec-WebSocket-Protocol, comma separated). */
export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The protocol to answer with: the best the kubelet knows among those offered; '' when none was offered. */
export function chooseExecProtocol(offered: string[]): string | undefined {
  if (offered.length === 0) return '';
  return EXEC_PROTOCOLS.find((p) => offered.includes(p));
}


/** How the kubelet speaks to the runtime for a client's protocol: v5 as SPDY (it can end stdin), the rest as is. */
export function runtimeTransportFor(clientProtocol: string): { transport: 'spdy' | 'websocket'; protocol: string } {
  return clientProtocol === V5_PROTOCOL ? { transport: 'spdy', protocol: SPDY_EXEC_PROTOCOL } : { transport: 'websocket', protocol: clientProtocol };
}

/** Opens the runtime side; resolves once it is open, with the messages it sent meanwhile kept. */
function connectRuntime(url: string, protocol: string): Promise<{ ws: WebSocket; early: { data: RawData; binary: boolean }[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), protocol ? [protocol] : []);
    const early: { data: RawData; binary: boolean }[] = [];
    const onEarly = (data: RawData, binary: boolean) => early.push({ data, binary });
    ws.on('message', onEarly);
    ws.once('open', () => {
      ws.off('message', onEarly);
      resolve({ ws, early });
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(errors.internal(`runtime stream server refused the exec stream: HTTP ${res.statusCode}`));
    });
    ws.once('error', (e) => reject(errors.internal(`error connecting to the runtime stream server: ${e.message}`)));
  });
}

/** Accepts clients' upgrades; answers with the same choice as chooseExecProtocol. */
const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => chooseExecProtocol([...offered]) || false,
});

export interface ExecBridgeLog {
  debug(obj: object, msg: string): void;
}

/**
 * Completes the client's WebSocket upgrade (`req`, `socket`, `head` from the server's upgrade
 * event) and relays it to the runtime's exec `url` (whose session has the streams `streams`).
 * Answers an HTTP error instead when no protocol fits or the runtime cannot be reached.
 */
export async function bridgeExecWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: string,
  streams: ExecStreams,
  log?: ExecBridgeLog,
): Promise<void> {
  const protocol = chooseExecProtocol(offeredProtocols(req));
  if (protocol === undefined) {
    rejectUpgrade(socket, errors.badRequest(`none of the offered protocols is supported; supported: ${EXEC_PROTOCOLS.join(', ')}`));
    return;
  }
  const runtime = runtimeTransportFor(protocol);
  if (runtime.transport === 'spdy') await bridgeToSpdy(req, socket, head, url, streams, log);
  else await relayWebSocket(req, socket, head, url, runtime.protocol);
}

/** v5 from the client, SPDY toward the runtime. */
async function bridgeToSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, url: string, streams: ExecStreams, log?: ExecBridgeLog): Promise<void> {
  let runtime: SpdyExecSession;
  try {
    runtime = await openSpdyExec(url, streams);
  } catch (err) {
    rejectUpgrade(socket, asApiError(err));
    return;
  }
  // A client gone before (or after) its upgrade completes takes the runtime session with it.
  socket.once('close', () => runtime.close());
  wss.handleUpgrade(req, socket, head, (client) => {
    runtime.onData((channel, data) => {
      if (client.readyState !== WebSocket.OPEN) return;
      client.send(Buffer.concat([Buffer.from([OUTPUT_CHANNELS[channel]]), data]), { binary: true });
      if (client.bufferedAmount > MAX_BUFFERED_TOWARD_CLIENT) {
        runtime.pause();
        const resumeWhenDrained = () => {
          if (client.readyState !== WebSocket.OPEN) return;
          if (client.bufferedAmount > MAX_BUFFERED_TOWARD_CLIENT / 2) setTimeout(resumeWhenDrained, 10);
          else runtime.resume();
        };
        setTimeout(resumeWhenDrained, 10);
      }
    });
    // The runtime ends the session after the status: the command is done.
    runtime.onClose(() => {
      if (client.readyState === WebSocket.OPEN) client.close(1000);
    });
    runtime.onDrain(() => client.resume());
    client.on('message', (data, binary) => {
      const msg = data as Buffer;
      if (!binary || msg.length === 0) return;
      const channel = msg[0]!;
      let flowing = true;
      if (channel === STDIN_CHANNEL) flowing = runtime.send('stdin', msg.subarray(1));
      else if (channel === RESIZE_CHANNEL) flowing = runtime.send('resize', msg.subarray(1));
      else if (channel === CLOSE_CHANNEL && msg[1] === STDIN_CHANNEL) {
        log?.debug({}, 'exec: client closed stdin; half-closing the runtime\'s stdin stream');
        runtime.endStdin();
      }
      if (!flowing) client.pause();
    });
    client.on('close', () => runtime.close());
    client.on('error', () => runtime.close());
  });
}

/** Older protocols: the same protocol toward the runtime's WebSocket, messages passed unchanged. */
async function relayWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, url: string, protocol: string): Promise<void> {
  let runtime: Awaited<ReturnType<typeof connectRuntime>>;
  try {
    runtime = await connectRuntime(url, protocol);
  } catch (err) {
    rejectUpgrade(socket, asApiError(err));
    return;
  }
  const toRuntime = runtime.ws;
  wss.handleUpgrade(req, socket, head, (client) => {
    const closeBoth = (code = 1000) => {
      if (client.readyState === WebSocket.OPEN) client.close(code);
      if (toRuntime.readyState === WebSocket.OPEN) toRuntime.close(code);
    };
    for (const m of runtime.early) client.send(m.data, { binary: m.binary });
    toRuntime.on('message', (data, binary) => client.send(data as Buffer, { binary }));
    client.on('message', (data, binary) => toRuntime.send(data as Buffer, { binary }));
    // The runtime closes after the status message: the command is done.
    toRuntime.on('close', () => closeBoth());
    client.on('close', () => closeBoth());
    toRuntime.on('error', () => client.terminate());
    client.on('error', () => toRuntime.terminate());
  });
}
