// The prober turns probe outcomes into results and the Unhealthy/ProbeWarning events users read
// in `kubectl describe pod`, with upstream's messages; real servers on 127.0.0.1, exec faked.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Prober } from './prober.ts';
import { testPod, testStatus } from './testing/fixtures.ts';
import type { ExecSync, ProbeKind } from './types.ts';

interface Recorded {
  type: string;
  reason: string;
  message: string;
  fieldPath?: string;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function httpServer(status: number, body = ''): Promise<number> {
  const server = http.createServer((_req, res) => {
    res.statusCode = status;
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function setup(execSync: ExecSync = async () => ({ exitCode: 0, stdout: '', stderr: '' })) {
  const events: Recorded[] = [];
  const prober = new Prober({
    execSync,
    recorder: { event: (_pod: Pod, type, reason, message, fieldPath) => events.push({ type, reason, message, fieldPath }) },
  });
  const run = (kind: ProbeKind, container: Partial<Container>) => {
    const pod = testPod(container);
    return prober.probe(kind, pod, testStatus(), pod.spec!.containers[0], 'c1');
  };
  return { events, run };
}

describe('prober events', () => {
  it('a liveness httpGet answering 500: Unhealthy "Liveness probe failed: HTTP probe failed with statuscode: 500"', async () => {
    const port = await httpServer(500);
    const { events, run } = setup();
    expect(await run('liveness', { livenessProbe: { httpGet: { port, path: '/healthz' } } })).toEqual({ result: 'Failure' });
    expect(events).toEqual([
      { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500', fieldPath: 'spec.containers{app}' },
    ]);
  });

  it('a readiness tcpSocket to the pod IP that refuses: Unhealthy "Readiness probe failed: dial tcp …: connect: connection refused"', async () => {
    const port = await closedPort();
    const { events, run } = setup();
    // No host: the pod IP from the status (127.0.0.1 in the fixture).
    expect(await run('readiness', { readinessProbe: { tcpSocket: { port } } })).toEqual({ result: 'Failure' });
    expect(events.map((e) => e.message)).toEqual([`Readiness probe failed: dial tcp 127.0.0.1:${port}: connect: connection refused`]);
  });

  it('a failing exec: Unhealthy "Liveness probe failed: <output>"', async () => {
    const { events, run } = setup(async () => ({ exitCode: 1, stdout: '', stderr: 'cat: can\'t open \'/tmp/healthy\': No such file or directory\n' }));
    expect(await run('liveness', { livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] } } })).toEqual({ result: 'Failure' });
    expect(events.map((e) => e.message)).toEqual(["Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n"]);
  });

  it('a probe that cannot run is tried 3 times and reported as errored', async () => {
    let calls = 0;
    const { events, run } = setup(async () => {
      calls++;
      throw new Error('rpc error: code = NotFound desc = container not found');
    });
    const verdict = await run('readiness', { readinessProbe: { exec: { command: ['true'] } } });
    expect(verdict).toEqual({ result: 'Failure', error: 'rpc error: code = NotFound desc = container not found' });
    expect(calls).toBe(3);
    expect(events.map((e) => e.message)).toEqual([
      'Readiness probe errored and resulted in unknown state: rpc error: code = NotFound desc = container not found',
    ]);
  });

  it('a named port the container does not declare is an error, not a failure', async () => {
    const { events, run } = setup();
    const verdict = await run('startup', { startupProbe: { httpGet: { port: 'http' } } });
    expect(verdict.error).toBe('strconv.Atoi: parsing "http": invalid syntax');
    expect(events.map((e) => e.message)).toEqual(['Startup probe errored and resulted in unknown state: strconv.Atoi: parsing "http": invalid syntax']);
  });

  it('a redirect to another host: ProbeWarning, and the probe succeeds', async () => {
    const server = http.createServer((_req, res) => res.writeHead(302, { location: 'http://elsewhere.invalid/' }).end('go away'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const { port } = server.address() as AddressInfo;
    const { events, run } = setup();
    expect(await run('readiness', { readinessProbe: { httpGet: { port } } })).toEqual({ result: 'Success' });
    expect(events).toEqual([
      { type: 'Warning', reason: 'ProbeWarning', message: 'Readiness probe warning: Probe terminated redirects, Response body: go away', fieldPath: 'spec.containers{app}' },
    ]);
  });

  it('a successful probe records nothing', async () => {
    const port = await httpServer(200, 'ok');
    const { events, run } = setup();
    expect(await run('readiness', { readinessProbe: { httpGet: { port } } })).toEqual({ result: 'Success' });
    expect(events).toEqual([]);
  });
});
