import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { remainingGracePeriodSeconds } from './containerLifecycle.ts';
import { formatPod, handlerKind, LIFECYCLE_USER_AGENT, runLifecycleHandler, type HookRuntime } from './lifecycleHandlers.ts';

const pod: Pod = { metadata: { name: 'web', namespace: 'shop', uid: 'u-1' }, spec: { containers: [] } };
const container: Container = { name: 'main', ports: [{ name: 'http', containerPort: 0 }] };

/** Only httpGet and sleep run here: no exec call may happen. */
const noExec: HookRuntime = {
  execSync: () => Promise.reject(new Error('exec is not expected in this test')),
  podIP: async () => '127.0.0.1',
};

describe('lifecycle hook runner', () => {
  let server: http.Server;
  let port = 0;
  const seen: { url?: string; agent?: string; custom?: string; auth?: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url, agent: req.headers['user-agent'], custom: req.headers['x-hook'] as string | undefined, auth: req.headers.authorization });
      // Any status counts as delivered: upstream judges only the transport.
      res.statusCode = req.url?.startsWith('/broken') ? 500 : 200;
      res.end('body');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('formats the pod as upstream format.Pod', () => {
    expect(formatPod(pod)).toBe('web_shop(u-1)');
  });

  it('names the action of a handler', () => {
    expect(handlerKind({ exec: { command: ['true'] } })).toBe('exec');
    expect(handlerKind({ httpGet: { port: 80 } })).toBe('httpGet');
    expect(handlerKind({ sleep: { seconds: 1 } })).toBe('sleep');
    expect(handlerKind({})).toBeUndefined();
  });

  it('httpGet to the pod IP succeeds with the lifecycle user agent, path and query', async () => {
    const msg = await runLifecycleHandler(noExec, pod, container, 'c1', { httpGet: { path: '/hook?stage=post', port } });
    expect(msg).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ url: '/hook?stage=post', agent: LIFECYCLE_USER_AGENT });
  });

  it('httpGet that gets a 500 still counts as delivered', async () => {
    expect(await runLifecycleHandler(noExec, pod, container, 'c1', { httpGet: { path: '/broken', port, httpHeaders: [{ name: 'x-hook', value: 'yes' }] } })).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ url: '/broken', custom: 'yes' });
  });

  it('httpGet by named port', async () => {
    const named: Container = { name: 'main', ports: [{ name: 'http', containerPort: port }] };
    expect(await runLifecycleHandler(noExec, pod, named, 'c1', { httpGet: { path: '/named', port: 'http' } })).toBeUndefined();
    expect(seen.at(-1)?.url).toBe('/named');
  });

  it('httpGet to a closed port fails with the dial error, worded as upstream', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const msg = await runLifecycleHandler(noExec, pod, container, 'c1', { httpGet: { path: '/x', port: closedPort } });
    expect(msg).toBe(
      `HTTP lifecycle hook (/x) for Container "main" in Pod "web_shop(u-1)" failed - error: Get "http://127.0.0.1:${closedPort}/x": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
    );
  });

  it('an HTTPS hook answered in plain HTTP is sent again over HTTP, and says so', async () => {
    const fallbacks: string[] = [];
    const rt: HookRuntime = { ...noExec, httpFallback: (_, host) => fallbacks.push(host) };
    const msg = await runLifecycleHandler(rt, pod, container, 'c1', { httpGet: { path: '/tls', port, scheme: 'HTTPS', httpHeaders: [{ name: 'Authorization', value: 'Bearer x' }] } });
    expect(msg).toBeUndefined();
    expect(fallbacks).toEqual([`127.0.0.1:${port}`]);
    // The retry goes without the credentials meant for TLS.
    expect(seen.at(-1)).toMatchObject({ url: '/tls', auth: undefined });
  });

  it('httpGet without a host and without a pod IP fails', async () => {
    const noIP: HookRuntime = { ...noExec, podIP: async () => undefined };
    expect(await runLifecycleHandler(noIP, pod, container, 'c1', { httpGet: { port } })).toMatch(/^HTTP lifecycle hook \(\) for Container "main" in Pod "web_shop\(u-1\)" failed - error: failed to find networking container/);
  });

  it('sleep ends early when the pod is stopped, as a failure worded as upstream', async () => {
    const deadline = new AbortController();
    const done = runLifecycleHandler(noExec, pod, container, 'c1', { sleep: { seconds: 3600 } }, deadline.signal);
    deadline.abort();
    expect(await done).toBe('Sleep lifecycle hook (3600) for Container "main" in Pod "web_shop(u-1)" failed - error: container terminated before sleep hook finished');
  });

  it('an exec hook still running when the pod is stopped is given up', async () => {
    const hanging: HookRuntime = { ...noExec, execSync: () => new Promise(() => undefined) };
    const stop = new AbortController();
    const done = runLifecycleHandler(hanging, pod, container, 'c1', { exec: { command: ['sleep', '3600'] } }, stop.signal);
    stop.abort();
    expect(await done).toBe('Exec lifecycle hook ([sleep 3600]) for Container "main" in Pod "web_shop(u-1)" failed - error: context canceled, message: ""');
  });

  it('a sleep that runs its time succeeds', async () => {
    expect(await runLifecycleHandler(noExec, pod, container, 'c1', { sleep: { seconds: 0 } })).toBeUndefined();
  });

  it('a handler without an action is an error', async () => {
    expect(await runLifecycleHandler(noExec, pod, container, 'c1', {})).toMatch(/^invalid handler/);
  });
});

describe('grace period left after a preStop hook', () => {
  it.each([
    [30, 0, 30],
    [30, 999, 30],
    [30, 5_400, 25],
    [10, 9_000, 2],
    [10, 20_000, 2],
  ])('grace %is, hook took %ims → StopContainer gets %is', (grace, elapsed, want) => {
    expect(remainingGracePeriodSeconds(grace, elapsed)).toBe(want);
  });
});
