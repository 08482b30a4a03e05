// The pure parts of the kubelet server: routes, query options, which log to read, protocols.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerLogTarget, runtimeContainerId } from './containerLogTarget.ts';
import { chooseExecProtocol, runtimeTransportFor } from './execBridge.ts';
import { dataFrames, execStreamTypes } from './spdyExecClient.ts';
import { route } from './kubeletServer.ts';
import { parseLogOptions } from './logOptions.ts';
import { requestedPorts } from './portForwardTunnel.ts';
import { parseExecOptions } from './streamingHandlers.ts';
import { ApiError } from '../../../controlplane/api/errors.ts';

describe('route', () => {
  it.each([
    ['/healthz', { kind: 'healthz' }],
    ['/pods', { kind: 'pods' }],
    ['/pods/', { kind: 'pods' }],
    ['/containerLogs/default/web/nginx', { kind: 'containerLogs', namespace: 'default', pod: 'web', container: 'nginx' }],
    ['/exec/kube-system/a%2Db/c', { kind: 'exec', namespace: 'kube-system', pod: 'a-b', container: 'c' }],
    ['/portForward/default/web', { kind: 'portForward', namespace: 'default', pod: 'web' }],
    ['/exec/default/web', undefined],
    ['/stats/summary', undefined],
  ])('%s', (p, want) => expect(route(p)).toEqual(want));
});

describe('parseLogOptions', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  const q = (s: string) => parseLogOptions(new URLSearchParams(s), now);
  it('reads every option', () => {
    expect(q('follow=true&tailLines=10&timestamps=1&previous=false&limitBytes=100&sinceSeconds=60')).toEqual({
      follow: true,
      tailLines: 10,
      timestamps: true,
      previous: false,
      limitBytes: 100,
      sinceMs: now - 60_000,
    });
    expect(q('sinceTime=2024-05-01T09:00:00Z').sinceMs).toBe(Date.parse('2024-05-01T09:00:00Z'));
    expect(q('tail=5').tailLines).toBe(5);
    expect(q('tailLines=5&tail=all').tailLines).toBeUndefined();
  });
  it.each([
    ['tailLines=-1', 422],
    ['limitBytes=0', 422],
    ['sinceSeconds=0', 422],
    ['sinceSeconds=5&sinceTime=2024-05-01T09:00:00Z', 422],
    ['follow=maybe', 400],
    ['tailLines=ten', 400],
    ['sinceTime=yesterday', 400],
  ])('rejects %s with %i', (s, code) => {
    expect(() => q(s)).toThrow(ApiError);
    try {
      q(s);
    } catch (e) {
      expect((e as ApiError).code).toBe(code);
    }
  });
});

describe('containerLogTarget', () => {
  const pod = (status: NonNullable<Pod['status']>['containerStatuses']): Pod => ({ metadata: { name: 'web' }, status: { containerStatuses: status } });
  const base = { name: 'app', image: 'i', imageID: '', ready: false, restartCount: 1 };
  it.each<[string, Pod, boolean, ReturnType<typeof containerLogTarget>]>([
    ['running: the current instance', pod([{ ...base, containerID: 'containerd://cur', state: { running: {} } }]), false, { containerId: 'cur' }],
    ['previous: the last terminated one', pod([{ ...base, containerID: 'containerd://cur', state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://old' } } }]), true, { containerId: 'old' }],
    ['previous without one', pod([{ ...base, containerID: 'containerd://cur', state: { running: {} } }]), true, { error: 'previous terminated container "app" in pod "web" not found' }],
    ['terminated without an id falls back to lastState', pod([{ ...base, state: { terminated: { exitCode: 1 } }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://old' } } }]), false, { containerId: 'old' }],
    ['crash loop: waiting with a last instance', pod([{ ...base, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://old' } } }]), false, { containerId: 'old' }],
    ['waiting to start', pod([{ ...base, state: { waiting: { reason: 'ContainerCreating' } } }]), false, { error: 'container "app" in pod "web" is waiting to start: ContainerCreating' }],
    ['image pull failure', pod([{ ...base, state: { waiting: { reason: 'ErrImagePull' } } }]), false, { error: `container "app" in pod "web" is waiting to start: image can't be pulled` }],
    ['image pull back-off', pod([{ ...base, state: { waiting: { reason: 'ImagePullBackOff' } } }]), false, { error: 'container "app" in pod "web" is waiting to start: trying and failing to pull image' }],
    ['no status yet', pod([]), false, { error: 'container "app" in pod "web" is not available' }],
  ])('%s', (_name, p, previous, want) => expect(containerLogTarget(p, 'app', previous)).toEqual(want));

  it('strips the runtime prefix of container ids', () => {
    expect(runtimeContainerId('containerd://abc')).toBe('abc');
    expect(runtimeContainerId('abc')).toBe('abc');
    expect(runtimeContainerId(undefined)).toBe('');
  });
});

describe('exec and port-forward requests', () => {
  it('exec options: input/output/error/tty, stderr dropped under a tty', () => {
    const o = parseExecOptions(new URLSearchParams('command=sh&command=-c&command=ls&input=1&output=1&error=1&tty=1'));
    expect(o).toEqual({ command: ['sh', '-c', 'ls'], stdin: true, stdout: true, stderr: false, tty: true });
    expect(() => parseExecOptions(new URLSearchParams('command=ls'))).toThrow('you must specify at least 1 of stdin, stdout, stderr');
  });

  it.each([
    [['v5.channel.k8s.io', 'v4.channel.k8s.io'], 'v5.channel.k8s.io', { transport: 'spdy', protocol: 'v4.channel.k8s.io' }],
    [['v4.channel.k8s.io'], 'v4.channel.k8s.io', { transport: 'websocket', protocol: 'v4.channel.k8s.io' }],
    [['base64.channel.k8s.io'], 'base64.channel.k8s.io', { transport: 'websocket', protocol: 'base64.channel.k8s.io' }],
    [[], '', { transport: 'websocket', protocol: '' }],
  ])('offered %j: answers %s, speaks %j to the runtime', (offered, answer, runtime) => {
    const chosen = chooseExecProtocol(offered);
    expect(chosen).toBe(answer);
    expect(runtimeTransportFor(chosen!)).toEqual(runtime);
  });

  it.each([
    [{ stdin: true, stdout: true, stderr: true, tty: false }, ['error', 'stdin', 'stdout', 'stderr']],
    [{ stdin: true, stdout: true, stderr: false, tty: true }, ['error', 'stdin', 'stdout', 'resize']],
    [{ stdin: false, stdout: true, stderr: true, tty: true }, ['error', 'stdout', 'resize']],
    [{ stdin: false, stdout: false, stderr: true, tty: false }, ['error', 'stderr']],
  ])('SPDY exec streams for %j: %j (the set the runtime waits for)', (streams, types) => {
    expect(execStreamTypes(streams)).toEqual(types);
  });

  it('SPDY stdin is cut into DATA frames of at most 64 KiB on one stream', () => {
    const frames = dataFrames(3, Buffer.alloc(150 * 1024, 7));
    expect(frames.map((f) => f.readUInt32BE(4) & 0xffffff)).toEqual([65536, 65536, 22528]);
    expect(frames.every((f) => f.readUInt32BE(0) === 3 && f[4] === 0)).toBe(true);
  });

  it('refuses protocols it does not know', () => {
    expect(chooseExecProtocol(['v6.channel.k8s.io'])).toBeUndefined();
  });

  it('port-forward ports from the query', () => {
    expect(requestedPorts(new URLSearchParams('ports=80&ports=8080,9090'))).toEqual([80, 8080, 9090]);
    expect(() => requestedPorts(new URLSearchParams('ports=0'))).toThrow('invalid port');
  });
});
