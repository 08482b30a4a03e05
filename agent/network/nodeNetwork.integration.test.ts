// The node network against a real control plane (node IPAM assigns the podCIDRs) in two network
// namespaces this test creates, joined by a veth pair like two machines on one LAN: each node
// writes its CNI conflist for its podCIDR, masquerades its pod traffic leaving the pod network,
// and routes the other node's podCIDR via that node's InternalIP — proven by a TCP connection
// from one namespace to an address in the other's podCIDR. Routes removed by hand come back;
// the route to a deleted Node goes away.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, loadKubeconfig, type ClosableClient } from '../../controlplane/client/index.ts';
import { removeBlackholeRoutes } from '../../lab/netns.ts';
import { sleep, waitFor } from '../../lab/processes.ts';
import { blackholeUnroutedRanges } from '../../test/support/blackholeRoutes.ts';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { startNodeStatus } from '../kubelet/node/nodeStatusManager.ts';
import { CNI_CONF_FILE, conflistSubnet } from './cniConfig.ts';
import { startNodeNetwork, type NodeNetworkHandle } from './nodeNetwork.ts';
import { skipReason } from '../../test/support/requirements.ts';

const skip = skipReason('nodeNetwork.integration.test', { root: 'network namespaces, routes, iptables', tools: ['ip', 'iptables-restore', 'nsenter', 'kubectl'] });

const POLL_ATTEMPTS = 200;
const POLL_MS = 250;
const pollUntil = <T>(what: string, fn: () => T | Promise<T>) => waitFor(what, fn, { attempts: POLL_ATTEMPTS, intervalMs: POLL_MS });

// Namespaces carry the test's prefix and PID, so a leftover from a killed run is recognised.
const PREFIX = 'k8tsnet';
const NS = { a: `${PREFIX}-${process.pid}-a`, b: `${PREFIX}-${process.pid}-b` };
const NODE = { a: `${PREFIX}-${process.pid}-a`, b: `${PREFIX}-${process.pid}-b` };
const IP = { a: '192.168.56.41', b: '192.168.56.42' };
const CLUSTER_CIDR = '10.244.0.0/16';

const sh = (...argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const trySh = (...argv: string[]) => {
  try {
    return sh(...argv);
  } catch {
    return undefined;
  }
};
const inNs = (ns: string, ...argv: string[]) => sh('nsenter', `--net=/run/netns/${ns}`, ...argv);
const ourRoutes = (ns: string) => JSON.parse(inNs(ns, 'ip', '-j', 'route', 'show', 'proto', '87') || '[]') as { dst: string; gateway: string }[];

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function sweepLeftovers(): void {
  for (const ns of existsSync('/run/netns') ? readdirSync('/run/netns') : []) {
    const m = new RegExp(`^${PREFIX}-(\\d+)-`).exec(ns);
    if (m && (!processAlive(Number(m[1])) || Number(m[1]) === process.pid)) trySh('ip', 'netns', 'del', ns);
  }
}

// A one-connection TCP server: answers "pong" to whoever connects.
const SERVER = `require('net').createServer(s=>s.end('pong')).listen(7777,process.argv[1],()=>console.log('listening'))`;
const CLIENT = `const s=require('net').connect(7777,process.argv[1]);let d='';s.on('data',x=>d+=x);s.on('end',()=>{console.log(d);process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('TIMEOUT');process.exit(0)},3000)`;

describe.skipIf(!!skip)('node network: CNI config, masquerade, host-gw routes', () => {
  let cp: ControlPlane;
  let client: ClosableClient;
  let dir: string;
  let addedBlackholes: string[] = [];
  const procs: ChildProcess[] = [];
  const stop = { a: new AbortController(), b: new AbortController() };
  const net: Partial<Record<'a' | 'b', NodeNetworkHandle>> = {};
  const statusDone: Promise<void>[] = [];
  const log = pino({ level: process.env.K8TS_TEST_LOG ?? 'silent' });

  beforeAll(async () => {
    // The lab's ranges, blackholed in the root namespace while the test runs so nothing leaks out.
    addedBlackholes = await blackholeUnroutedRanges();
    sweepLeftovers();
    for (const ns of [NS.a, NS.b]) {
      sh('ip', 'netns', 'add', ns);
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    }
    // Two "machines" on one link.
    sh('ip', '-n', NS.a, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.b);
    for (const k of ['a', 'b'] as const) {
      sh('ip', '-n', NS[k], 'addr', 'add', `${IP[k]}/24`, 'dev', 'eth0');
      sh('ip', '-n', NS[k], 'link', 'set', 'eth0', 'up');
    }
    dir = mkdtempSync(join(tmpdir(), 'k8ts-net-'));
    cp = await startControlPlane({ full: true });
    client = createClient(loadKubeconfig(cp.kubeconfig), { userAgent: 'node-network-test' });
    for (const k of ['a', 'b'] as const) {
      // The real registration, so node IPAM sees real Nodes; the runtime is a stub.
      statusDone.push(startNodeStatus({
        client,
        nodeName: NODE[k],
        nodeIP: IP[k],
        kubeletPort: 10250,
        runtimeVersion: async () => 'containerd://1.6.20',
        runtimeReady: async () => ({ ok: true }),
        images: async () => [],
        rootDir: dir,
        signal: stop[k].signal,
        log,
      }).done);
      net[k] = startNodeNetwork({
        client,
        nodeName: NODE[k],
        cniConfDir: join(dir, k, 'net.d'),
        cniDataDir: join(dir, k, 'cni-ipam'),
        clusterCIDR: CLUSTER_CIDR,
        netns: NS[k],
        signal: stop[k].signal,
        log,
        resyncMs: 500,
      });
    }
  });

  afterAll(async () => {
    stop.a.abort();
    stop.b.abort();
    await Promise.all([net.a?.done, net.b?.done, ...statusDone]);
    for (const p of procs) {
      if (p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await exited;
      }
    }
    client?.close();
    await cp?.stop();
    for (const ns of [NS.a, NS.b]) trySh('ip', 'netns', 'del', ns);
    await removeBlackholeRoutes(addedBlackholes);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let podCIDR: { a: string; b: string };

  it('writes the conflist for the podCIDR node IPAM assigned', async () => {
    const [a, b] = await Promise.all([net.a!.cniReady, net.b!.cniReady]);
    podCIDR = { a, b };
    expect(a).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(a).not.toBe(b);
    const text = readFileSync(join(dir, 'a', 'net.d', CNI_CONF_FILE), 'utf8');
    expect(conflistSubnet(text)).toBe(a);
    expect(JSON.parse(text).plugins[0].ipam.dataDir).toBe(join(dir, 'a', 'cni-ipam'));
  });

  it('routes each node to the other\'s podCIDR via its InternalIP, and pods are reachable', async () => {
    await pollUntil('route a → b', () => JSON.stringify(ourRoutes(NS.a).map((r) => [r.dst, r.gateway])) === JSON.stringify([[podCIDR.b, IP.b]]));
    await pollUntil('route b → a', () => ourRoutes(NS.b).some((r) => r.dst === podCIDR.a && r.gateway === IP.a));

    // An address from b's podCIDR, as a pod would have; a connects to it through the route.
    const podIP = podCIDR.b.replace(/\.0\/24$/, '.5');
    sh('ip', '-n', NS.b, 'addr', 'add', `${podIP}/32`, 'dev', 'lo');
    const server = spawn('nsenter', [`--net=/run/netns/${NS.b}`, process.execPath, '-e', SERVER, podIP], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(server);
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once('data', () => resolve());
      server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    });
    const answer = inNs(NS.a, process.execPath, '-e', CLIENT, podIP).trim();
    expect(answer).toBe('pong');
  });

  it('masquerades pod traffic leaving the pod network, once, in its own chain', async () => {
    const rules = await pollUntil('the masquerade chain', () => {
      const out = trySh('nsenter', `--net=/run/netns/${NS.a}`, 'iptables', '-w', '-t', 'nat', '-S', 'K8TS-POSTROUTING');
      return out?.includes('MASQUERADE') && out;
    });
    expect(rules).toContain(`-A K8TS-POSTROUTING -s ${podCIDR.a} ! -d ${CLUSTER_CIDR}`);
    // Several resyncs (500 ms) later there is still exactly one jump and one rule.
    await sleep(1500);
    const post = inNs(NS.a, 'iptables', '-w', '-t', 'nat', '-S', 'POSTROUTING');
    expect(post.split('\n').filter((l) => l.includes('-j K8TS-POSTROUTING'))).toHaveLength(1);
    expect(inNs(NS.a, 'iptables', '-w', '-t', 'nat', '-S', 'K8TS-POSTROUTING').split('\n').filter((l) => l.startsWith('-A'))).toHaveLength(1);
  });

  it('puts back a route removed by hand and leaves routes it does not own alone', async () => {
    inNs(NS.a, 'ip', 'route', 'add', '10.99.0.0/24', 'via', IP.b);
    inNs(NS.a, 'ip', 'route', 'del', podCIDR.b, 'proto', '87');
    await pollUntil('the route back', () => ourRoutes(NS.a).some((r) => r.dst === podCIDR.b));
    expect(inNs(NS.a, 'ip', 'route', 'show', '10.99.0.0/24')).toContain(`via ${IP.b}`);
  });

  it('removes the route when the other Node is deleted', async () => {
    stop.b.abort();
    await net.b!.done;
    await cp.kubectl(['delete', 'node', NODE.b]);
    await pollUntil('no route to the deleted node', () => ourRoutes(NS.a).length === 0);
    // Our own node's config is untouched.
    expect(conflistSubnet(readFileSync(join(dir, 'a', 'net.d', CNI_CONF_FILE), 'utf8'))).toBe(podCIDR.a);
  });
});
