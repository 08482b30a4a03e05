import { describe, expect, it } from 'vitest';
import { makeNode, makePod, newState, nodeInfos } from '../testing.ts';
import { leastAllocatedScore, nodeResourcesFit } from './nodeResourcesFit.ts';

function run(pod: ReturnType<typeof makePod>, node = makeNode('n', { cpu: '2', memory: '2Gi', pods: '3' }), existing: ReturnType<typeof makePod>[] = []) {
  const [ni] = nodeInfos([node], existing.map((p) => ({ ...p, spec: { ...p.spec!, nodeName: 'n' } })));
  const state = newState();
  nodeResourcesFit.preFilter(state, pod);
  return nodeResourcesFit.filter(state, pod, ni!);
}

describe('NodeResourcesFit filter', () => {
  const cases = [
    { name: 'a pod that requests nothing fits', pod: makePod('p', {}), existing: [], code: 'Success', reasons: [] },
    { name: 'fits within allocatable', pod: makePod('p', { cpu: '1', memory: '1Gi' }), existing: [], code: 'Success', reasons: [] },
    {
      name: 'counts what pods already on the node request',
      pod: makePod('p', { cpu: '1' }),
      existing: [makePod('a', { cpu: '1500m' })],
      code: 'Unschedulable',
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'lists every resource that is short',
      pod: makePod('p', { cpu: '1', memory: '1Gi' }),
      existing: [makePod('a', { cpu: '1500m', memory: '1536Mi' })],
      code: 'Unschedulable',
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'more than the node could ever give is unresolvable',
      pod: makePod('p', { memory: '4Gi' }),
      existing: [],
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient memory'],
    },
    {
      name: 'a full node has too many pods',
      pod: makePod('p'),
      existing: [makePod('a'), makePod('b'), makePod('c')],
      code: 'Unschedulable',
      reasons: ['Too many pods'],
    },
    {
      name: 'the init container max rule applies',
      pod: makePod('p', { cpu: '100m', spec: { initContainers: [{ name: 'i', image: 'busybox', resources: { requests: { cpu: '3' } } }] } }),
      existing: [],
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'extended resources the node lacks are insufficient',
      pod: makePod('p', { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] }),
      existing: [],
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient example.com/gpu'],
    },
  ];
  for (const t of cases)
    it(t.name, () => {
      const s = run(t.pod, undefined, t.existing);
      expect(s.code).toBe(t.code);
      expect(s.reasons).toEqual(t.reasons);
    });
});

describe('NodeResourcesFit LeastAllocated score', () => {
  const cases = [
    { name: 'an empty node scores 100', req: { cpu: 0, memory: 0 }, score: 100 },
    { name: 'half used scores 50', req: { cpu: 1000, memory: 1024 }, score: 50 },
    { name: 'cpu and memory are averaged', req: { cpu: 2000, memory: 0 }, score: 50 },
    { name: 'over capacity scores 0 for that resource', req: { cpu: 3000, memory: 1024 }, score: 25 },
  ];
  for (const t of cases) it(t.name, () => expect(leastAllocatedScore(t.req, { cpu: 2000, memory: 2048 })).toBe(t.score));

  it('prefers the node with more room, counting 100m/200Mi for pods without requests', () => {
    const [busy, idle] = nodeInfos(
      [makeNode('busy', { cpu: '2', memory: '2Gi' }), makeNode('idle', { cpu: '2', memory: '2Gi' })],
      [makePod('a', { nodeName: 'busy' })],
    );
    const pod = makePod('p');
    expect(nodeResourcesFit.score(newState(), pod, idle!)).toBeGreaterThan(nodeResourcesFit.score(newState(), pod, busy!));
  });
});
