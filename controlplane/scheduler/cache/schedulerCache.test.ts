import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../testing.ts';
import { Snapshot } from '../framework/snapshot.ts';
import { RecencyList } from './recencyList.ts';
import { SchedulerCache } from './schedulerCache.ts';

describe('SchedulerCache', () => {
  it('an assumed pod takes its node resources at once', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode('n'));
    c.assumePod(makePod('p', { cpu: '1', nodeName: 'n' }));
    expect(c.snapshot().get('n')!.requested.milliCPU).toBe(1000);
  });

  it('the informer confirming the pod replaces the assumed copy without counting it twice', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode('n'));
    const pod = makePod('p', { cpu: '1', nodeName: 'n' });
    c.assumePod(pod);
    c.addPod({ ...pod, metadata: { ...pod.metadata, resourceVersion: '5' } });
    const ni = c.snapshot().get('n')!;
    expect(ni.pods).toHaveLength(1);
    expect(ni.requested.milliCPU).toBe(1000);
    expect(c.isAssumed(pod)).toBe(false);
  });

  it('a failed binding gives the resources back', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode('n'));
    const pod = makePod('p', { cpu: '1', nodeName: 'n' });
    c.assumePod(pod);
    c.forgetPod(pod);
    expect(c.snapshot().get('n')!.requested.milliCPU).toBe(0);
  });

  it('pods seen before their node are accounted when the node arrives', () => {
    const c = new SchedulerCache();
    c.addPod(makePod('p', { memory: '1Gi', nodeName: 'late' }));
    c.addNode(makeNode('late'));
    expect(c.snapshot().get('late')!.requested.memory).toBe(1024 ** 3);
  });

  it('a snapshot does not change when the cache does', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode('n'));
    const snap = c.snapshot();
    c.addPod(makePod('p', { cpu: '1', nodeName: 'n' }));
    expect(snap.get('n')!.pods).toHaveLength(0);
  });
});

describe('SchedulerCache.updateSnapshot (incremental)', () => {
  const antiAffinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };

  /** What a snapshot says, in plain values, to compare an updated one with a fresh one. */
  const summary = (s: Snapshot) => ({
    nodes: s.nodeInfos.map((n) => ({
      name: n.name,
      labels: n.labels,
      pods: n.pods.map((p) => p.metadata!.name).sort(),
      milliCPU: n.requested.milliCPU,
      memory: n.requested.memory,
      nonZeroMilliCPU: n.nonZeroRequested.milliCPU,
    })),
    withAffinity: s.havePodsWithAffinity.map((n) => n.name),
    withAntiAffinity: s.havePodsWithRequiredAntiAffinity.map((n) => n.name),
  });

  type Step = { name: string; run: (c: SchedulerCache) => void };
  const pod = (name: string, node: string, extra: Parameters<typeof makePod>[1] = {}) => makePod(name, { cpu: '100m', nodeName: node, ...extra });
  const p1 = pod('p1', 'a');
  const p2 = pod('p2', 'b', { spec: { affinity: antiAffinity } });
  const steps: Step[] = [
    { name: 'add nodes a, b, c', run: (c) => ['c', 'a', 'b'].forEach((n) => c.addNode(makeNode(n))) },
    { name: 'add a pod on a', run: (c) => c.addPod(p1) },
    { name: 'assume a pod with anti-affinity on b', run: (c) => c.assumePod(p2) },
    { name: 'update node b labels', run: (c) => c.updateNode(makeNode('b', { labels: { zone: 'z1' } })) },
    { name: 'confirm the assumed pod', run: (c) => c.addPod({ ...p2, metadata: { ...p2.metadata, resourceVersion: '9' } }) },
    { name: 'add node d', run: (c) => c.addNode(makeNode('d')) },
    { name: 'remove the pod on a', run: (c) => c.removePod(p1) },
    { name: 'remove node c', run: (c) => c.removeNode(makeNode('c')) },
    { name: 'remove the anti-affinity pod', run: (c) => c.removePod(p2) },
    { name: 'node c comes back with a pod waiting for it', run: (c) => (c.addPod(pod('p3', 'c')), c.addNode(makeNode('c'))) },
  ];

  it('after every kind of change, an updated snapshot equals a fresh one', () => {
    const c = new SchedulerCache();
    const kept = new Snapshot();
    for (const step of steps) {
      step.run(c);
      c.updateSnapshot(kept);
      expect(summary(kept), step.name).toEqual(summary(c.snapshot()));
    }
    expect(kept.nodeInfos.map((n) => n.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('copies only the nodes that changed, into the same NodeInfo objects', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) c.addNode(makeNode(n));
    const snap = new Snapshot();
    c.updateSnapshot(snap);
    const [a, b, cc] = snap.nodeInfos;
    const before = { a: a!.generation, c: cc!.generation, bPods: b!.pods };
    c.addPod(pod('p', 'b'));
    c.updateSnapshot(snap);
    expect(snap.nodeInfos).toEqual([a, b, cc]);
    expect(snap.nodeInfos[0]).toBe(a);
    expect(a!.generation).toBe(before.a);
    expect(cc!.generation).toBe(before.c);
    expect(b!.pods).toHaveLength(1);
    expect(before.bPods).toHaveLength(0); // the copy got new arrays: a list handed out earlier did not change
    expect(snap.generation).toBe(b!.generation);
  });

  it('the snapshot is independent of the cache until the next update', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode('a'));
    const snap = new Snapshot();
    c.updateSnapshot(snap);
    c.addPod(pod('p', 'a'));
    c.addNode(makeNode('b'));
    expect(snap.numNodes).toBe(1);
    expect(snap.get('a')!.pods).toHaveLength(0);
    c.updateSnapshot(snap);
    expect(snap.numNodes).toBe(2);
    expect(snap.get('a')!.pods).toHaveLength(1);
  });

  it('a changed Node object bumps nodesVersion; a pod change does not', () => {
    const c = new SchedulerCache();
    c.addNode(makeNode('a'));
    const snap = new Snapshot();
    c.updateSnapshot(snap);
    const v = snap.nodesVersion;
    c.addPod(pod('p', 'a'));
    c.updateSnapshot(snap);
    expect(snap.nodesVersion).toBe(v);
    c.updateNode(makeNode('a', { labels: { x: 'y' } }));
    c.updateSnapshot(snap);
    expect(snap.nodesVersion).toBe(v + 1);
  });
});

describe('RecencyList', () => {
  it('keeps the most recently touched first, and forgets removed values', () => {
    const l = new RecencyList<string>();
    for (const v of ['a', 'b', 'c']) l.touch(v);
    expect([...l.fromNewest()]).toEqual(['c', 'b', 'a']);
    l.touch('a');
    l.touch('a');
    expect([...l.fromNewest()]).toEqual(['a', 'c', 'b']);
    l.remove('c');
    l.remove('zzz');
    expect([...l.fromNewest()]).toEqual(['a', 'b']);
    l.remove('a');
    l.touch('d');
    expect([...l.fromNewest()]).toEqual(['d', 'b']);
    expect(l.size).toBe(2);
  });
});
