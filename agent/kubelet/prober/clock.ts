// Time as the prober sees it. Workers read the clock for initialDelaySeconds and wait on it
// between probes, so tests drive probing by stepping a FakeClock instead of sleeping
// (upstream injects k8s.io/utils/clock the same way).

export interface Clock {
  now(): Date;
  /** Calls fn once after ms; returns a function that cancels the call. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => new Date(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    // A waiting probe must not keep the process alive on its own.
    t.unref();
    return () => clearTimeout(t);
  },
};

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when step() is called; due timers fire in time order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: Date = new Date('2025-01-01T00:00:00Z')) {
    this.t = start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Advances time by ms, firing every timer that falls due on the way. */
  step(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
  }

  /** Timers not yet fired: a test waits for a worker to be parked on the clock. */
  pendingTimers(): number {
    return this.timers.length;
  }
}
