// Nodes without a kubelet, for control-plane tests: registers Node objects as a kubelet would
// (capacity, Ready condition, the master's control-plane taint), renews their Leases so the node
// lifecycle controller keeps them Ready, and reports pods bound to them as Running and Ready with
// an IP from the node's podCIDR — the status half of a kubelet, with no containers behind it.
import { createClient, loadKubeconfig, type ClosableClient } from '../../controlplane/client/index.ts';
import { isConflict, isNotFound, type KubeObject } from '../../controlplane/client/types.ts';

const LEASE_RENEW_MS = 2_000;
const POD_POLL_MS = 200;

export interface FakeNode {
  name: string;
  ip: string;
  master?: boolean;
  cpu?: string;
  memory?: string;
}

export interface FakeNodes {
  client: ClosableClient;
  /** Stops renewing one node's Lease (the node "dies"). */
  kill(name: string): void;
  stop(): Promise<void>;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const microNow = () => new Date().toISOString().replace(/Z$/, '000Z');

function nodeObject(n: FakeNode): KubeObject {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' };
  if (n.master) labels['node-role.kubernetes.io/control-plane'] = '';
  const resources = { cpu: n.cpu ?? '2', memory: n.memory ?? '2Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels },
    spec: n.master ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {},
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }],
      nodeInfo: { kubeletVersion: 'v1.32.4-k8ts', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.6.20', operatingSystem: 'linux', architecture: 'amd64', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '' },
    },
  };
}

async function renewLease(client: ClosableClient, name: string): Promise<void> {
  const leases = client.r('coordination.k8s.io/v1', 'leases', 'kube-node-lease');
  try {
    await leases.patch(name, 'merge', { spec: { renewTime: microNow() } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microNow() } });
  }
}

/** The pod's IP: the node's podCIDR with a host part from a per-node counter. */
function podIP(node: KubeObject | undefined, counter: Map<string, number>): string | undefined {
  const cidr: string | undefined = node?.spec?.podCIDR;
  if (!cidr) return undefined;
  const next = (counter.get(node!.metadata.name) ?? 1) + 1;
  counter.set(node!.metadata.name, next);
  return cidr.replace(/\.0\/24$/, `.${next}`);
}

export async function startFakeNodes(kubeconfig: string, nodes: FakeNode[]): Promise<FakeNodes> {
  const client = createClient(loadKubeconfig(kubeconfig), { userAgent: 'fake-kubelet' });
  const nodesApi = client.r('v1', 'nodes');
  for (const n of nodes) await nodesApi.create(nodeObject(n));
  const dead = new Set<string>();
  const controller = new AbortController();
  const ips = new Map<string, number>();

  const leaseLoop = (async () => {
    while (!controller.signal.aborted) {
      for (const n of nodes) if (!dead.has(n.name)) await renewLease(client, n.name).catch(() => undefined);
      await new Promise((r) => setTimeout(r, LEASE_RENEW_MS));
    }
  })();

  const podLoop = (async () => {
    while (!controller.signal.aborted) {
      try {
        const pods = (await client.r('v1', 'pods').list()).items;
        const nodeObjs = (await nodesApi.list()).items;
        for (const p of pods) {
          const nodeName = p.spec?.nodeName;
          if (!nodeName || dead.has(nodeName) || !nodes.some((n) => n.name === nodeName)) continue;
          const api = client.r('v1', 'pods', p.metadata.namespace);
          if (p.metadata.deletionTimestamp) {
            // A kubelet stops the containers, then removes the pod for good.
            await api.delete(p.metadata.name, { gracePeriodSeconds: 0 }).catch(() => undefined);
            continue;
          }
          if (p.status?.phase === 'Running') continue;
          const ip = podIP(nodeObjs.find((o) => o.metadata.name === nodeName), ips);
          if (!ip) continue; // no podCIDR yet
          const t = now();
          const node = nodes.find((n) => n.name === nodeName)!;
          await api
            .patch(p.metadata.name, 'merge', {
              status: { phase: 'Running', hostIP: node.ip, podIP: ip, podIPs: [{ ip }], startTime: t, conditions: [{ type: 'Initialized', status: 'True', lastTransitionTime: t }, { type: 'Ready', status: 'True', lastTransitionTime: t }, { type: 'ContainersReady', status: 'True', lastTransitionTime: t }, { type: 'PodScheduled', status: 'True', lastTransitionTime: t }] },
            }, { subresource: 'status' })
            .catch((e) => {
              if (!isNotFound(e) && !isConflict(e)) throw e;
            });
        }
      } catch {
        /* the next round tries again */
      }
      await new Promise((r) => setTimeout(r, POD_POLL_MS));
    }
  })();

  return {
    client,
    kill: (name) => dead.add(name),
    async stop() {
      controller.abort();
      await Promise.allSettled([leaseLoop, podLoop]);
      client.close();
    },
  };
}
