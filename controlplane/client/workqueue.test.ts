import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './workqueue.ts';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock() {
  let t = 0;
  let timers: { at: number; fn: () => void; live: boolean }[] = [];
  return {
    now: () => t,
    setTimer(fn: () => void, ms: number) {
      const timer = { at: t + ms, fn, live: true };
      timers.push(timer);
      return () => void (timer.live = false);
    },
    advance(ms: number) {
      t += ms;
      for (;;) {
        const due = timers.filter((x) => x.live && x.at <= t).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        due.live = false;
        due.fn();
      }
      timers = timers.filter((x) => x.live);
    },
  };
}

describe('workqueue', () => {
  it('holds a key once however often it is added', async () => {
    const q = createWorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key being processed to a second worker; a re-add while processing requeues it on done', async () => {
    const q = createWorkQueue();
    q.add('a');
    const key = await q.get();
    expect(key).toBe('a');
    q.add('a'); // changed again while a worker reconciles it
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done('a');
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('done without a re-add does not requeue', async () => {
    const q = createWorkQueue();
    q.add('a');
    q.done((await q.get())!);
    expect(q.len()).toBe(0);
  });

  it('wakes a blocked get when a key arrives', async () => {
    const q = createWorkQueue();
    const pending = q.get();
    q.add('x');
    expect(await pending).toBe('x');
  });

  it('addAfter holds a key until its time, and the earlier of two times wins', () => {
    const clock = fakeClock();
    const q = createWorkQueue({ now: clock.now, setTimer: clock.setTimer });
    q.addAfter('a', 100);
    q.addAfter('a', 500);
    q.addAfter('b', 50);
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(50);
    expect(q.len()).toBe(2);
    clock.advance(1000);
    expect(q.len()).toBe(2); // the 500 ms add of 'a' did not produce a second entry
  });

  /** Rate-limits `key` once and returns how many ms of fake time pass before it is ready; then processes it. */
  async function measureBackoff(q: ReturnType<typeof createWorkQueue<string>>, clock: ReturnType<typeof fakeClock>, key: string) {
    q.addRateLimited(key);
    let waited = 0;
    while (q.len() === 0) {
      clock.advance(1);
      waited++;
    }
    q.done((await q.get())!);
    return waited;
  }

  it('addRateLimited backs off per key: 5, 10, 20 ms …, and forget resets it', async () => {
    const clock = fakeClock();
    const q = createWorkQueue<string>({ now: clock.now, setTimer: clock.setTimer });
    expect(await measureBackoff(q, clock, 'a')).toBe(5);
    expect(await measureBackoff(q, clock, 'a')).toBe(10);
    expect(await measureBackoff(q, clock, 'a')).toBe(20);
    expect(q.numRequeues('a')).toBe(3);
    expect(await measureBackoff(q, clock, 'b')).toBe(5); // each key has its own backoff
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(await measureBackoff(q, clock, 'a')).toBe(5);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const clock = fakeClock();
    const q = createWorkQueue<string>({ now: clock.now, setTimer: clock.setTimer, baseDelayMs: 5, maxDelayMs: 40 });
    const delays = [];
    for (let i = 0; i < 6; i++) delays.push(await measureBackoff(q, clock, 'k'));
    expect(delays).toEqual([5, 10, 20, 40, 40, 40]);
  });

  it('shutDown drains what is queued, then get returns undefined; adds are ignored', async () => {
    const q = createWorkQueue();
    q.add('a');
    const blocked = createWorkQueue();
    const waiting = blocked.get();
    blocked.shutDown();
    expect(await waiting).toBeUndefined();
    q.shutDown();
    q.add('b');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBeUndefined();
  });

  it('shutDown drops keys still waiting for their time', async () => {
    const clock = fakeClock();
    const q = createWorkQueue({ now: clock.now, setTimer: clock.setTimer });
    q.addAfter('late', 10);
    q.shutDown();
    clock.advance(100);
    expect(await q.get()).toBeUndefined();
  });
});
