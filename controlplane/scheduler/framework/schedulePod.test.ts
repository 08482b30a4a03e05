import { describe, expect, it } from 'vitest';
import { SchedulerCache } from '../cache/schedulerCache.ts';
import { defaultProfile } from '../plugins/registry.ts';
import { makeNode, makePod, MASTER_TAINT } from '../testing.ts';
import { CycleState } from './cycleState.ts';
import { fitErrorMessage } from './fitError.ts';
import { emptyClusterView, type BindPlugin, type FilterPlugin } from './interface.ts';
import { Framework, type Profile } from './runtime.ts';
import { numFeasibleNodesToFind, schedulePod, selectHost } from './schedulePod.ts';
import { SUCCESS, unresolvable } from './status.ts';

const noBinder: BindPlugin = { name: 'NoBinder', bind: async () => SUCCESS };
const fw = new Framework(defaultProfile(emptyClusterView(), noBinder));

function cluster() {
  const c = new SchedulerCache();
  c.addNode(makeNode('master', { cpu: '1', memory: '1Gi', taints: [MASTER_TAINT], labels: { 'node-role.kubernetes.io/control-plane': '' } }));
  c.addNode(makeNode('worker-0', { cpu: '1', memory: '1Gi' }));
  c.addNode(makeNode('worker-1', { cpu: '1', memory: '1Gi' }));
  return c;
}

describe('schedulePod with the default profile', () => {
  it('a pod lands on a worker, never on the tainted master', () => {
    const c = cluster();
    for (let i = 0; i < 10; i++) {
      const r = schedulePod(fw, new CycleState(), makePod(`p${i}`, { cpu: '100m', memory: '64Mi' }), c.snapshot());
      expect(r.kind).toBe('fit');
      if (r.kind === 'fit') expect(r.nodeName).toMatch(/^worker-/);
    }
  });

  it('a pod too big for any worker gets the upstream message', () => {
    const r = schedulePod(fw, new CycleState(), makePod('big', { memory: '2Gi' }), cluster().snapshot());
    expect(r.kind).toBe('unschedulable');
    if (r.kind !== 'unschedulable') return;
    expect(fitErrorMessage(r.fitError)).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('assumed pods fill a node: the next pod of a burst goes elsewhere', () => {
    const c = cluster();
    const placed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const pod = makePod(`p${i}`, { cpu: '600m' });
      const r = schedulePod(fw, new CycleState(), pod, c.snapshot());
      if (r.kind !== 'fit') throw new Error(r.kind);
      placed.push(r.nodeName);
      c.assumePod({ ...pod, spec: { ...pod.spec!, nodeName: r.nodeName } });
    }
    expect(new Set(placed).size).toBe(2);
    const third = schedulePod(fw, new CycleState(), makePod('p3', { cpu: '600m' }), c.snapshot());
    expect(third.kind).toBe('unschedulable');
  });

  it('a cordoned worker is passed over', () => {
    const c = cluster();
    c.updateNode(makeNode('worker-0', { cpu: '1', memory: '1Gi', unschedulable: true }));
    const r = schedulePod(fw, new CycleState(), makePod('p'), c.snapshot());
    expect(r).toMatchObject({ kind: 'fit', nodeName: 'worker-1' });
  });

  it('no nodes at all is its own answer', () => {
    expect(schedulePod(fw, new CycleState(), makePod('p'), new SchedulerCache().snapshot()).kind).toBe('noNodes');
  });
});

describe('selectHost', () => {
  it('picks the highest score', () => {
    expect(selectHost([{ name: 'a', score: 1 }, { name: 'b', score: 3 }, { name: 'c', score: 2 }], () => 0.99)).toBe('b');
  });
  it('breaks ties at random among the best', () => {
    const scores = [{ name: 'a', score: 5 }, { name: 'b', score: 5 }, { name: 'c', score: 1 }];
    expect(selectHost(scores, () => 0.99)).toBe('a');
    expect(selectHost(scores, () => 0.1)).toBe('b');
  });
});

describe('numFeasibleNodesToFind', () => {
  const cases = [
    { nodes: 0, percentage: 0, want: 0 },
    { nodes: 3, percentage: 0, want: 3 },
    { nodes: 99, percentage: 0, want: 99 },
    { nodes: 100, percentage: 0, want: 100 }, // 50% of 100 is below the floor of 100 nodes
    { nodes: 150, percentage: 0, want: 100 }, // 49% → 73 → 100
    { nodes: 1000, percentage: 0, want: 420 }, // 50 - 1000/125 = 42%
    { nodes: 5000, percentage: 0, want: 500 }, // 50 - 40 = 10%
    { nodes: 6000, percentage: 0, want: 300 }, // 50 - 48 = 2% → the 5% floor
    { nodes: 20000, percentage: 0, want: 1000 }, // 5%
    { nodes: 1000, percentage: 30, want: 300 },
    { nodes: 1000, percentage: 5, want: 100 },
    { nodes: 1000, percentage: 100, want: 1000 },
    { nodes: 50, percentage: 10, want: 50 },
  ];
  for (const t of cases)
    it(`${t.nodes} nodes at ${t.percentage || 'the adaptive'}% → ${t.want}`, () => expect(numFeasibleNodesToFind(t.nodes, t.percentage)).toBe(t.want));
});

describe('schedulePod filtering in a large cluster', () => {
  /** A profile whose only plugin is a Filter that records the nodes it saw and rejects the named ones. */
  function recording(rejected: Set<string> = new Set()) {
    const seen: string[] = [];
    const filter: FilterPlugin = {
      name: 'Recorder',
      filter: (_s, _p, n) => {
        seen.push(n.name);
        return rejected.has(n.name) ? unresolvable('rejected') : SUCCESS;
      },
    };
    const profile: Profile = { schedulerName: 'test', preFilter: [], filter: [filter], postFilter: [], preScore: [], score: [], reserve: [], bind: [noBinder] };
    return { seen, fw: new Framework(profile) };
  }
  const bigCluster = (n: number) => {
    const c = new SchedulerCache();
    for (let i = 0; i < n; i++) c.addNode(makeNode(`n${String(i).padStart(3, '0')}`));
    return c.snapshot();
  };

  it('stops once enough nodes are feasible and the next pod starts where the last stopped', () => {
    const snap = bigCluster(300); // adaptive: 48% of 300 = 144
    const { seen, fw: f } = recording();
    const rotation = { nextStartNodeIndex: 0 };
    const first = schedulePod(f, new CycleState(), makePod('a'), snap, { rotation });
    expect(first).toMatchObject({ kind: 'fit', evaluatedNodes: 144, feasibleNodes: 144 });
    expect(seen.slice(0, 2)).toEqual(['n000', 'n001']);
    expect(rotation.nextStartNodeIndex).toBe(144);
    seen.length = 0;
    schedulePod(f, new CycleState(), makePod('b'), snap, { rotation });
    expect(seen[0]).toBe('n144');
    seen.length = 0;
    schedulePod(f, new CycleState(), makePod('c'), snap, { rotation });
    expect(seen[0]).toBe('n288');
    expect(seen.at(-1)).toBe('n131'); // wrapped around the end of the list
    expect(rotation.nextStartNodeIndex).toBe(132);
  });

  it('over many pods, every node gets its turn', () => {
    const snap = bigCluster(250);
    const { seen, fw: f } = recording();
    const rotation = { nextStartNodeIndex: 0 };
    for (let i = 0; i < 3; i++) schedulePod(f, new CycleState(), makePod(`p${i}`), snap, { rotation });
    expect(new Set(seen).size).toBe(250);
  });

  it('rejected nodes count as checked; when none fits, every node was checked and has its reason', () => {
    const snap = bigCluster(200);
    const all = new Set(snap.nodeInfos.map((n) => n.name));
    const { seen, fw: f } = recording(all);
    const rotation = { nextStartNodeIndex: 50 };
    const r = schedulePod(f, new CycleState(), makePod('p'), snap, { rotation });
    expect(r.kind).toBe('unschedulable');
    if (r.kind !== 'unschedulable') return;
    expect(seen).toHaveLength(200);
    expect(r.fitError.nodeStatuses.size).toBe(200);
    expect(fitErrorMessage(r.fitError)).toBe('0/200 nodes are available: 200 rejected.');
    expect(rotation.nextStartNodeIndex).toBe(50);
  });

  it('an explicit percentageOfNodesToScore of 100 checks every node', () => {
    const snap = bigCluster(300);
    const { seen, fw: f } = recording();
    schedulePod(f, new CycleState(), makePod('p'), snap, { percentageOfNodesToScore: 100 });
    expect(seen).toHaveLength(300);
  });
});
