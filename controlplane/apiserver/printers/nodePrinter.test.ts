import type { Node } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { nodePrinter, nodeRoles, nodeStatus } from './nodePrinter.ts';

const now = new Date('2024-06-01T12:00:00Z');

function node(p: { ready?: string; unschedulable?: boolean; labels?: Record<string, string> } = {}): Node {
  return {
    metadata: { name: 'worker-0', labels: p.labels, creationTimestamp: new Date(now.getTime() - 5 * 86400_000).toISOString() },
    spec: { unschedulable: p.unschedulable },
    status: {
      conditions: p.ready ? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: p.ready }] : [],
      addresses: [
        { type: 'Hostname', address: 'worker-0' },
        { type: 'InternalIP', address: '192.168.56.11' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0-k8ts',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-18-amd64',
        containerRuntimeVersion: 'containerd://1.6.20',
        architecture: 'amd64',
        bootID: '',
        kubeProxyVersion: '',
        machineID: '',
        operatingSystem: 'linux',
        systemUUID: '',
      },
    },
  };
}

describe('nodeStatus', () => {
  it.each<[string, Node, string]>([
    ['a Ready condition True', node({ ready: 'True' }), 'Ready'],
    ['a Ready condition False', node({ ready: 'False' }), 'NotReady'],
    ['a Ready condition Unknown', node({ ready: 'Unknown' }), 'NotReady'],
    ['no Ready condition', node(), 'Unknown'],
    ['a cordoned ready node', node({ ready: 'True', unschedulable: true }), 'Ready,SchedulingDisabled'],
    ['a cordoned node without conditions', node({ unschedulable: true }), 'Unknown,SchedulingDisabled'],
  ])('%s', (_name, n, want) => {
    expect(nodeStatus(n)).toBe(want);
  });
});

describe('nodeRoles', () => {
  it('reads node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted and unique', () => {
    const n = node({
      labels: {
        'node-role.kubernetes.io/worker': '',
        'node-role.kubernetes.io/control-plane': '',
        'node-role.kubernetes.io/': '',
        'kubernetes.io/role': 'worker',
        'kubernetes.io/hostname': 'worker-0',
      },
    });
    expect(nodeRoles(n)).toEqual(['control-plane', 'worker']);
  });
  it('ignores an empty kubernetes.io/role', () => {
    expect(nodeRoles(node({ labels: { 'kubernetes.io/role': '' } }))).toEqual([]);
  });
});

describe('nodePrinter', () => {
  it('prints every cell, wide ones included', () => {
    const n = node({ ready: 'True', labels: { 'node-role.kubernetes.io/control-plane': '' } });
    expect(nodePrinter.print(n, now).cells).toEqual([
      'worker-0', 'Ready', 'control-plane', '5d', 'v1.32.0-k8ts',
      '192.168.56.11', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'containerd://1.6.20',
    ]);
  });
  it('prints <none> for no roles and <unknown> for missing node info', () => {
    const n: Node = { metadata: { name: 'bare' } };
    expect(nodePrinter.print(n, now).cells).toEqual(['bare', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });
  it('has five columns and five wide ones', () => {
    expect(nodePrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0', 'Status:0', 'Roles:0', 'Age:0', 'Version:0',
      'Internal-IP:1', 'External-IP:1', 'OS-Image:1', 'Kernel-Version:1', 'Container-Runtime:1',
    ]);
  });
});
