// Real rules in namespaces this test creates: the proxy (in this process, writing rules into the
// node namespace) follows a real API server; a client pod reaches a ClusterIP Service with two
// backends, a Service without endpoints refuses connections, a NodePort answers from outside,
// ClientIP affinity sticks, scaling to one endpoint leaves one endpoint chain, an endpoint that
// stops being ready stops receiving traffic (and a terminating one is used only when nothing is
// ready), and a pod reaches itself through its own Service (hairpin) — in iptables mode, with
// NodePorts on 127.0.0.1 too, then in nftables mode after a mode switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { waitFor } from '../../lab/processes.ts';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { runProxy, cleanupProxyRules } from './proxy.ts';
import { createTestNetwork, NODE_IP, POD_IPS, BACKEND_PORT, type TestNetwork } from './testNetwork.ts';
import type { ProxyMode } from './types.ts';
import { skipReason } from '../../test/support/requirements.ts';

const skip = skipReason('proxy.integration.test', { root: 'network namespaces, iptables, nft', tools: ['iptables-restore', 'nft', 'nsenter', 'kubectl'] });

// Bounded polling: up to this many attempts, POLL_MS apart.
const POLL_ATTEMPTS = 150;
const POLL_MS = 200;
const pollUntil = <T>(what: string, fn: () => T | Promise<T>) => waitFor(what, fn, { attempts: POLL_ATTEMPTS, intervalMs: POLL_MS });

/** An endpoint: a pod IP (ready), or one with explicit conditions. */
type SliceEndpoint = string | { ip: string; ready: boolean; serving?: boolean; terminating?: boolean };

const endpointLine = (ep: SliceEndpoint) => {
  const { ip, ...conditions } = typeof ep === 'string' ? { ip: ep, ready: true } : ep;
  return `- { addresses: ["${ip}"], conditions: ${JSON.stringify(conditions)}, nodeName: kp-node }`;
};

const slice = (svc: string, eps: SliceEndpoint[]) => `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${svc}-abc
  namespace: default
  labels: { kubernetes.io/service-name: ${svc} }
addressType: IPv4
ports: [{ name: http, port: ${BACKEND_PORT}, protocol: TCP }]
endpoints:
${eps.map(endpointLine).join('\n')}
`;

const MANIFESTS = `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  type: NodePort
  clusterIP: 10.96.0.50
  ports: [{ name: http, port: 80, targetPort: ${BACKEND_PORT}, nodePort: 30080 }]
---
apiVersion: v1
kind: Service
metadata: { name: empty, namespace: default }
spec:
  clusterIP: 10.96.0.51
  ports: [{ name: http, port: 80, targetPort: ${BACKEND_PORT} }]
---
apiVersion: v1
kind: Service
metadata: { name: sticky, namespace: default }
spec:
  clusterIP: 10.96.0.52
  sessionAffinity: ClientIP
  ports: [{ name: http, port: 80, targetPort: ${BACKEND_PORT} }]
---
apiVersion: v1
kind: Service
metadata: { name: self, namespace: default }
spec:
  clusterIP: 10.96.0.53
  ports: [{ name: http, port: 80, targetPort: ${BACKEND_PORT} }]
---
${slice('web', [POD_IPS.b1, POD_IPS.b2])}
---
${slice('sticky', [POD_IPS.b1, POD_IPS.b2])}
---
${slice('self', [POD_IPS.b1])}
`;

describe.skipIf(!!skip)('k8ts proxy writes real rules', () => {
  let cp: ControlPlane;
  let net: TestNetwork;
  let stopProxy: (() => Promise<void>) | undefined;
  const log = pino({ level: process.env.K8TS_TEST_LOG ?? 'warn' });

  beforeAll(async () => {
    net = await createTestNetwork(`kp${process.pid % 10000}`);
    cp = await startControlPlane();
    await cp.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
  });

  afterAll(async () => {
    await stopProxy?.();
    if (net) {
      await cleanupProxyRules({ log, netns: net.node }).catch(() => undefined);
      await net.destroy();
    }
    await cp?.stop();
  });

  async function startProxy(mode: ProxyMode): Promise<number> {
    await stopProxy?.();
    const ac = new AbortController();
    let port = 0;
    const done = runProxy({
      kubeconfig: cp.kubeconfig, nodeName: 'kp-node', nodeIP: NODE_IP, mode, clusterCIDR: '10.244.0.0/16',
      healthzBindAddress: '127.0.0.1:0', netns: net.node, signal: ac.signal, log, minSyncPeriodMs: 200,
      onListening: (a) => (port = a.port),
    });
    done.catch((e) => log.error(e));
    stopProxy = async () => {
      ac.abort();
      await done.catch(() => undefined);
      stopProxy = undefined;
    };
    await pollUntil('the proxy to listen', () => port || undefined);
    return port;
  }

  const iptablesSave = () => net.exec(net.node, ['iptables-save']);
  const nftTable = () => net.exec(net.node, ['nft', 'list', 'table', 'ip', 'kube-proxy']);
  const both = async (host: string, port: number, ns = net.client) =>
    pollUntil(`both backends behind ${host}:${port}`, async () => {
      const answers = await net.probe(ns, host, port, 20);
      return answers.includes('b1') && answers.includes('b2') ? answers : undefined;
    });

  async function exerciseMode(mode: ProxyMode, rulesText: () => string, sepCount: () => number) {
    const port = await startProxy(mode);
    await pollUntil(`${mode} rules for default/web`, () => rulesText().includes('default/web') || undefined);
    const health = await pollUntil('/healthz 200', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200 ? true : undefined));
    expect(health).toBe(true);

    // ClusterIP with two backends: both answer.
    const answers = await both('10.96.0.50', 80);
    expect(answers.every((a) => a === 'b1' || a === 'b2')).toBe(true);

    // No endpoints: refused at once, not a timeout.
    expect(await net.probe(net.client, '10.96.0.51', 80, 3)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);

    // NodePort from another machine, on the node's IP.
    const fromOutside = await pollUntil('the NodePort', async () => {
      const a = await net.probe(net.external, NODE_IP, 30080, 10);
      return a.every((x) => x === 'b1' || x === 'b2') ? a : undefined;
    });
    expect(fromOutside.length).toBe(10);

    // ClientIP affinity: one client, one backend.
    const sticky = await net.probe(net.client, '10.96.0.52', 80, 12);
    expect(new Set(sticky).size).toBe(1);
    expect(['b1', 'b2']).toContain(sticky[0]);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/);

    // Scale web to one endpoint: one endpoint chain left, and only b1 answers.
    await cp.kubectl(['apply', '-f', '-'], { input: slice('web', [POD_IPS.b1]) });
    await pollUntil('one endpoint chain for default/web', () => (sepCount() === 1 ? true : undefined)).catch((e) => {
      throw new Error(`${e.message}\n${rulesText()}`);
    });
    const after = await net.probe(net.client, '10.96.0.50', 80, 10);
    expect(after).toEqual(Array(10).fill('b1'));
    // Back to two for the next mode.
    await cp.kubectl(['apply', '-f', '-'], { input: slice('web', [POD_IPS.b1, POD_IPS.b2]) });
    await pollUntil('two endpoint chains for default/web', () => (sepCount() === 2 ? true : undefined));

    // Readiness: b2 stays in the slice but is not ready — its endpoint chain goes, only b1
    // answers, over many new connections; ready again, both answer.
    await cp.kubectl(['apply', '-f', '-'], { input: slice('web', [POD_IPS.b1, { ip: POD_IPS.b2, ready: false }]) });
    await pollUntil('the not-ready endpoint to leave default/web', () => (sepCount() === 1 ? true : undefined)).catch((e) => {
      throw new Error(`${e.message}\n${rulesText()}`);
    });
    expect(await net.probe(net.client, '10.96.0.50', 80, 20)).toEqual(Array(20).fill('b1'));
    await cp.kubectl(['apply', '-f', '-'], { input: slice('web', [POD_IPS.b1, POD_IPS.b2]) });
    await pollUntil('the ready-again endpoint in default/web', () => (sepCount() === 2 ? true : undefined));
    await both('10.96.0.50', 80);

    // Nothing ready: a serving, terminating endpoint still takes traffic (upstream
    // CategorizeEndpoints); one that is neither ready nor serving does not.
    await cp.kubectl(['apply', '-f', '-'], {
      input: slice('web', [{ ip: POD_IPS.b1, ready: false, serving: false }, { ip: POD_IPS.b2, ready: false, serving: true, terminating: true }]),
    });
    await pollUntil('only the terminating endpoint to answer', async () => {
      const a = await net.probe(net.client, '10.96.0.50', 80, 5);
      return a.every((x) => x === 'b2') ? true : undefined;
    });
    expect(await net.probe(net.client, '10.96.0.50', 80, 20)).toEqual(Array(20).fill('b2'));
    await cp.kubectl(['apply', '-f', '-'], { input: slice('web', [POD_IPS.b1, POD_IPS.b2]) });
    await both('10.96.0.50', 80);

    // Hairpin: b1 reaches itself through a Service whose only endpoint is b1. Without the
    // masquerade in its endpoint chain, b1 would answer itself directly and drop the reply.
    const self = await pollUntil('b1 through its own Service', async () => {
      const a = await net.probe(net.backends.b1, '10.96.0.53', 80, 5);
      return a.every((x) => x === 'b1') ? a : undefined;
    });
    expect(self).toEqual(Array(5).fill('b1'));
  }

  it('iptables mode: ClusterIP, REJECT, NodePort (also on 127.0.0.1), affinity, scaling, readiness, hairpin', { timeout: 120_000 }, async () => {
    await exerciseMode('iptables', iptablesSave, () => iptablesSave().split('\n').filter((l) => /^:KUBE-SEP-/.test(l) === false && /^-A KUBE-SEP-\S+ .*--comment "?default\/web:http"? .*DNAT/.test(l)).length);
    // NodePort on 127.0.0.1 from the node itself (iptables mode only, as upstream; needs
    // route_localnet, which the proxier sets).
    const localhost = await pollUntil('the NodePort on 127.0.0.1', async () => {
      const a = await net.probe(net.node, '127.0.0.1', 30080, 10);
      return a.every((x) => x === 'b1' || x === 'b2') ? a : undefined;
    });
    expect(localhost.length).toBe(10);
    const save = iptablesSave();
    // Chains and comments read like upstream's.
    expect(save).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.50\/32 -p tcp -m comment --comment "default\/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-[A-Z2-7]{16}/);
    expect(save).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.51\/32 -p tcp -m comment --comment "default\/empty:http has no endpoints" -m tcp --dport 80 -j REJECT/);
    expect(save).toMatch(/-A KUBE-NODEPORTS -p tcp -m comment --comment "?default\/web:http"? -m tcp --dport 30080 -j KUBE-EXT-/);
    expect(save).toMatch(/-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-/);
    expect(save).toMatch(/-m statistic --mode random --probability 0\.5/);
    expect(save).toMatch(/-A KUBE-SVC-\S+ ! -s 10\.244\.0\.0\/16 -d 10\.96\.0\.50\/32 .*-j KUBE-MARK-MASQ/);
    expect(save).toMatch(/-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
  });

  it('nftables mode after a mode switch: the iptables rules are gone and Services, readiness and hairpin still work', { timeout: 120_000 }, async () => {
    await exerciseMode('nftables', nftTable, () => (nftTable().match(/chain endpoint-\S+-default\/web\/tcp\/http__/g) ?? []).length);
    expect(iptablesSave()).not.toMatch(/KUBE-SVC-|KUBE-SERVICES/);
    const table = nftTable();
    expect(table).toMatch(/10\.96\.0\.50 \. tcp \. 80 : goto service-[A-Z2-7]{8}-default\/web\/tcp\/http/);
    expect(table).toMatch(/numgen random mod 2 vmap/);
  });
});
