import { describe, expect, it } from 'vitest';
import { makePod } from '../testing.ts';
import { Heap } from './heap.ts';
import { SchedulingQueue } from './schedulingQueue.ts';

interface Item {
  key: string;
  priority: number;
  at: number;
}

const byPriorityThenTime = () =>
  new Heap<Item>(
    (i) => i.key,
    (a, b) => (a.priority !== b.priority ? a.priority > b.priority : a.at < b.at),
  );

const drain = (h: Heap<Item>) => {
  const out: string[] = [];
  for (let i = h.pop(); i; i = h.pop()) out.push(i.key);
  return out;
};

describe('Heap', () => {
  const cases: { name: string; items: Item[]; want: string[] }[] = [
    { name: 'higher priority first', items: [{ key: 'low', priority: 0, at: 1 }, { key: 'high', priority: 10, at: 2 }], want: ['high', 'low'] },
    { name: 'equal priority: the earlier first', items: [{ key: 'late', priority: 0, at: 5 }, { key: 'early', priority: 0, at: 1 }], want: ['early', 'late'] },
    {
      name: 'priority outranks time',
      items: [{ key: 'a', priority: 0, at: 1 }, { key: 'b', priority: 5, at: 9 }, { key: 'c', priority: 5, at: 3 }, { key: 'd', priority: -1, at: 0 }],
      want: ['c', 'b', 'a', 'd'],
    },
  ];
  for (const t of cases)
    it(`pops ${t.name}`, () => {
      const h = byPriorityThenTime();
      for (const i of t.items) h.addOrUpdate(i);
      expect(drain(h)).toEqual(t.want);
    });

  it('pops a thousand shuffled items in sorted order', () => {
    const h = byPriorityThenTime();
    const items = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, priority: (i * 7919) % 13, at: (i * 104729) % 1009 }));
    for (const i of items) h.addOrUpdate(i);
    const want = [...items].sort((a, b) => b.priority - a.priority || a.at - b.at).map((i) => i.key);
    expect(drain(h)).toEqual(want);
  });

  it('deletes any item by key and keeps the order of the rest', () => {
    const h = byPriorityThenTime();
    for (let i = 0; i < 20; i++) h.addOrUpdate({ key: `k${i}`, priority: 0, at: i });
    for (const k of ['k0', 'k7', 'k19', 'k12']) expect(h.delete(k)?.key).toBe(k);
    expect(h.delete('k7')).toBeUndefined();
    expect(h.has('k7')).toBe(false);
    expect(h.size).toBe(16);
    expect(drain(h)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k8', 'k9', 'k10', 'k11', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18']);
  });

  it('re-sorts an item whose priority changed, replaced or changed in place', () => {
    const h = byPriorityThenTime();
    for (let i = 0; i < 5; i++) h.addOrUpdate({ key: `k${i}`, priority: 0, at: i });
    h.addOrUpdate({ key: 'k4', priority: 9, at: 4 });
    h.get('k0')!.priority = -1;
    h.reorder('k0');
    expect(h.size).toBe(5);
    expect(drain(h)).toEqual(['k4', 'k1', 'k2', 'k3', 'k0']);
  });
});

describe('SchedulingQueue active heap', () => {
  it('pods added in the same millisecond come out in the order they arrived', async () => {
    const q = new SchedulingQueue({ now: () => 42 });
    for (let i = 0; i < 50; i++) q.add(makePod(`p${i}`));
    const order: string[] = [];
    for (let i = 0; i < 50; i++) order.push((await q.pop())!.info.pod.metadata!.name!);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => `p${i}`));
  });

  it('a waiting pod whose priority is raised moves ahead', async () => {
    const q = new SchedulingQueue({ now: () => 42 });
    q.add(makePod('a'));
    q.add(makePod('b'));
    q.update(undefined, makePod('b', { spec: { priority: 100 } }));
    expect((await q.pop())!.info.pod.metadata!.name).toBe('b');
  });
});
