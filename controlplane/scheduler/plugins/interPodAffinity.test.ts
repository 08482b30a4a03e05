import type { Affinity } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { emptyClusterView, type NodeScore } from '../framework/interface.ts';
import { makeNode, makePod, newState, snapshotOf } from '../testing.ts';
import { interPodAffinity } from './interPodAffinity/index.ts';

const plugin = interPodAffinity(emptyClusterView());
const nodes = [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z1' } }), makeNode('c', { labels: { zone: 'z2' } })];
const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const podWith = (name: string, labels: Record<string, string>, affinity?: Affinity, nodeName?: string) => makePod(name, { labels, nodeName, spec: { affinity } });

function filterAll(pod: ReturnType<typeof makePod>, existing: ReturnType<typeof makePod>[]) {
  const snap = snapshotOf(nodes, existing);
  const state = newState();
  const pre = plugin.preFilter(state, pod, snap).status;
  if (pre.code === 'Skip') return { a: 'Success', b: 'Success', c: 'Success' };
  return Object.fromEntries(snap.nodeInfos.map((n) => [n.name, plugin.filter(state, pod, n).code]));
}

describe('InterPodAffinity filter', () => {
  it('required affinity by zone allows only nodes in the zone of a matching pod', () => {
    const pod = podWith('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } });
    expect(filterAll(pod, [podWith('db', { app: 'db' }, undefined, 'c')])).toEqual({ a: 'UnschedulableAndUnresolvable', b: 'UnschedulableAndUnresolvable', c: 'Success' });
  });

  it('the first pod of a self-affine group may go anywhere', () => {
    const pod = podWith('web-0', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'zone')] } });
    expect(filterAll(pod, [])).toEqual({ a: 'Success', b: 'Success', c: 'Success' });
  });

  it('required anti-affinity by hostname keeps replicas on different nodes', () => {
    const pod = podWith('web-1', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } });
    expect(filterAll(pod, [podWith('web-0', { app: 'web' }, undefined, 'a')])).toEqual({ a: 'Unschedulable', b: 'Success', c: 'Success' });
  });

  it("an existing pod's anti-affinity keeps matching pods out of its zone", () => {
    const existing = podWith('loner', { app: 'loner' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'zone')] } }, 'a');
    expect(filterAll(podWith('web', { app: 'web' }), [existing])).toEqual({ a: 'Unschedulable', b: 'Unschedulable', c: 'Success' });
  });

  it('terms look only in the pod namespace unless told otherwise', () => {
    const pod = podWith('web', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } });
    const elsewhere = makePod('web-x', { namespace: 'other', labels: { app: 'web' }, nodeName: 'a' });
    expect(filterAll(pod, [elsewhere])).toEqual({ a: 'Success', b: 'Success', c: 'Success' });
  });
});

describe('InterPodAffinity score', () => {
  it('preferred affinity draws the pod to the zone of matching pods, anti-affinity pushes away', () => {
    const pod = podWith('web', { app: 'web' }, {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache', 'zone') }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('web', 'kubernetes.io/hostname') }] },
    });
    const snap = snapshotOf(nodes, [podWith('cache', { app: 'cache' }, undefined, 'b'), podWith('web-0', { app: 'web' }, undefined, 'b')]);
    const state = newState();
    expect(plugin.preScore(state, pod, snap.nodeInfos, snap).code).toBe('Success');
    const scores: NodeScore[] = snap.nodeInfos.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    expect(scores.map((s) => s.score)).toEqual([10, 5, 0]);
    plugin.normalizeScore(state, pod, scores);
    expect(scores.map((s) => s.score)).toEqual([100, 50, 0]);
  });
});
