import type { PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { daemonSetStatusCounts, planManage, planRollingUpdate, podsByNode } from './daemonSetPlan.ts';
import { DAEMONSET_HASH_LABEL, addDaemonPodTolerations, daemonPodTemplate, nodeShouldRunDaemonPod, pinToNode, targetNodeName, type DS, type NodeObj, type PodObj } from './daemonSetUtils.ts';
import { FailedPodBackoff } from './failedPodBackoff.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const MASTER: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

function ds(o: { nodeSelector?: Record<string, string>; tolerations?: object[]; hostNetwork?: boolean; affinityZone?: string; maxUnavailable?: number | string } = {}): DS {
  return {
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1, maxSurge: 0 } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: {
          containers: [{ name: 'a', image: 'busybox' }],
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.tolerations ? { tolerations: o.tolerations } : {}),
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
          ...(o.affinityZone
            ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: [o.affinityZone] }] }] } } } }
            : {}),
        },
      },
    },
  };
}

function node(name: string, o: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): NodeObj {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: { taints: o.taints, unschedulable: o.unschedulable } };
}

let seq = 0;
function pod(nodeName: string, o: { hash?: string; ready?: boolean; phase?: string; bound?: boolean; created?: number; deleting?: boolean } = {}): PodObj {
  const name = `agent-${++seq}`;
  return {
    metadata: {
      name,
      namespace: 'kube-system',
      uid: `uid-${name}`,
      labels: { app: 'agent', [DAEMONSET_HASH_LABEL]: o.hash ?? 'h1' },
      creationTimestamp: new Date(NOW - (o.created ?? 100) * 1000).toISOString(),
      ...(o.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    spec: { containers: [], ...(o.bound === false ? {} : { nodeName }), affinity: pinToNode(undefined, nodeName) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: new Date(NOW - 60_000).toISOString() }],
    },
  } as PodObj;
}

describe('which nodes should run a daemon pod, and why not', () => {
  it.each([
    { name: 'a plain worker runs it', d: ds(), n: node('w0'), run: true, stay: true },
    { name: "not the master's control-plane NoSchedule taint", d: ds(), n: node('m', { taints: [MASTER] }), run: false, stay: true, why: 'untolerated taint {node-role.kubernetes.io/control-plane:NoSchedule}' },
    { name: 'the master when the template tolerates it', d: ds({ tolerations: [{ key: MASTER.key, operator: 'Exists', effect: 'NoSchedule' }] }), n: node('m', { taints: [MASTER] }), run: true, stay: true },
    { name: 'a cordoned node (default unschedulable toleration)', d: ds(), n: node('w0', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), run: true, stay: true },
    { name: 'a not-ready node (default NoExecute toleration)', d: ds(), n: node('w0', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), run: true, stay: true },
    { name: 'a memory-pressure node', d: ds(), n: node('w0', { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] }), run: true, stay: true },
    { name: 'network-unavailable only with hostNetwork', d: ds(), n: node('w0', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), run: false, stay: true, why: 'untolerated taint {node.kubernetes.io/network-unavailable:NoSchedule}' },
    { name: 'network-unavailable with hostNetwork', d: ds({ hostNetwork: true }), n: node('w0', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), run: true, stay: true },
    { name: 'an untolerated NoExecute taint evicts too', d: ds(), n: node('w0', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }), run: false, stay: false, why: 'untolerated taint {dedicated=db:NoExecute}' },
    { name: 'nodeSelector must match', d: ds({ nodeSelector: { disk: 'ssd' } }), n: node('w0'), run: false, stay: false, why: "the node does not match the pod's node selector or required node affinity" },
    { name: 'nodeSelector matching', d: ds({ nodeSelector: { disk: 'ssd' } }), n: node('w0', { labels: { disk: 'ssd' } }), run: true, stay: true },
    { name: 'required node affinity must match', d: ds({ affinityZone: 'a' }), n: node('w0', { labels: { zone: 'b' } }), run: false, stay: false },
  ])('$name', ({ d, n, run, stay, why }) => {
    const got = nodeShouldRunDaemonPod(n, d);
    expect(got.shouldRun).toBe(run);
    expect(got.shouldContinueRunning).toBe(stay);
    if (why) expect(got.reason).toBe(why);
  });
});

describe('daemon pod template', () => {
  it('adds the default tolerations once, keeps the user ones, and labels the hash', () => {
    const t = daemonPodTemplate(ds({ tolerations: [{ key: 'x', operator: 'Exists' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] }), 'h2');
    const keys = t!.spec!.tolerations!.map((x) => `${x.key}:${x.effect ?? ''}`);
    expect(keys).toEqual([
      'x:',
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    // An equivalent toleration is replaced by the default one (no tolerationSeconds).
    expect(t!.spec!.tolerations![1]).toEqual({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
    expect(t!.metadata!.labels).toEqual({ app: 'agent', [DAEMONSET_HASH_LABEL]: 'h2' });
    const spec: PodSpec = { containers: [] };
    addDaemonPodTolerations(spec);
    addDaemonPodTolerations(spec);
    expect(spec.tolerations).toHaveLength(6);
  });

  it('pins the pod to its node by a matchFields term, replacing required terms and keeping preferred ones', () => {
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }];
    const a = pinToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: preferred } }, 'w1');
    expect(a.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['w1'] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: preferred,
    });
    expect(targetNodeName({ metadata: { name: 'p' }, spec: { containers: [], affinity: a } })).toBe('w1');
  });
});

describe('what manage creates and deletes', () => {
  const nodes = [node('m', { taints: [MASTER] }), node('w0'), node('w1')];
  const names = (ps: PodObj[]) => ps.map((p) => p.metadata.name);
  it('creates a pod on each eligible node without one, none on the tainted master', () => {
    const plan = planManage(ds(), nodes, podsByNode([pod('w0')]));
    expect(plan.create).toEqual(['w1']);
    expect(plan.delete).toEqual([]);
    expect(plan.skipped.get('m')).toContain('control-plane');
  });
  it('an unscheduled pod pinned to a node counts as that node’s pod', () => {
    expect(planManage(ds(), nodes, podsByNode([pod('w0', { bound: false }), pod('w1')])).create).toEqual([]);
  });
  it('keeps the oldest of two pods on one node', () => {
    const old = pod('w0', { created: 500 });
    const young = pod('w0', { created: 10 });
    expect(names(planManage(ds(), nodes, podsByNode([young, old, pod('w1')])).delete)).toEqual([young.metadata.name]);
  });
  it('deletes pods from a node that no longer fits, but not from a NoSchedule-tainted one', () => {
    const p = pod('w0');
    const evicting = [node('w0', { taints: [{ key: 'x', effect: 'NoExecute' }] }), node('w1', { taints: [{ key: 'y', effect: 'NoSchedule' }] })];
    const q = pod('w1');
    expect(names(planManage(ds(), evicting, podsByNode([p, q])).delete)).toEqual([p.metadata.name]);
  });
  it('failed pods are handed to the back-off, succeeded ones deleted', () => {
    const f = pod('w0', { phase: 'Failed' });
    const s = pod('w1', { phase: 'Succeeded' });
    const plan = planManage(ds(), nodes, podsByNode([f, s]));
    expect(plan.failed.map((x) => [x.pod.metadata.name, x.node])).toEqual([[f.metadata.name, 'w0']]);
    expect(names(plan.delete)).toEqual([s.metadata.name]);
    expect(plan.create).toEqual([]); // recreated once the failed pod is gone
  });
  it('a pod waiting for a node that was deleted is deleted', () => {
    const p = pod('gone', { bound: false });
    expect(names(planManage(ds(), nodes, podsByNode([p, pod('w0'), pod('w1')])).delete)).toEqual([p.metadata.name]);
  });
  it('a terminating pod blocks a new one on its node until it is gone', () => {
    const plan = planManage(ds(), nodes, podsByNode([pod('w0', { deleting: true }), pod('w1')]));
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
  });
});

describe('rolling update', () => {
  const nodes = [node('w0'), node('w1'), node('w2')];
  const names = (ps: PodObj[]) => ps.map((p) => p.metadata.name);
  it('deletes one old available pod at a time with maxUnavailable 1', () => {
    const pods = [pod('w0'), pod('w1'), pod('w2')];
    expect(names(planRollingUpdate(ds(), nodes, podsByNode(pods), 'h2', NOW))).toEqual([pods[0]!.metadata.name]);
  });
  it('waits while a node has no available pod', () => {
    const pods = [pod('w0', { hash: 'h2', ready: false }), pod('w1'), pod('w2')];
    expect(planRollingUpdate(ds(), nodes, podsByNode(pods), 'h2', NOW)).toEqual([]);
  });
  it('replaces an old unavailable pod regardless', () => {
    const pods = [pod('w0', { hash: 'h2', ready: false }), pod('w1', { ready: false }), pod('w2')];
    expect(names(planRollingUpdate(ds(), nodes, podsByNode(pods), 'h2', NOW))).toEqual([pods[1]!.metadata.name]);
  });
  it('maxUnavailable 100% replaces every old pod at once', () => {
    const pods = [pod('w0'), pod('w1'), pod('w2')];
    expect(planRollingUpdate(ds({ maxUnavailable: '100%' }), nodes, podsByNode(pods), 'h2', NOW)).toHaveLength(3);
  });
  it('nothing to do when every pod is updated', () => {
    const pods = [pod('w0', { hash: 'h2' }), pod('w1', { hash: 'h2' }), pod('w2', { hash: 'h2' })];
    expect(planRollingUpdate(ds(), nodes, podsByNode(pods), 'h2', NOW)).toEqual([]);
  });
});

describe('status counts', () => {
  it('counts desired, current, misscheduled, ready, updated, available', () => {
    const nodes = [node('m', { taints: [MASTER] }), node('w0'), node('w1'), node('w2')];
    const pods = [pod('m'), pod('w0', { hash: 'h2' }), pod('w1', { ready: false })];
    expect(daemonSetStatusCounts(ds(), nodes, podsByNode(pods), 'h2', NOW)).toEqual({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
  });
});

describe('failed pod back-off', () => {
  it('allows the first deletion, then doubles the wait', () => {
    let now = 0;
    const b = new FailedPodBackoff(() => now);
    expect(b.inBackoff('k')).toBe(false);
    b.next('k');
    expect(b.inBackoff('k')).toBe(true);
    now += 1001;
    expect(b.inBackoff('k')).toBe(false);
    b.next('k');
    expect(b.delay('k')).toBe(2000);
  });
});
