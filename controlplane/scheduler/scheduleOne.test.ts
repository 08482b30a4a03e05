import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache/schedulerCache.ts';
import { emptyClusterView, type BindPlugin } from './framework/interface.ts';
import { Framework } from './framework/runtime.ts';
import { SUCCESS } from './framework/status.ts';
import { defaultProfile } from './plugins/registry.ts';
import { SchedulingQueue } from './queue/schedulingQueue.ts';
import { runSchedulingLoop, Scheduler } from './scheduleOne.ts';
import { makeNode, makePod } from './testing.ts';

/** A scheduler over `nodes` with `pods` pending, binding with `bind`; the loop stops when the queue is closed. */
function setup(o: { nodes: number; podsPerNode: string; pending: number; bind: BindPlugin['bind'] }) {
  const cache = new SchedulerCache();
  for (let i = 0; i < o.nodes; i++) cache.addNode(makeNode(`n${i}`, { pods: o.podsPerNode, cpu: '1000', memory: '1000Gi' }));
  const queue = new SchedulingQueue();
  for (let i = 0; i < o.pending; i++) queue.add(makePod(`p${i}`, { cpu: '10m' }));
  const events: string[] = [];
  const scheduler = new Scheduler({
    framework: new Framework(defaultProfile(emptyClusterView(), { name: 'TestBinder', bind: o.bind })),
    cache,
    queue,
    recorder: { event: (_o, _t, reason) => void events.push(reason) },
    writeCondition: async () => undefined,
    log: pino({ level: 'silent' }),
  });
  return { cache, queue, scheduler, events };
}

describe('the scheduling loop', () => {
  it('hands control back to the event loop between pods: a setTimeout(0) runs while 500 pods are being scheduled', async () => {
    let placed = 0;
    const { queue, scheduler } = setup({
      nodes: 5,
      podsPerNode: '200',
      pending: 500,
      bind: async () => {
        if (++placed === 500) queue.close();
        return SUCCESS;
      },
    });
    const placedWhenTimerRan: number[] = [];
    setTimeout(() => placedWhenTimerRan.push(placed), 0);
    await runSchedulingLoop(scheduler, new AbortController().signal);
    expect(placed).toBe(500);
    expect(placedWhenTimerRan).toHaveLength(1);
    expect(placedWhenTimerRan[0]).toBeLessThan(500);
  });

  it('binds in the background: bindings complete while later pods are still being scheduled', async () => {
    let placed = 0;
    let bound = 0;
    let boundWhenLastPlaced = -1;
    const { queue, scheduler, events } = setup({
      nodes: 5,
      podsPerNode: '200',
      pending: 300,
      bind: async () => {
        if (++placed === 300) {
          boundWhenLastPlaced = bound;
          queue.close();
        }
        await nextTurn(); // the API server's answer arrives on a later turn of the event loop
        bound++;
        return SUCCESS;
      },
    });
    await runSchedulingLoop(scheduler, new AbortController().signal);
    expect(boundWhenLastPlaced).toBeGreaterThan(0);
    expect(bound).toBe(300); // drained before the loop returned
    expect(events.filter((r) => r === 'Scheduled')).toHaveLength(300);
  });

  it('while bindings are still in flight, assumed pods fill the nodes exactly: the pod after that fits nowhere', async () => {
    const releases: (() => void)[] = [];
    const { cache, queue, scheduler, events } = setup({
      nodes: 3,
      podsPerNode: '10',
      pending: 31,
      bind: () => new Promise((resolve) => releases.push(() => resolve(SUCCESS))),
    });
    for (let i = 0; i < 31; i++) await scheduler.scheduleOne();
    expect(releases).toHaveLength(30); // no binding has answered yet
    const snap = cache.snapshot();
    expect(snap.nodeInfos.map((n) => n.pods.length)).toEqual([10, 10, 10]);
    expect(events).toEqual(['FailedScheduling']);
    expect(queue.pending().unschedulable).toHaveLength(1);
    for (const release of releases) release();
    queue.close();
    await scheduler.drain();
    expect(events.filter((r) => r === 'Scheduled')).toHaveLength(30);
  });
});
