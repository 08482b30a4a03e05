// A byte relay between two stream endpoints, run as its own small process:
//
//   node --import tsx lab/relay.ts --listen tcp:127.0.0.1:6443 --connect unix:/var/lib/k8ts-lab/run/apiserver.sock
//   node --import tsx lab/relay.ts --listen unix:/var/lib/k8ts-lab/run/apiserver.sock --connect tcp:192.168.56.10:6443
//
// Why two: kubectl runs in the root namespace, whose routes for the lab's LAN are blackholes (the
// default route leaves the machine). A unix socket is a file, and files are seen from every
// network namespace: the first relay (root namespace) accepts kubectl on loopback and connects to
// the socket; the second (master's namespace) accepts on the socket and connects to the API
// server. TLS passes through untouched, end to end between kubectl and the API server.
//
//   parseEndpoint("tcp:HOST:PORT" | "unix:PATH")   (pure)
//   startRelay(listen, connect)                      → net.Server, listening

import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (!path.startsWith('/')) throw new Error(`unix endpoint needs an absolute path: ${text}`);
    return { kind: 'unix', path };
  }
  const m = /^tcp:(.+):(\d+)$/.exec(text);
  if (!m) throw new Error(`endpoint must be tcp:HOST:PORT or unix:/PATH, not ${JSON.stringify(text)}`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`port out of range in ${text}`);
  return { kind: 'tcp', host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

export function formatEndpoint(e: Endpoint): string {
  return e.kind === 'unix' ? `unix:${e.path}` : `tcp:${e.host}:${e.port}`;
}

function connectTo(e: Endpoint): Socket {
  return e.kind === 'unix' ? createConnection({ path: e.path, allowHalfOpen: true }) : createConnection({ port: e.port, host: e.host, allowHalfOpen: true });
}

/**
 * Each accepted connection gets its own upstream connection. Half-closes pass through (a client
 * that ends its side still reads the answer); a connection fully closed or failed on one side is
 * closed on the other.
 */
export function startRelay(listen: Endpoint, connect: Endpoint): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connectTo(connect);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  // A socket file left by a killed relay would make listen fail with EADDRINUSE.
  if (listen.kind === 'unix' && existsSync(listen.path)) unlinkSync(listen.path);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      resolve(server);
    };
    if (listen.kind === 'unix') server.listen(listen.path, ready);
    else server.listen(listen.port, listen.host, ready);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { listen: { type: 'string' }, connect: { type: 'string' } } });
  if (!values.listen || !values.connect) throw new Error('usage: relay.ts --listen ENDPOINT --connect ENDPOINT');
  const listen = parseEndpoint(values.listen);
  const connect = parseEndpoint(values.connect);
  const server = await startRelay(listen, connect);
  process.stdout.write(`relay: ${formatEndpoint(listen)} → ${formatEndpoint(connect)}\n`);
  const stop = () => {
    server.close();
    if (listen.kind === 'unix' && existsSync(listen.path)) unlinkSync(listen.path);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Run as a script (not when imported by a test).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: Error) => {
    process.stderr.write(`relay: ${err.message}\n`);
    process.exit(1);
  });
}
