// The relay for real, without root: a TLS-free echo server behind a unix socket relay behind a
// loopback relay, the same chain kubectl's bytes take to the API server.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatEndpoint, parseEndpoint, startRelay } from './relay.ts';

describe('parseEndpoint', () => {
  it.each([
    ['tcp:127.0.0.1:6443', { kind: 'tcp', host: '127.0.0.1', port: 6443 }],
    ['tcp:[::1]:6443', { kind: 'tcp', host: '::1', port: 6443 }],
    ['unix:/var/lib/k8ts-lab/run/apiserver.sock', { kind: 'unix', path: '/var/lib/k8ts-lab/run/apiserver.sock' }],
  ])('%s', (text, want) => {
    expect(parseEndpoint(text)).toEqual(want);
    if (!text.includes('[')) expect(formatEndpoint(parseEndpoint(text))).toBe(text);
  });

  it.each(['127.0.0.1:6443', 'tcp:host', 'tcp:host:0', 'unix:relative.sock'])('rejects %s', (text) => {
    expect(() => parseEndpoint(text)).toThrow();
  });
});

describe('startRelay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-relay-'));
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries bytes both ways from loopback through a unix socket to a TCP server', async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    servers.push(echo);
    const echoPort = (echo.address() as { port: number }).port;
    const socket = join(dir, 'api.sock');
    servers.push(await startRelay({ kind: 'unix', path: socket }, { kind: 'tcp', host: '127.0.0.1', port: echoPort }));
    const front = await startRelay({ kind: 'tcp', host: '127.0.0.1', port: 0 }, { kind: 'unix', path: socket });
    servers.push(front);
    const port = (front.address() as { port: number }).port;

    const reply = await new Promise<string>((resolve, reject) => {
      const c = createConnection(port, '127.0.0.1', () => c.end('hello through two relays'));
      let got = '';
      c.setEncoding('utf8');
      c.on('data', (d: string) => (got += d));
      c.on('close', () => resolve(got));
      c.on('error', reject);
    });
    expect(reply).toBe('hello through two relays');
  });

  it('replaces a socket file left by a killed relay', async () => {
    const socket = join(dir, 'stale.sock');
    const first = await startRelay({ kind: 'unix', path: socket }, { kind: 'tcp', host: '127.0.0.1', port: 1 });
    // A killed process leaves its socket file behind; close() here would remove it, so keep it.
    first.unref();
    expect(existsSync(socket)).toBe(true);
    const second = await startRelay({ kind: 'unix', path: socket }, { kind: 'tcp', host: '127.0.0.1', port: 1 });
    servers.push(first, second);
    expect(second.listening).toBe(true);
  });
});
