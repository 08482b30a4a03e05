// The node half of the kubelet against a real control plane (API server, node IPAM and node
// lifecycle controllers): a worker registers, turns Ready in `kubectl get nodes -o wide` with its
// InternalIP and runtime version, renews its Lease, reports a runtime failure at once, goes
// NotReady when it stops (the lifecycle controller's grace period is 5 s here), and is adopted
// — not duplicated — when it starts again. The container runtime is a stub: the real CRI client
// is wired in by the kubelet.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, loadKubeconfig, type ClosableClient, type KubeObject } from '../../../controlplane/client/index.ts';
import { startControlPlane, type ControlPlane } from '../../../test/support/controlPlane.ts';
import { skipReason } from '../../../test/support/requirements.ts';
import type { RuntimeHealth } from './nodeConditions.ts';
import { startNodeStatus, type NodeStatusHandle, type NodeStatusOptions } from './nodeStatusManager.ts';

const noKubectl = !!skipReason('nodeStatus.integration.test', { tools: ['kubectl'] });

// Bounded polling: up to POLL_ATTEMPTS tries, POLL_MS apart.
const POLL_ATTEMPTS = 200;
const POLL_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function pollUntil<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  let last: unknown;
  for (let i = 0; i < POLL_ATTEMPTS; i++) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

const WORKER = `nodetest-${process.pid}-w`;
const MASTER = `nodetest-${process.pid}-m`;
const log = pino({ level: process.env.K8TS_TEST_LOG ?? 'silent' });

describe('node registration, status and lease', () => {
  let cp: ControlPlane;
  let client: ClosableClient;
  let rootDir: string;
  const stops: AbortController[] = [];
  const running: Promise<void>[] = [];
  let runtime: RuntimeHealth = { ok: true };

  const start = (nodeName: string, over: Partial<NodeStatusOptions> = {}): { stop: AbortController; handle: NodeStatusHandle } => {
    const stop = new AbortController();
    stops.push(stop);
    const handle = startNodeStatus({
      client,
      nodeName,
      nodeIP: '192.168.56.31',
      kubeletPort: 10250,
      runtimeVersion: async () => 'containerd://1.6.20',
      runtimeReady: async () => runtime,
      images: async () => [{ repoTags: ['docker.io/library/nginx:1.22.1'], repoDigests: [], sizeBytes: 74_000_000 }],
      rootDir,
      signal: stop.signal,
      log,
      // Faster than upstream's 10 s so the test does not wait; the decisions are the same.
      statusUpdateFrequencyMs: 500,
      leaseRenewIntervalMs: 1000,
      ...over,
    });
    running.push(handle.done);
    return { stop, handle };
  };
  const getNode = (name: string) => client.r('v1', 'nodes').get(name);
  const ready = (n: KubeObject) => n.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');

  beforeAll(async () => {
    cp = await startControlPlane({ full: true, args: ['--node-monitor-grace-period', '5'] });
    client = createClient(loadKubeconfig(cp.kubeconfig), { userAgent: 'node-status-test' });
    rootDir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-root-'));
  });

  afterAll(async () => {
    for (const s of stops) s.abort();
    await Promise.all(running);
    client?.close();
    await cp?.stop();
    if (rootDir) rmSync(rootDir, { recursive: true, force: true });
  });

  it.skipIf(noKubectl)('registers, turns Ready in kubectl get nodes -o wide, renews its Lease', async () => {
    runtime = { ok: false, reason: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' };
    const { handle } = start(WORKER);
    const registered = await handle.registered;
    expect(registered?.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': WORKER, 'kubernetes.io/os': 'linux' });

    // NotReady with the runtime's reason, then Ready once the runtime is.
    const notReady = await pollUntil('NotReady with the runtime reason', async () => {
      const c = ready(await getNode(WORKER));
      return c?.status === 'False' && c;
    });
    expect(notReady).toMatchObject({ reason: 'KubeletNotReady', message: runtime.reason });
    runtime = { ok: true };
    const line = await pollUntil('Ready in kubectl get nodes -o wide', async () => {
      const out = (await cp.kubectl(['get', 'nodes', '-o', 'wide', '--no-headers'])).stdout;
      return out.split('\n').find((l) => l.startsWith(`${WORKER} `) && /\sReady\s/.test(l));
    });
    expect(line).toContain('192.168.56.31');
    expect(line).toContain('containerd://1.6.20');
    expect(line).toContain('v1.32.4-k8ts');

    const node = await getNode(WORKER);
    expect(node.status.capacity.pods).toBe('110');
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0);
    expect(node.status.allocatable.memory).toBeTruthy();
    expect(node.status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(node.status.images[0].names).toContain('docker.io/library/nginx:1.22.1');
    expect(node.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);

    // The Lease: owned by the Node, renewed.
    const leases = client.r('coordination.k8s.io/v1', 'leases', 'kube-node-lease');
    const first = await pollUntil('the lease with its owner reference', async () => {
      const l = await leases.get(WORKER);
      return l.metadata.ownerReferences?.[0]?.uid === node.metadata.uid && l;
    });
    expect(first.spec).toMatchObject({ holderIdentity: WORKER, leaseDurationSeconds: 40 });
    await pollUntil('a lease renewal', async () => (await leases.get(WORKER)).spec.renewTime !== first.spec.renewTime);

    // Events a learner sees in `kubectl describe node`.
    await pollUntil('the NodeReady event', async () => {
      const out = (await cp.kubectl(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${WORKER}`, '-o', 'jsonpath={.items[*].reason}'])).stdout;
      return out.includes('NodeReady') && out.includes('NodeHasSufficientMemory') && out;
    });
  });

  it.skipIf(noKubectl)('sends the status only when it changes (heartbeats alone wait for the report period)', async () => {
    const before = ready(await getNode(WORKER));
    // Several syncs (500 ms apart) and lease renewals pass; with a 1 min report period none of
    // them may rewrite the heartbeat.
    const leases = client.r('coordination.k8s.io/v1', 'leases', 'kube-node-lease');
    let renewals = 0;
    let last = (await leases.get(WORKER)).spec.renewTime;
    await pollUntil('three lease renewals', async () => {
      const now = (await leases.get(WORKER)).spec.renewTime;
      if (now !== last) {
        renewals++;
        last = now;
      }
      return renewals >= 3;
    });
    expect(ready(await getNode(WORKER)).lastHeartbeatTime).toBe(before.lastHeartbeatTime);

    // A change is sent at once.
    runtime = { ok: false, reason: 'container runtime is down' };
    await pollUntil('Ready=False after the runtime failed', async () => ready(await getNode(WORKER)).status === 'False');
    runtime = { ok: true };
    await pollUntil('Ready again', async () => ready(await getNode(WORKER)).status === 'True');
  });

  it.skipIf(noKubectl)('the control-plane node carries the role label and the NoSchedule taint', async () => {
    const { handle } = start(MASTER, { master: true, nodeIP: '192.168.56.30' });
    await handle.registered;
    const out = await pollUntil('control-plane role in kubectl', async () => {
      const o = (await cp.kubectl(['get', 'node', MASTER, '--no-headers'])).stdout;
      return o.includes('control-plane') && o;
    });
    expect(out).toContain('control-plane');
    const node = await getNode(MASTER);
    expect(node.spec.taints).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  });

  it.skipIf(noKubectl)('a stopped kubelet goes NotReady after the grace period; a restarted one adopts its Node', async () => {
    const uid = (await getNode(WORKER)).metadata.uid;
    const worker = stops[0]!;
    worker.abort();
    await pollUntil('Ready=Unknown from the node lifecycle controller', async () => {
      const c = ready(await getNode(WORKER));
      return c?.status === 'Unknown' && c.reason === 'NodeStatusUnknown';
    });
    const line = (await cp.kubectl(['get', 'node', WORKER, '--no-headers'])).stdout;
    expect(line).toMatch(/\sNotReady\s/);

    const { handle } = start(WORKER);
    const adopted = await handle.registered;
    expect(adopted?.metadata.uid).toBe(uid);
    await pollUntil('Ready again after the restart', async () => ready(await getNode(WORKER)).status === 'True');
  });
});
