import { describe, expect, it } from 'vitest';
import { SchedulerCache } from '../cache/schedulerCache.ts';
import { defaultProfile } from '../plugins/registry.ts';
import { makeNode, makePod, MASTER_TAINT } from '../testing.ts';
import { CycleState } from './cycleState.ts';
import { fitErrorMessage } from './fitError.ts';
import { emptyClusterView, type BindPlugin } from './interface.ts';
import { Framework } from './runtime.ts';
import { schedulePod, selectHost } from './schedulePod.ts';
import { SUCCESS } from './status.ts';

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
