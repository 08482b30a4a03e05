import { describe, expect, it } from 'vitest';
import { BoundedFrequencyRunner, type Timers } from './syncRunner.ts';

/** A clock the test moves by hand: no sleeps, no timing assertions. */
function fakeTimers() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  const t: Timers & { advance(ms: number): Promise<void> } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++id });
      return id;
    },
    clearTimeout: (x) => (timers = timers.filter((tm) => tm.id !== x)),
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.fn();
        await new Promise((r) => setImmediate(r));
      }
      now = end;
    },
  };
  return t;
}

describe('BoundedFrequencyRunner', () => {
  it('syncs at once, then at most once per min interval however many requests arrive', async () => {
    const t = fakeTimers();
    const runs: number[] = [];
    const r = new BoundedFrequencyRunner(async () => (runs.push(t.now()), true), { minIntervalMs: 1000, maxIntervalMs: 30_000, retryIntervalMs: 1000, timers: t });
    r.start();
    await t.advance(0);
    for (let i = 0; i < 10; i++) r.run();
    await t.advance(999);
    expect(runs).toEqual([0]);
    await t.advance(1);
    expect(runs).toEqual([0, 1000]);
    r.stop();
  });

  it('syncs every max interval without requests, and retries a failure after the retry interval', async () => {
    const t = fakeTimers();
    const runs: number[] = [];
    let fail = true;
    const r = new BoundedFrequencyRunner(async () => (runs.push(t.now()), !fail), { minIntervalMs: 1000, maxIntervalMs: 30_000, retryIntervalMs: 5000, timers: t });
    r.start();
    await t.advance(0);
    fail = false;
    await t.advance(5000);
    await t.advance(30_000);
    expect(runs).toEqual([0, 5000, 35_000]);
    r.stop();
  });
});
