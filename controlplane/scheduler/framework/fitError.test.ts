import { describe, expect, it } from 'vitest';
import { makePod } from '../testing.ts';
import { preemptionMessage } from '../plugins/defaultPreemption.ts';
import { fitErrorMessage, preFilterRejection } from './fitError.ts';
import { unresolvable, unschedulable, type Status } from './status.ts';

const statuses = (entries: [string, Status][]) => new Map(entries);

describe('FailedScheduling message', () => {
  it('counts equal reasons, sorts them as text, and appends the preemption verdict', () => {
    const nodeStatuses = statuses([
      ['master', unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')],
      ['worker-0', { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient memory'] }],
      ['worker-1', { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient memory'] }],
    ]);
    const msg = fitErrorMessage({ numAllNodes: 3, nodeStatuses, postFilterMsg: `preemption: ${preemptionMessage(makePod('p'), nodeStatuses, 3)}` });
    expect(msg).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('nodes that preemption could free say there are no victims', () => {
    const nodeStatuses = statuses([
      ['a', unschedulable('Insufficient cpu')],
      ['b', unresolvable("node(s) didn't match Pod's node affinity/selector")],
    ]);
    expect(preemptionMessage(makePod('p'), nodeStatuses, 2)).toBe(
      '0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
  });

  it('a node with several reasons counts each of them', () => {
    const msg = fitErrorMessage({ numAllNodes: 1, nodeStatuses: statuses([['a', unschedulable('Insufficient cpu', 'Insufficient memory')]]) });
    expect(msg).toBe('0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.');
  });

  it('a PreFilter rejection is said once, not per node', () => {
    const fe = preFilterRejection(unresolvable('persistentvolumeclaim "data" not found'), ['a', 'b']);
    expect(fitErrorMessage(fe)).toBe('0/2 nodes are available: persistentvolumeclaim "data" not found.');
  });

  it('a pod that may not preempt says so', () => {
    expect(preemptionMessage(makePod('p', { spec: { preemptionPolicy: 'Never' } }), new Map(), 1)).toBe('not eligible due to preemptionPolicy=Never.');
  });
});
