// The kubelet server against a real containerd (root only): a test node (runtime/testing/
// criTestNode.ts) runs busybox pods; the server runs inside the node's network namespace
// (testing/serverInNetns.ts, where containerd's stream server is) and the test talks to it as
// the API server would — TLS with a CA-signed client certificate, WebSocket v5.channel.k8s.io
// for exec, SPDY/3.1 inside WebSocket for port-forward — through a unix socket relay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createCA, signLeaf, type PemPair } from '../../../controlplane/apiserver/pki.ts';
import { spawnIn } from '../../../lab/netns.ts';
import { stopPid, waitFor } from '../../../lab/processes.ts';
import { BasicVolumeManager } from '../runtime/basicVolumes.ts';
import { KubeRuntimeManager } from '../runtime/runtimeManager.ts';
import { parseResolvConf } from '../runtime/sandboxConfig.ts';
import { BUSYBOX_IMAGE, startCriTestNode, type CriTestNode } from '../runtime/testing/criTestNode.ts';
import type { ObjectLookup, RuntimePodStatus } from '../runtime/types.ts';
import { kubeletServingCertificate } from './servingCertificate.ts';
import { FLAG_FIN, SpdyFramer, type Frame } from './spdyFrames.ts';
import { openTunnel } from './testing/tunnelClient.ts';
import type { FixtureConfig, FixtureState } from './testing/serverInNetns.ts';

const isRoot = process.getuid?.() === 0;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const lookup: ObjectLookup = { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async () => [] };

let uidCounter = 0;
function busyboxPod(name: string, command: string[], restartPolicy: 'Always' | 'Never' = 'Always'): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `kls-${process.pid}-${++uidCounter}` },
    spec: {
      restartPolicy,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command }],
    },
  };
}

interface Reply {
  status: number;
  body: string;
}

describe.skipIf(!isRoot)('kubelet server on containerd', () => {
  let node: CriTestNode;
  let manager: KubeRuntimeManager;
  let fixture: ChildProcess | undefined;
  let client: PemPair;
  let relaySocket: string;
  let stateFile: string;
  const pods: Pod[] = [];
  const extraPods: Pod[] = [];

  /** Writes what the kubelet knows of its pods (spec, status, runtime view) for the server. */
  async function publish(): Promise<void> {
    const state: FixtureState = { pods: [], runtime: {} };
    for (const pod of pods) {
      const status = await manager.getPodStatus(pod.metadata!.uid!);
      state.pods.push({ ...pod, status: manager.apiPodStatus(pod, status) });
      if (status) state.runtime[pod.metadata!.uid!] = status;
    }
    state.pods.push(...extraPods);
    writeFileSync(stateFile, JSON.stringify(state));
  }

  function connect(withCert = true): TLSSocket {
    return tlsConnect({ path: relaySocket, rejectUnauthorized: false, ...(withCert ? { cert: client.cert, key: client.key } : {}) });
  }

  function get(urlPath: string, withCert = true): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request({ path: urlPath, headers: { host: 'kubelet' }, createConnection: () => connect(withCert) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function runUntil(pod: Pod, check: (s: RuntimePodStatus) => boolean): Promise<void> {
    await waitFor(`${pod.metadata!.name} to reach the expected state`, async () => {
      await manager.syncPod(pod, lookup);
      const s = await manager.getPodStatus(pod.metadata!.uid!);
      return s !== undefined && check(s);
    }, { attempts: 300, intervalMs: 100 });
  }

  const running = (s: RuntimePodStatus) => s.containerStatuses[0]?.state === 'CONTAINER_RUNNING';

  beforeAll(async () => {
    node = await startCriTestNode('kls');
    const kubeletRoot = path.join(node.dir, 'kubelet');
    mkdirSync(kubeletRoot, { recursive: true });
    manager = new KubeRuntimeManager({
      cri: node.cri,
      volumes: new BasicVolumeManager(kubeletRoot),
      recorder: { event: () => {} },
      hostIPs: ['192.168.56.200'],
      kubeletRoot,
      podLogsRoot: path.join(node.dir, 'pod-logs'),
      cgroupRoot: node.cgroupRoot,
      clusterDNS: ['10.96.0.10'],
      resolvConf: parseResolvConf('nameserver 192.168.56.1\n'),
      nodeAllocatable: { cpu: 2, memory: 2 * 1024 ** 3 },
      memoryCapacity: 2 * 1024 ** 3,
    });

    const ca = await createCA('kls-test-ca');
    client = await signLeaf(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], client: true });
    const serving = await kubeletServingCertificate({ nodeName: 'kls-node', hosts: ['127.0.0.1'], ca });
    stateFile = path.join(node.dir, 'server-state.json');
    relaySocket = path.join(node.dir, 'kubelet-server.sock');
    writeFileSync(stateFile, JSON.stringify({ pods: [], runtime: {} }));
    const config: FixtureConfig = { criSocket: node.paths.socket, cert: serving.cert, key: serving.key, clientCA: ca.cert, stateFile, relaySocket };
    const configFile = path.join(node.dir, 'server-config.json');
    writeFileSync(configFile, JSON.stringify(config));

    const child = spawnIn(node.name, process.execPath, ['--import', 'tsx', path.join(HERE, 'testing/serverInNetns.ts'), configFile], {
      cwd: path.resolve(HERE, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    fixture = child;

    // The pod that exec and logs use. stdout and stderr are separate pipes: the pause orders them in the log.
    const shell = busyboxPod('shell', ['sh', '-c', 'echo started; sleep 1; echo oops >&2; exec sleep 3600']);
    pods.push(shell);
    await runUntil(shell, running);
    await publish();
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('the kubelet server fixture', () => {
      if (child.exitCode !== null) throw new Error(`fixture exited with ${child.exitCode}`);
      return out.includes('READY');
    }, { attempts: 600, intervalMs: 100 });
  }, 600_000);

  afterAll(async () => {
    if (fixture?.pid) await stopPid(fixture.pid);
    for (const pod of pods) {
      await manager?.killPod(pod).catch(() => {});
      await manager?.removePod(pod.metadata!.uid!).catch(() => {});
    }
    await node?.stop();
  }, 120_000);

  it('/healthz is open; everything else needs a client certificate signed by the cluster CA', async () => {
    expect(await get('/healthz', false)).toEqual({ status: 200, body: 'ok' });
    const denied = await get('/pods', false);
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const list = await get('/pods');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
  });

  it('exec over WebSocket v5: stdout, stdin and its end, resize, and the exit code in the status channel', async () => {
    const exec = (query: string, send?: (ws: WebSocket) => void, protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io']) =>
      new Promise<{ protocol: string; channels: Record<number, string> }>((resolve, reject) => {
        const ws = new WebSocket(`wss://kubelet/exec/default/shell/main?${query}`, protocols, {
          createConnection: () => connect(),
        });
        const channels: Record<number, string> = {};
        ws.on('message', (data: Buffer) => {
          channels[data[0]!] = (channels[data[0]!] ?? '') + data.subarray(1).toString();
        });
        ws.on('open', () => send?.(ws));
        ws.on('close', () => resolve({ protocol: ws.protocol, channels }));
        ws.on('error', reject);
      });

    const cmd = (...args: string[]) => args.map((a) => `command=${encodeURIComponent(a)}`).join('&');
    const failed = await exec(`${cmd('sh', '-c', 'echo hi; exit 3')}&output=1&error=1`);
    expect(failed.protocol).toBe('v5.channel.k8s.io');
    expect(failed.channels[1]).toBe('hi\n');
    expect(JSON.parse(failed.channels[3]!)).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });

    // stdin reaches the command, and v5's close message ends it: the kubelet speaks SPDY to the
    // runtime and half-closes the stdin stream, so `cat` reads end of file and exits.
    const echoed = await exec(`${cmd('cat')}&input=1&output=1&error=1`, (ws) => {
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping\n')]));
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('pong\n')]));
      ws.send(Buffer.from([255, 0]));
    });
    expect(echoed.channels[1]).toBe('ping\npong\n');
    expect(JSON.parse(echoed.channels[3]!)).toMatchObject({ status: 'Success' });

    // A terminal: the resize message reaches the runtime's resize stream. The runtime applies it
    // on its own stream, unordered with stdin, so the command asks until the size is set (busybox's
    // stty fails while the terminal is 0x0), a bounded number of times.
    const askSize = 'read x; for i in $(seq 50); do s=$(stty size 2>/dev/null) && break; sleep 0.1; done; echo "size=$s"';
    const sized = await exec(`${cmd('sh', '-c', askSize)}&input=1&output=1&tty=1`, (ws) => {
      ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":123,"Height":45}')]));
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('go\r')]));
    });
    expect(sized.channels[1]).toContain('size=45 123');
    expect(JSON.parse(sized.channels[3]!)).toMatchObject({ status: 'Success' });

    // A v4 client is relayed to the runtime's WebSocket as is.
    const v4 = await exec(`${cmd('sh', '-c', 'echo old; exit 2')}&output=1&error=1`, undefined, ['v4.channel.k8s.io']);
    expect(v4.protocol).toBe('v4.channel.k8s.io');
    expect(v4.channels[1]).toBe('old\n');
    expect(JSON.parse(v4.channels[3]!)).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });

    const missing = await get(`/exec/default/shell/nope?${cmd('true')}&output=1`);
    expect(missing.status).toBe(400); // not an upgrade request
  });

  it('exec over SPDY/3.1 (kubectl\'s fallback) is spliced through to the runtime', async () => {
    const framer = new SpdyFramer();
    const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
      const req = request({
        method: 'POST',
        path: '/exec/default/shell/main?command=sh&command=-c&command=echo%20hi%3B%20exit%203&output=1',
        headers: { host: 'kubelet', Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
        createConnection: () => connect(),
      });
      req.on('upgrade', (_res, sock) => resolve(sock));
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    const frames: Frame[] = [];
    let chain = Promise.resolve();
    socket.on('data', (c: Buffer) => {
      chain = chain.then(async () => void frames.push(...(await framer.push(c))));
    });
    socket.write(await framer.synStream(1, { streamType: 'error' }, FLAG_FIN));
    socket.write(await framer.synStream(3, { streamType: 'stdout' }, FLAG_FIN));
    const streamText = (id: number) =>
      Buffer.concat(frames.filter((f): f is Extract<Frame, { kind: 'data' }> => f.kind === 'data' && f.streamId === id).map((f) => f.data)).toString();
    await waitFor('the exit status on the error stream', () => streamText(1).includes('ExitCode'), { attempts: 200, intervalMs: 50 });
    expect(streamText(3)).toBe('hi\n');
    expect(JSON.parse(streamText(1))).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
    socket.destroy();
  });

  it('container logs: whole file, timestamps, tail, limitBytes, and Status errors', async () => {
    await publish();
    await waitFor('the shell container to write its log', async () => (await get('/containerLogs/default/shell/main')).body.includes('oops'));
    expect(await get('/containerLogs/default/shell/main')).toEqual({ status: 200, body: 'started\noops\n' });
    const stamped = (await get('/containerLogs/default/shell/main?timestamps=true')).body.split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) started$/);
    expect((await get('/containerLogs/default/shell/main?tailLines=1')).body).toBe('oops\n');
    expect((await get('/containerLogs/default/shell/main?limitBytes=3')).body).toBe('sta');
    expect((await get('/containerLogs/default/shell/main?sinceSeconds=3600')).body).toBe('started\noops\n');

    const noPod = await get('/containerLogs/default/ghost/main');
    expect(noPod.status).toBe(404);
    expect(JSON.parse(noPod.body).message).toBe('pod "ghost" does not exist');
    const noContainer = await get('/containerLogs/default/shell/other');
    expect(noContainer.status).toBe(404);
    const noPrevious = await get('/containerLogs/default/shell/main?previous=true');
    expect(noPrevious.status).toBe(400);
    expect(JSON.parse(noPrevious.body).message).toBe('previous terminated container "main" in pod "shell" not found');

    extraPods.push({
      metadata: { name: 'creating', namespace: 'default', uid: 'kls-creating' },
      spec: { containers: [{ name: 'main', image: BUSYBOX_IMAGE }] },
      status: { phase: 'Pending', containerStatuses: [{ name: 'main', image: BUSYBOX_IMAGE, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
    });
    await publish();
    const waiting = await get('/containerLogs/default/creating/main');
    expect(waiting.status).toBe(400);
    expect(JSON.parse(waiting.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'container "main" in pod "creating" is waiting to start: ContainerCreating' });
  });

  it('follow streams the log as it grows and ends when the container exits', async () => {
    const pod = busyboxPod('counter', ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 1; done'], 'Never');
    pods.push(pod);
    await runUntil(pod, running);
    await publish();
    const followed = await get('/containerLogs/default/counter/main?follow=true');
    expect(followed).toEqual({ status: 200, body: 'line 1\nline 2\nline 3\n' });
  });

  it('previous shows the last terminated instance of a restarted container', async () => {
    // The second instance runs for a while, so the first one (kept for lastState) is still there.
    const pod = busyboxPod('crasher', ['sh', '-c', 'echo attempt; sleep 3; exit 1']);
    pods.push(pod);
    await runUntil(pod, (s) => s.containerStatuses.some((c) => c.restartCount === 1 && c.state === 'CONTAINER_RUNNING'));
    await publish();
    const prev = await get('/containerLogs/default/crasher/main?previous=true');
    expect(prev).toEqual({ status: 200, body: 'attempt\n' });
  });

  it('port-forward: SPDY/3.1 inside WebSocket reaches a listener in the pod', async () => {
    const pod = busyboxPod('listener', ['nc', '-ll', '-p', '8080', '-e', 'echo', 'hello']);
    pods.push(pod);
    await runUntil(pod, running);
    await publish();

    const framer = new SpdyFramer();
    const ws = await openTunnel('/portForward/default/listener?ports=8080', 'SPDY/3.1+portforward.k8s.io', () => connect());
    const frames: Frame[] = [];
    let chain = Promise.resolve();
    ws.onMessage((data) => {
      chain = chain.then(async () => {
        frames.push(...(await framer.push(data)));
      });
    });
    expect(ws.protocol).toBe('SPDY/3.1+portforward.k8s.io');
    // As kubectl: an error stream (closed on our side at once), then the data stream, same requestID.
    ws.send(await framer.synStream(1, { streamType: 'error', port: '8080', requestID: '0' }, FLAG_FIN));
    ws.send(await framer.synStream(3, { streamType: 'data', port: '8080', requestID: '0' }));
    const received = () =>
      Buffer.concat(frames.filter((f): f is Extract<Frame, { kind: 'data' }> => f.kind === 'data' && f.streamId === 3).map((f) => f.data)).toString();
    await waitFor('hello through the port-forward', () => received().includes('hello'), { attempts: 200, intervalMs: 50 });
    expect(received()).toBe('hello\n');
    ws.close();
  });
});
