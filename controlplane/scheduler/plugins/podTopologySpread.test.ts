import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { emptyClusterView, type ClusterView, type NodeScore } from '../framework/interface.ts';
import { makeNode, makePod, newState, snapshotOf } from '../testing.ts';
import { podTopologySpread } from './podTopologySpread/index.ts';

const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z1' } }), makeNode('c', { labels: { zone: 'z2' } }), makeNode('nolabel')];
const web = (name: string, nodeName?: string, constraints?: TopologySpreadConstraint[]) =>
  makePod(name, { labels: { app: 'web' }, nodeName, spec: { topologySpreadConstraints: constraints } });
const zoneSpread = (maxSkew: number, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway'): TopologySpreadConstraint[] => [
  { maxSkew, topologyKey: 'zone', whenUnsatisfiable, labelSelector: { matchLabels: { app: 'web' } } },
];

describe('PodTopologySpread filter', () => {
  it('DoNotSchedule keeps the skew between zones within maxSkew', () => {
    const plugin = podTopologySpread(emptyClusterView());
    const snap = snapshotOf(nodes, [web('w1', 'a'), web('w2', 'b')]);
    const pod = web('new', undefined, zoneSpread(1, 'DoNotSchedule'));
    const state = newState();
    plugin.preFilter(state, pod, snap);
    const codes = Object.fromEntries(snap.nodeInfos.map((n) => [n.name, plugin.filter(state, pod, n)]));
    expect(codes['a']!.code).toBe('Unschedulable');
    expect(codes['a']!.reasons).toEqual(["node(s) didn't match pod topology spread constraints"]);
    expect(codes['c']!.code).toBe('Success');
    expect(codes['nolabel']).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"] });
  });

  it('a larger maxSkew allows the busier zone', () => {
    const plugin = podTopologySpread(emptyClusterView());
    const snap = snapshotOf(nodes, [web('w1', 'a')]);
    const pod = web('new', undefined, zoneSpread(2, 'DoNotSchedule'));
    const state = newState();
    plugin.preFilter(state, pod, snap);
    expect(plugin.filter(state, pod, snap.get('b')!).code).toBe('Success');
  });
});

describe('PodTopologySpread score', () => {
  it("system defaults spread a ReplicaSet's pods over nodes", () => {
    const rs: ReplicaSet = { metadata: { name: 'web-rs', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: {} } };
    const view: ClusterView = { ...emptyClusterView(), replicaSets: () => [rs] };
    const plugin = podTopologySpread(view);
    const owned = (name: string, nodeName?: string) => {
      const p = web(name, nodeName);
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', controller: true }];
      return p;
    };
    const twoNodes = [makeNode('worker-0'), makeNode('worker-1')];
    const snap = snapshotOf(twoNodes, [owned('w1', 'worker-0'), owned('w2', 'worker-0')]);
    const pod = owned('w3');
    const state = newState();
    expect(plugin.preScore(state, pod, snap.nodeInfos, snap).code).toBe('Success');
    const scores: NodeScore[] = snap.nodeInfos.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    plugin.normalizeScore(state, pod, scores);
    expect(scores.find((s) => s.name === 'worker-1')!.score).toBe(100);
    expect(scores.find((s) => s.name === 'worker-0')!.score).toBeLessThan(100);
  });

  it('a pod with no owner and no service has nothing to spread', () => {
    const snap = snapshotOf(nodes);
    expect(podTopologySpread(emptyClusterView()).preScore(newState(), makePod('p'), snap.nodeInfos, snap).code).toBe('Skip');
  });

  it('ScheduleAnyway prefers the emptier zone and ignores nodes without the key', () => {
    const plugin = podTopologySpread(emptyClusterView());
    const snap = snapshotOf(nodes, [web('w1', 'a'), web('w2', 'b')]);
    const pod = web('new', undefined, zoneSpread(1, 'ScheduleAnyway'));
    const state = newState();
    plugin.preScore(state, pod, snap.nodeInfos, snap);
    const scores: NodeScore[] = snap.nodeInfos.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    plugin.normalizeScore(state, pod, scores);
    const by = Object.fromEntries(scores.map((s) => [s.name, s.score]));
    expect(by['c']).toBe(100);
    expect(by['a']).toBeLessThan(by['c']!);
    expect(by['nolabel']).toBe(0);
  });
});
