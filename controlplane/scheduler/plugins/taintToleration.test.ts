import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { makeNode, makePod, MASTER_TAINT, newState, nodeInfos } from '../testing.ts';
import type { NodeScore } from '../framework/interface.ts';
import { taintToleration } from './taintToleration.ts';

const filter = (taints: Taint[], tolerations: Toleration[] = []) => {
  const [ni] = nodeInfos([makeNode('n', { taints })]);
  return taintToleration.filter(newState(), makePod('p', { spec: { tolerations } }), ni!);
};

describe('TaintToleration filter', () => {
  const cases = [
    { name: 'an untainted node fits', taints: [], tolerations: [], code: 'Success', reasons: [] as string[] },
    {
      name: 'the control-plane taint rejects pods without a toleration',
      taints: [MASTER_TAINT],
      tolerations: [],
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
    },
    { name: 'an Exists toleration for the key tolerates it', taints: [MASTER_TAINT], tolerations: [{ key: MASTER_TAINT.key, operator: 'Exists' }], code: 'Success', reasons: [] },
    { name: 'an empty key with Exists tolerates everything', taints: [MASTER_TAINT], tolerations: [{ operator: 'Exists' }], code: 'Success', reasons: [] },
    {
      name: 'Equal needs the same value',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }],
      tolerations: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }],
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
    },
    {
      name: 'a toleration for another effect does not help',
      taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }],
      tolerations: [{ key: 'k', value: 'v', effect: 'NoExecute' }],
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) had untolerated taint {k: v}'],
    },
    { name: 'PreferNoSchedule taints do not filter', taints: [{ key: 'k', effect: 'PreferNoSchedule' }], tolerations: [], code: 'Success', reasons: [] },
  ] satisfies { name: string; taints: Taint[]; tolerations: Toleration[]; code: string; reasons: string[] }[];
  for (const t of cases)
    it(t.name, () => {
      const s = filter(t.taints, t.tolerations);
      expect(s.code).toBe(t.code);
      expect(s.reasons).toEqual(t.reasons);
    });
});

describe('TaintToleration score', () => {
  it('ranks nodes by untolerated PreferNoSchedule taints, fewer is better', () => {
    const infos = nodeInfos([
      makeNode('clean'),
      makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
      makeNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }),
      makeNode('tolerated', { taints: [{ key: 'c', effect: 'PreferNoSchedule' }] }),
    ]);
    const pod = makePod('p', { spec: { tolerations: [{ key: 'c', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    const state = newState();
    taintToleration.preScore(state, pod);
    const scores: NodeScore[] = infos.map((n) => ({ name: n.name, score: taintToleration.score(state, pod, n) }));
    taintToleration.normalizeScore(state, pod, scores);
    expect(scores).toEqual([
      { name: 'clean', score: 100 },
      { name: 'one', score: 50 },
      { name: 'two', score: 0 },
      { name: 'tolerated', score: 100 },
    ]);
  });
});
