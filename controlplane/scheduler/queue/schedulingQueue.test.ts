import { describe, expect, it } from 'vitest';
import { makePod } from '../testing.ts';
import { backoffDuration, POD_MAX_IN_UNSCHEDULABLE_MS, SchedulingQueue } from './schedulingQueue.ts';

function setup() {
  const clock = { t: 1_000_000, now() { return this.t; } };
  return { clock, q: new SchedulingQueue(clock) };
}

async function popFail(q: SchedulingQueue, kind: 'unschedulable' | 'error' = 'unschedulable') {
  const popped = (await q.pop())!;
  q.requeueFailed(popped.info, popped.cycle, kind);
  q.done(popped.info.key);
  return popped;
}

describe('backoffDuration', () => {
  const cases = [
    { attempts: 1, ms: 1000 },
    { attempts: 2, ms: 2000 },
    { attempts: 4, ms: 8000 },
    { attempts: 5, ms: 10000 },
    { attempts: 12, ms: 10000 },
  ];
  for (const t of cases) it(`attempt ${t.attempts} backs off ${t.ms} ms`, () => expect(backoffDuration(t.attempts)).toBe(t.ms));
});

describe('SchedulingQueue', () => {
  it('pops higher priority first, then the oldest', async () => {
    const { q, clock } = setup();
    q.add(makePod('old'));
    clock.t += 10;
    q.add(makePod('new'));
    q.add(makePod('urgent', { spec: { priority: 1000 } }));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.pod.metadata!.name);
    expect(order).toEqual(['urgent', 'old', 'new']);
  });

  it('an unschedulable pod waits until the cluster changes, then backs off before returning', async () => {
    const { q, clock } = setup();
    q.add(makePod('p'));
    await popFail(q);
    expect(q.pending()).toEqual({ active: [], backoff: [], unschedulable: ['default/p'] });
    q.moveAllToActiveOrBackoff();
    expect(q.pending().backoff).toEqual(['default/p']);
    clock.t += 999;
    q.flushBackoffCompleted();
    expect(q.pending().backoff).toEqual(['default/p']);
    clock.t += 1;
    q.flushBackoffCompleted();
    expect(q.pending().active).toEqual(['default/p']);
  });

  it('after its backoff has passed, a cluster change makes the pod active at once', async () => {
    const { q, clock } = setup();
    q.add(makePod('p'));
    await popFail(q);
    clock.t += 5_000;
    q.moveAllToActiveOrBackoff();
    expect(q.pending().active).toEqual(['default/p']);
  });

  it('a change during the attempt sends the failed pod to backoff, not to unschedulable', async () => {
    const { q } = setup();
    q.add(makePod('p'));
    const popped = (await q.pop())!;
    q.moveAllToActiveOrBackoff();
    q.requeueFailed(popped.info, popped.cycle, 'unschedulable');
    expect(q.pending().backoff).toEqual(['default/p']);
  });

  it('errors go to backoff and wait twice as long on the second failure', async () => {
    const { q, clock } = setup();
    q.add(makePod('p'));
    await popFail(q, 'error');
    clock.t += 1000;
    q.flushBackoffCompleted();
    await popFail(q, 'error');
    clock.t += 1999;
    q.flushBackoffCompleted();
    expect(q.pending().backoff).toEqual(['default/p']);
    clock.t += 1;
    q.flushBackoffCompleted();
    expect(q.pending().active).toEqual(['default/p']);
  });

  it('unschedulable pods are retried after 5 minutes even without a change', async () => {
    const { q, clock } = setup();
    q.add(makePod('p'));
    await popFail(q);
    clock.t += POD_MAX_IN_UNSCHEDULABLE_MS;
    q.flushUnschedulableLeftover();
    expect(q.pending().unschedulable).toEqual(['default/p']);
    clock.t += 1;
    q.flushUnschedulableLeftover();
    expect(q.pending().active).toEqual(['default/p']);
  });

  it("a status-only update (the scheduler's own condition) does not retry an unschedulable pod; a spec change does", async () => {
    const { q, clock } = setup();
    const pod = makePod('p');
    q.add(pod);
    await popFail(q);
    clock.t += 60_000;
    const withStatus = { ...pod, metadata: { ...pod.metadata, resourceVersion: '9' }, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    q.update(pod, withStatus);
    expect(q.pending().unschedulable).toEqual(['default/p']);
    q.update(withStatus, { ...withStatus, spec: { ...withStatus.spec!, nodeSelector: { disk: 'ssd' } } });
    expect(q.pending().active).toEqual(['default/p']);
  });

  it('a pod deleted during its attempt is not requeued', async () => {
    const { q } = setup();
    const pod = makePod('p');
    q.add(pod);
    const popped = (await q.pop())!;
    q.delete(pod);
    q.requeueFailed(popped.info, popped.cycle, 'unschedulable');
    expect(q.pending()).toEqual({ active: [], backoff: [], unschedulable: [] });
  });

  it('pop waits for a pod and returns undefined once closed', async () => {
    const { q } = setup();
    const waiting = q.pop();
    q.add(makePod('late'));
    expect((await waiting)!.info.pod.metadata!.name).toBe('late');
    const closed = q.pop();
    q.close();
    expect(await closed).toBeUndefined();
  });
});
