import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../testing.ts';
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
