// A WebSocket client for the port-forward tunnel in tests. kubectl (gorilla/websocket) offers the
// subprotocol "SPDY/3.1+portforward.k8s.io", which `ws`'s client refuses to send ('/' is not a
// token character), so the handshake is made here by hand and the frames are then written and
// read with `ws`'s own Sender and Receiver (client side: masked out, unmasked in).
import { request } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Writable } from 'node:stream';
import * as ws from 'ws';

// Exported by `ws` at run time, absent from its type declarations.
const { Receiver, Sender } = ws as unknown as {
  Receiver: new (opts: { isServer: boolean; binaryType: 'nodebuffer' }) => Writable;
  Sender: new (socket: Socket) => { send(data: Buffer, opts: { binary: boolean; mask: boolean; fin: boolean; compress: boolean; rsv1: boolean }): void };
};

export interface TunnelClient {
  protocol: string;
  send(data: Buffer): void;
  onMessage(fn: (data: Buffer) => void): void;
  close(): void;
}

export function openTunnel(path: string, protocol: string, connect: () => TLSSocket): Promise<TunnelClient> {
  return new Promise((resolve, reject) => {
    const req = request({
      path,
      headers: {
        host: 'kubelet',
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocol,
      },
      createConnection: connect,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new Error(`no upgrade: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`)));
    });
    req.on('error', reject);
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const sender = new Sender(socket);
      const receiver = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
      const listeners: ((data: Buffer) => void)[] = [];
      receiver.on('message', (data: Buffer) => listeners.forEach((fn) => fn(data)));
      receiver.on('conclude', () => socket.end());
      if (head.length) receiver.write(head);
      socket.pipe(receiver);
      resolve({
        protocol: String(res.headers['sec-websocket-protocol'] ?? ''),
        send: (data) => sender.send(data, { binary: true, mask: true, fin: true, compress: false, rsv1: false }),
        onMessage: (fn) => listeners.push(fn),
        close: () => socket.destroy(),
      });
    });
    req.end();
  });
}
