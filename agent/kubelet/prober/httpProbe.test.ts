// httpGet probes against real HTTP(S) servers on 127.0.0.1 (port 0): status codes, redirects,
// headers, named ports, body limits and upstream's error texts.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createCA, signLeaf } from '../../../controlplane/apiserver/pki.ts';
import { buildHttpProbeRequest, httpProbe, MAX_HTTP_BODY_BYTES, PROBE_USER_AGENT } from './httpProbe.ts';
import type { ProbeOutcome } from './types.ts';

const servers: (http.Server | https.Server)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(handler: http.RequestListener, server: http.Server | https.Server = http.createServer()): Promise<number> {
  server.on('request', handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const app: Container = { name: 'app', ports: [{ name: 'http', containerPort: 0 }] };

async function probeGet(action: HTTPGetAction, container: Container = app, timeoutSeconds = 1): Promise<ProbeOutcome> {
  const req = buildHttpProbeRequest(action, container, '127.0.0.1');
  if ('error' in req) throw new Error(req.error);
  return httpProbe(req, timeoutSeconds);
}

describe('httpGet probe', () => {
  it('succeeds on 200 with the body as output, then fails on 500 with the status code', async () => {
    let calls = 0;
    const port = await listen((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 200 : 500;
      res.end(calls === 1 ? 'ok' : 'boom');
    });
    expect(await probeGet({ port, path: '/healthz' })).toEqual({ result: 'success', output: 'ok' });
    expect(await probeGet({ port, path: '/healthz' })).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  });

  it('counts every status from 200 to 399 as success and 400 as failure', async () => {
    const port = await listen((req, res) => {
      res.statusCode = Number(req.url!.slice(1));
      res.end();
    });
    expect((await probeGet({ port, path: '/204' })).result).toBe('success');
    // A 3xx that is not followed (here: no Location) is a warning, which counts as success.
    expect(await probeGet({ port, path: '/304' })).toEqual({ result: 'warning', output: 'Probe terminated redirects, Response body: ' });
    expect((await probeGet({ port, path: '/399' })).result).toBe('warning');
    expect(await probeGet({ port, path: '/400' })).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 400' });
  });

  it('sends kube-probe User-Agent, Accept */* and the probe headers, with path and query', async () => {
    let seen: http.IncomingMessage | undefined;
    const port = await listen((req, res) => {
      seen = req;
      res.end();
    });
    await probeGet({ port, path: '/ready?full=1', httpHeaders: [{ name: 'x-custom-header', value: 'a' }, { name: 'Host', value: 'example.test' }] });
    expect(seen!.url).toBe('/ready?full=1');
    expect(seen!.headers['user-agent']).toBe(PROBE_USER_AGENT);
    expect(seen!.headers['accept']).toBe('*/*');
    expect(seen!.headers['x-custom-header']).toBe('a');
    expect(seen!.headers['host']).toBe('example.test');
    expect(seen!.rawHeaders).toContain('X-Custom-Header');

    await probeGet({ port, httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }] });
    expect(seen!.url).toBe('/');
    expect(seen!.headers['user-agent']).toBe('mine');
    expect(seen!.headers['accept']).toBeUndefined();
  });

  it('resolves a named port against the container ports, and reports an unknown name as an error', async () => {
    const port = await listen((_req, res) => res.end('named'));
    const container: Container = { name: 'app', ports: [{ name: 'web', containerPort: port }] };
    expect(await probeGet({ port: 'web' }, container)).toEqual({ result: 'success', output: 'named' });
    expect(buildHttpProbeRequest({ port: 'http-alt' }, container, '127.0.0.1')).toEqual({ error: 'strconv.Atoi: parsing "http-alt": invalid syntax' });
    expect(buildHttpProbeRequest({ port: String(port) }, container, '127.0.0.1')).not.toHaveProperty('error');
    expect(buildHttpProbeRequest({ port: 70000 }, container, '127.0.0.1')).toEqual({ error: 'invalid port number: 70000' });
  });

  it('follows redirects on the same host, even to another port', async () => {
    const target = await listen((req, res) => res.end(`landed ${req.url} from ${req.headers.referer}`));
    const port = await listen((req, res) => {
      if (req.url === '/a') res.writeHead(302, { location: '/b' }).end();
      else res.writeHead(301, { location: `http://127.0.0.1:${target}/c` }).end();
    });
    expect(await probeGet({ port, path: '/a' })).toEqual({ result: 'success', output: `landed /c from http://127.0.0.1:${port}/b` });
  });

  it('does not follow a redirect to another host: the redirect itself is a warning', async () => {
    let followed = false;
    const target = await listen((_req, res) => {
      followed = true;
      res.end();
    });
    const port = await listen((_req, res) => res.writeHead(302, { location: `http://localhost:${target}/` }).end('moved'));
    expect(await probeGet({ port })).toEqual({ result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
    expect(followed).toBe(false);
  });

  it('fails after 10 redirects', async () => {
    let hits = 0;
    const port = await listen((_req, res) => {
      hits++;
      res.writeHead(302, { location: `/loop${hits}` }).end();
    });
    expect(await probeGet({ port })).toEqual({ result: 'failure', output: 'Get "/loop10": stopped after 10 redirects' });
    expect(hits).toBe(10);
  });

  it('keeps at most 10 KiB of the body', async () => {
    const port = await listen((_req, res) => res.end('x'.repeat(MAX_HTTP_BODY_BYTES * 3)));
    const out = await probeGet({ port });
    expect(out.result).toBe('success');
    expect(out.output.length).toBe(MAX_HTTP_BODY_BYTES);
  });

  it('reports a refused connection in Go words', async () => {
    const port = await listen(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    expect(await probeGet({ port, path: '/healthz' })).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it('fails when no answer comes within timeoutSeconds', async () => {
    const port = await listen(() => {
      /* never answers */
    });
    expect(await probeGet({ port }, app, 1)).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });

  it('probes HTTPS without verifying the certificate', async () => {
    const ca = await createCA('probe-test-ca');
    const leaf = await signLeaf(ca, { commonName: 'pod', hosts: ['pod.invalid'], server: true });
    const port = await listen((_req, res) => res.end('secure'), https.createServer({ cert: leaf.cert, key: leaf.key }));
    expect(await probeGet({ port, scheme: 'HTTPS' })).toEqual({ result: 'success', output: 'secure' });
  });
});
