// Raw HTTP upgrades toward the runtime's stream server: open a connection to a CRI streaming URL
// with an Upgrade request and hand back the upgraded socket, and splice a client's upgrade
// through unchanged (upstream: the kubelet's proxyStream with an UpgradeAwareHandler).
import { request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { asApiError, errors, rejectUpgrade } from './httpReplies.ts';

export interface Upgraded {
  socket: Socket;
  response: IncomingMessage;
  /** Bytes the server sent after its 101 answer, already read. */
  head: Buffer;
}

/** Sends an upgrade request to `url` (http, on the node's loopback) and waits for the 101. */
export function upgradeTo(url: string, headers: OutgoingHttpHeaders, method = 'GET'): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers });
    req.on('upgrade', (response, socket, head) => resolve({ socket, response, head }));
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        reject(errors.internal(`runtime stream server answered ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8').trim()}`)),
      );
    });
    req.on('error', (e) => reject(errors.internal(`error connecting to the runtime stream server: ${e.message}`)));
    req.end();
  });
}

/** Every value of a request header, in order, from the raw header list (repeated headers stay separate). */
export function headerValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) out.push(req.rawHeaders[i + 1]!);
  }
  return out;
}

/** The headers an upgrade needs to carry to the next hop. */
const UPGRADE_HEADERS = ['connection', 'upgrade', 'x-stream-protocol-version', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'];

/**
 * Passes a client's upgrade (SPDY/3.1 from a kubectl that fell back from WebSocket) straight to
 * the runtime's URL and pipes the two connections: the runtime speaks that protocol itself.
 */
export async function spliceUpgrade(url: string, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  for (const name of UPGRADE_HEADERS) {
    const values = headerValues(req, name);
    if (values.length) headers[name] = values.length === 1 ? values[0] : values;
  }
  let upstream: Upgraded;
  try {
    upstream = await upgradeTo(url, headers, req.method);
  } catch (err) {
    rejectUpgrade(client, asApiError(err));
    return;
  }
  const { socket, response } = upstream;
  const lines = [`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`];
  for (let i = 0; i < response.rawHeaders.length; i += 2) lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  client.write(lines.join('\r\n') + '\r\n\r\n');
  if (upstream.head.length) client.write(upstream.head);
  if (head.length) socket.write(head);
  socket.pipe(client).pipe(socket);
  const close = () => {
    socket.destroy();
    client.destroy();
  };
  socket.on('close', close);
  client.on('close', close);
  socket.on('error', close);
  client.on('error', close);
}
