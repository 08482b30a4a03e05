// kubectl exec over WebSocket, bridged to the runtime's exec URL.
//
// kubectl 1.32 speaks the channel protocol v5.channel.k8s.io: binary messages whose first byte is
// the channel — 0 stdin, 1 stdout, 2 stderr, 3 status (a metav1.Status as JSON), 4 resize
// ({"Width","Height"}) — plus v5's close message [255, channel] when its stdin ends.
// containerd 1.6's stream server knows the protocol up to v4.channel.k8s.io, which has the same
// channels and messages but no close message. So the kubelet accepts the client's WebSocket
// itself, opens a v4 WebSocket to the runtime, and relays messages both ways unchanged; the
// status message (exit code included) passes through, so `kubectl exec` exits with the
// command's code. Upstream does this translation in the API server (StreamTranslatorHandler,
// to SPDY); here the kubelet does it, next to the runtime.
//
// Limit: v4 cannot say "stdin ended". A v5 [255, 0] is therefore dropped and the command's stdin
// stays open until the command exits or the client disconnects: `kubectl exec -i … < file` into
// a command that reads stdin to its end waits for the user's Ctrl-C. Interactive use (-it) is
// unaffected (Ctrl-D travels as a byte through the terminal).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { asApiError, errors, rejectUpgrade } from './httpReplies.ts';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
/** What containerd's stream server accepts (its remotecommand websocket.go), best first. */
const RUNTIME_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];
/** What the kubelet accepts from clients, best first. */
export const EXEC_PROTOCOLS = [V5_PROTOCOL, ...RUNTIME_PROTOCOLS];

/** v5's close message: [255, channel]. */
const CLOSE_CHANNEL = 255;
const STDIN_CHANNEL = 0;

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

/** v5 is spoken to the runtime as v4; the older protocols unchanged. */
export function runtimeProtocolFor(clientProtocol: string): string {
  return clientProtocol === V5_PROTOCOL ? 'v4.channel.k8s.io' : clientProtocol;
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
 * event) and relays it to the runtime's exec `url`. Answers an HTTP error instead when no
 * protocol fits or the runtime cannot be reached.
 */
export async function bridgeExecWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: string,
  log?: ExecBridgeLog,
): Promise<void> {
  const protocol = chooseExecProtocol(offeredProtocols(req));
  if (protocol === undefined) {
    rejectUpgrade(socket, errors.badRequest(`none of the offered protocols is supported; supported: ${EXEC_PROTOCOLS.join(', ')}`));
    return;
  }
  let runtime: Awaited<ReturnType<typeof connectRuntime>>;
  try {
    runtime = await connectRuntime(url, runtimeProtocolFor(protocol));
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
    client.on('message', (data, binary) => {
      const msg = data as Buffer;
      if (protocol === V5_PROTOCOL && binary && msg.length >= 1 && msg[0] === CLOSE_CHANNEL) {
        // v4 has no way to say it; see the note at the top.
        log?.debug({ channel: msg[1] ?? STDIN_CHANNEL }, 'exec: client closed a stream; not expressible in v4, kept open');
        return;
      }
      toRuntime.send(msg, { binary });
    });
    // The runtime closes after the status message: the command is done.
    toRuntime.on('close', () => closeBoth());
    client.on('close', () => closeBoth());
    toRuntime.on('error', () => client.terminate());
    client.on('error', () => toRuntime.terminate());
  });
}
