import { describe, expect, it } from 'vitest';
import { makeNode, makePod, newState, nodeInfos } from '../testing.ts';
import { balancedAllocation, balancedScore } from './balancedAllocation.ts';

describe('NodeResourcesBalancedAllocation', () => {
  const cases = [
    { name: 'equal fractions score 100', fractions: [0.5, 0.5], score: 100 },
    { name: 'fractions 0 and 1 score 50', fractions: [0, 1], score: 50 },
    { name: 'fractions above 1 are capped', fractions: [2, 1], score: 100 },
    { name: 'a quarter apart scores 87', fractions: [0.25, 0.5], score: 87 },
  ];
  for (const t of cases) it(t.name, () => expect(balancedScore(t.fractions)).toBe(t.score));

  it('prefers the node where the pod evens out cpu and memory use', () => {
    const [cpuHeavy, memHeavy] = nodeInfos(
      [makeNode('cpu-heavy', { cpu: '2', memory: '2Gi' }), makeNode('mem-heavy', { cpu: '2', memory: '2Gi' })],
      [makePod('a', { nodeName: 'cpu-heavy', cpu: '1' }), makePod('b', { nodeName: 'mem-heavy', memory: '1Gi' })],
    );
    const pod = makePod('p', { cpu: '500m' });
    expect(balancedAllocation.score(newState(), pod, memHeavy!)).toBeGreaterThan(balancedAllocation.score(newState(), pod, cpuHeavy!));
  });

  it('skips pods that request neither cpu nor memory', () => {
    expect(balancedAllocation.preScore(newState(), makePod('p')).code).toBe('Skip');
  });
});
