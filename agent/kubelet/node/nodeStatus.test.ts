import { describe, expect, it } from 'vitest';
import type { MachineInfo, NodeUsage } from './machineInfo.ts';
import { firstHostIPv4, goArch, prettyName } from './machineInfo.ts';
import { formatBytes, formatCpuMillis, nodeResources } from './nodeCapacity.ts';
import { applyConditions, desiredConditions } from './nodeConditions.ts';
import { buildNodeStatus, metaTime, nodeImages, nodeStatusChanged, shouldReportStatus, type NodeStatusInputs } from './nodeStatus.ts';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

const machine: MachineInfo = {
  cpuCores: 2,
  memoryBytes: 2 * Gi,
  kernelVersion: '6.1.0-18-amd64',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
  machineID: 'm1',
  systemUUID: '',
  bootID: 'b1',
};

const healthy: NodeUsage = {
  memoryAvailableBytes: Gi,
  fsCapacityBytes: 20 * Gi,
  fsAvailableBytes: 15 * Gi,
  fsInodes: 1_000_000,
  fsInodesFree: 900_000,
  pidMax: 32768,
  pidAvailable: 32000,
};

const inputs = (over: Partial<NodeStatusInputs> = {}): NodeStatusInputs => ({
  nodeName: 'worker-0',
  nodeIP: '192.168.56.11',
  kubeletPort: 10250,
  machine,
  usage: healthy,
  runtimeVersion: 'containerd://1.6.20',
  runtime: { ok: true },
  images: [],
  ...over,
});

const t0 = new Date('2024-05-01T10:00:00Z');
const at = (sec: number) => new Date(t0.getTime() + sec * 1000);

describe('quantities', () => {
  it.each([
    [0, '0'],
    [512, '512'],
    [1024, '1Ki'],
    [100 * Mi, '100Mi'],
    [2 * Gi, '2Gi'],
    [16365028 * 1024, '16365028Ki'],
    [2 * Gi - 100 * Mi, '1948Mi'],
    [47093746742, '47093746742'],
    [5000, '5k'],
  ])('%d bytes print as %s', (n, s) => expect(formatBytes(n)).toBe(s));

  it('prints whole cores bare and fractions in millicores', () => {
    expect(formatCpuMillis(2000)).toBe('2');
    expect(formatCpuMillis(1900)).toBe('1900m');
  });
});

describe('capacity and allocatable', () => {
  it('allocatable is capacity minus reserved and the hard eviction thresholds', () => {
    const r = nodeResources(machine, healthy, { cpuMillis: 100, memoryBytes: 256 * Mi });
    expect(r.capacity).toEqual({ cpu: '2', memory: '2Gi', pods: '110', 'ephemeral-storage': '20Gi' });
    // 2Gi - 256Mi - 100Mi; 20Gi - 10%
    expect(r.allocatable).toEqual({ cpu: '1900m', memory: '1692Mi', pods: '110', 'ephemeral-storage': '18Gi' });
  });
});

describe('conditions', () => {
  it('a healthy node is Ready with no pressure, in upstream order', () => {
    const c = desiredConditions(healthy, { ok: true });
    expect(c.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    expect(c[3]!.message).toBe('kubelet is posting ready status');
  });

  it.each([
    ['memory.available < 100Mi', { memoryAvailableBytes: 99 * Mi }, 'MemoryPressure'],
    ['nodefs.available < 10%', { fsAvailableBytes: 1.9 * Gi }, 'DiskPressure'],
    ['nodefs.inodesFree < 5%', { fsInodesFree: 40_000 }, 'DiskPressure'],
    ['pid.available < 5%', { pidAvailable: 1000 }, 'PIDPressure'],
  ])('%s sets %s', (_, over, type) => {
    const c = desiredConditions({ ...healthy, ...over }, { ok: true });
    expect(c.filter((x) => x.status === 'True').map((x) => x.type)).toEqual([type, 'Ready']);
  });

  it('exactly at the threshold is no pressure (upstream compares with <)', () => {
    expect(desiredConditions({ ...healthy, memoryAvailableBytes: 100 * Mi }, { ok: true })[0]!.status).toBe('False');
  });

  it('the runtime reason becomes the NotReady message', () => {
    const reason = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
    const ready = desiredConditions(healthy, { ok: false, reason })[3]!;
    expect(ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: reason, event: 'NodeNotReady' });
  });

  it('several errors are aggregated as upstream prints them', () => {
    const ready = desiredConditions(healthy, { ok: false, reason: 'container runtime is down' }, ['cpu'])[3]!;
    expect(ready.message).toBe('[container runtime is down, missing node capacity for resources: cpu]');
  });

  it('moves lastTransitionTime only when the status flips and keeps conditions of others', () => {
    const first = applyConditions([{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }], desiredConditions(healthy, { ok: true }), metaTime(t0));
    expect(first.transitions.map((t) => t.event)).toEqual(['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']);
    expect(first.conditions[0]).toEqual({ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' });

    const same = applyConditions(first.conditions, desiredConditions(healthy, { ok: true }), metaTime(at(10)));
    expect(same.transitions).toEqual([]);
    const ready = same.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.lastHeartbeatTime).toBe('2024-05-01T10:00:10Z');
    expect(ready.lastTransitionTime).toBe('2024-05-01T10:00:00Z');

    const down = applyConditions(same.conditions, desiredConditions(healthy, { ok: false, reason: 'x' }), metaTime(at(20)));
    expect(down.transitions).toEqual([{ type: 'Ready', event: 'NodeNotReady' }]);
    expect(down.conditions.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('2024-05-01T10:00:20Z');
  });

  it('a Ready=Unknown written by the node lifecycle controller flips back to True', () => {
    const r = applyConditions([{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: 'x' }], desiredConditions(healthy, { ok: true }), metaTime(t0));
    expect(r.transitions.map((t) => t.event)).toContain('NodeReady');
    expect(r.conditions[0]).toMatchObject({ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:00Z' });
  });
});

describe('buildNodeStatus', () => {
  it('fills addresses, nodeInfo, the kubelet endpoint and the images', () => {
    const { status } = buildNodeStatus(undefined, inputs({ images: [{ repoTags: ['docker.io/library/busybox:1.36'], repoDigests: ['docker.io/library/busybox@sha256:aa'], sizeBytes: 10 }, { repoTags: ['nginx:1.22.1'], sizeBytes: 70 }] }), t0);
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.56.11' },
      { type: 'Hostname', address: 'worker-0' },
    ]);
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(status.nodeInfo).toMatchObject({ containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.32.4-k8ts', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64', operatingSystem: 'linux', machineID: 'm1', bootID: 'b1' });
    expect(status.images).toEqual([
      { names: ['nginx:1.22.1'], sizeBytes: 70 },
      { names: ['docker.io/library/busybox@sha256:aa', 'docker.io/library/busybox:1.36'], sizeBytes: 10 },
    ]);
  });

  it('keeps status fields the kubelet does not own', () => {
    const { status } = buildNodeStatus({ volumesAttached: [{ name: 'v', devicePath: '/dev/x' }] }, inputs(), t0);
    expect(status.volumesAttached).toEqual([{ name: 'v', devicePath: '/dev/x' }]);
  });

  it('reports at most 50 images, biggest first, with at most 5 names each', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ repoTags: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}${i}`), sizeBytes: i }));
    const images = nodeImages(many);
    expect(images).toHaveLength(50);
    expect(images[0]).toEqual({ names: ['a59', 'b59', 'c59', 'd59', 'e59'], sizeBytes: 59 });
  });
});

describe('when the status is sent', () => {
  const sent = buildNodeStatus(undefined, inputs(), t0).status;

  it('a sync that changes only heartbeat times is not a change', () => {
    const next = buildNodeStatus(sent, inputs(), at(10)).status;
    expect(next.conditions![0]!.lastHeartbeatTime).not.toBe(sent.conditions![0]!.lastHeartbeatTime);
    expect(nodeStatusChanged(sent, next)).toBe(false);
    expect(shouldReportStatus(sent, next, t0.getTime(), at(10).getTime())).toBe(false);
  });

  it('is sent anyway once the report frequency (1 min) has passed', () => {
    const next = buildNodeStatus(sent, inputs(), at(60)).status;
    expect(shouldReportStatus(sent, next, t0.getTime(), at(59).getTime())).toBe(false);
    expect(shouldReportStatus(sent, next, t0.getTime(), at(60).getTime())).toBe(true);
  });

  it.each([
    ['the runtime turns not ready', inputs({ runtime: { ok: false, reason: 'container runtime is down' } })],
    ['an image was pulled', inputs({ images: [{ repoTags: ['nginx:1.22.1'], sizeBytes: 1 }] })],
    ['the runtime version changed', inputs({ runtimeVersion: 'containerd://1.7.0' })],
    ['memory pressure began', inputs({ usage: { ...healthy, memoryAvailableBytes: Mi } })],
  ])('is sent at once when %s', (_, changed) => {
    const next = buildNodeStatus(sent, changed, at(10)).status;
    expect(shouldReportStatus(sent, next, t0.getTime(), at(10).getTime())).toBe(true);
  });

  it('is sent when it never was', () => {
    expect(shouldReportStatus(sent, sent, undefined, t0.getTime())).toBe(true);
  });
});

describe('machine facts', () => {
  it('reads PRETTY_NAME from os-release', () => {
    expect(prettyName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(prettyName('')).toBe('Linux');
  });

  it('names architectures as Go does', () => {
    expect(goArch('x64')).toBe('amd64');
    expect(goArch('arm64')).toBe('arm64');
  });

  it('picks the first non-loopback IPv4 address', () => {
    const lo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '', internal: true, cidr: '127.0.0.1/8' };
    const v6 = { address: 'fe80::1', netmask: 'ffff::', family: 'IPv6' as const, mac: '', internal: false, cidr: 'fe80::1/64', scopeid: 2 };
    const eth = { address: '10.0.2.15', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '', internal: false, cidr: '10.0.2.15/24' };
    expect(firstHostIPv4({ lo: [lo], eth0: [v6, eth] })).toBe('10.0.2.15');
    expect(firstHostIPv4({ lo: [lo] })).toBeUndefined();
  });
});
