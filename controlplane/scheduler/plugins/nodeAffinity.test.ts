import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { makeNode, makePod, newState, nodeInfos } from '../testing.ts';
import type { NodeScore } from '../framework/interface.ts';
import { nodeAffinity } from './nodeAffinity.ts';
import { nodeName } from './nodeName.ts';
import { nodeUnschedulable } from './nodeUnschedulable.ts';

const node = makeNode('worker-0', { labels: { disk: 'ssd', cores: '8' } });
const [ni] = nodeInfos([node]);
const required = (terms: NonNullable<NonNullable<Pod['spec']>['affinity']>['nodeAffinity']) => makePod('p', { spec: { affinity: { nodeAffinity: terms } } });

describe('NodeAffinity filter', () => {
  const cases = [
    { name: 'no selector fits anywhere', pod: makePod('p'), fits: true },
    { name: 'nodeSelector matching the labels fits', pod: makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), fits: true },
    { name: 'nodeSelector with another value does not', pod: makePod('p', { spec: { nodeSelector: { disk: 'hdd' } } }), fits: false },
    {
      name: 'required terms are ORed',
      pod: required({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] },
        { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
      ] } }),
      fits: true,
    },
    {
      name: 'expressions inside a term are ANDed',
      pod: required({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'gpu', operator: 'Exists' }] },
      ] } }),
      fits: false,
    },
    {
      name: 'Gt compares integers',
      pod: required({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }] } }),
      fits: true,
    },
    {
      name: 'matchFields selects by node name',
      pod: required({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] }] } }),
      fits: false,
    },
    { name: 'an empty term matches nothing', pod: required({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } }), fits: false },
  ];
  for (const t of cases)
    it(t.name, () => {
      const s = nodeAffinity.filter(newState(), t.pod, ni!);
      expect(s.code).toBe(t.fits ? 'Success' : 'UnschedulableAndUnresolvable');
      if (!t.fits) expect(s.reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    });
});

describe('NodeAffinity score', () => {
  it('sums the weights of matching preferred terms, the best node gets 100', () => {
    const infos = nodeInfos([makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } }), makeNode('b', { labels: { disk: 'ssd' } }), makeNode('c')]);
    const pod = required({ preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
      { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } },
    ] });
    const scores: NodeScore[] = infos.map((n) => ({ name: n.name, score: nodeAffinity.score(newState(), pod, n) }));
    nodeAffinity.normalizeScore(newState(), pod, scores);
    expect(scores.map((s) => s.score)).toEqual([100, 75, 0]);
  });
});

describe('NodeUnschedulable and NodeName', () => {
  const [cordoned] = nodeInfos([makeNode('c', { unschedulable: true })]);
  it('a cordoned node rejects ordinary pods', () => {
    expect(nodeUnschedulable.filter(newState(), makePod('p'), cordoned!)).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] });
  });
  it('a pod tolerating node.kubernetes.io/unschedulable may land on a cordoned node', () => {
    const pod = makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    expect(nodeUnschedulable.filter(newState(), pod, cordoned!).code).toBe('Success');
  });
  it('a pod naming another node does not fit', () => {
    expect(nodeName.filter(newState(), makePod('p', { spec: { nodeName: 'other' } }), ni!).reasons).toEqual(["node(s) didn't match the requested node name"]);
    expect(nodeName.filter(newState(), makePod('p', { spec: { nodeName: 'worker-0' } }), ni!).code).toBe('Success');
  });
});
