// The scheduling queue (pkg/scheduler/internal/queue/scheduling_queue.go): three places a
// pending pod can wait.
//   active        — ready to try now; a heap popped by priority, then by time of arrival
//                   (PrioritySort), then by the order pods entered it
//   backoff       — failed recently; returns to active after 1 s doubling per attempt, up to 10 s
//   unschedulable — did not fit; waits for a cluster change (a node or pod added, updated,
//                   removed) that could make it fit, or 5 minutes, whichever comes first
// A change that arrives while a pod is being scheduled (the move-request cycle) sends that pod
// to backoff instead of unschedulable, so the change is not lost.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podKey } from '../framework/nodeInfo.ts';
import { Heap } from './heap.ts';

// scheduling_queue.go DefaultPodInitialBackoffDuration, DefaultPodMaxBackoffDuration,
// DefaultPodMaxInUnschedulablePodsDuration; and the periodic flush intervals of Run().
export const POD_INITIAL_BACKOFF_MS = 1_000;
export const POD_MAX_BACKOFF_MS = 10_000;
export const POD_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;
export const BACKOFF_FLUSH_INTERVAL_MS = 1_000;
export const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

export interface Clock {
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

export interface QueuedPodInfo {
  pod: Pod;
  key: string;
  /** When the pod was added, or last failed: backoff and the 5-minute flush count from here. */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp?: number;
}

export type FailureKind = 'unschedulable' | 'error';

export function backoffDuration(attempts: number): number {
  let d = POD_INITIAL_BACKOFF_MS;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d >= POD_MAX_BACKOFF_MS) return POD_MAX_BACKOFF_MS;
  }
  return d;
}

/** Whether anything but status and bookkeeping metadata changed. */
export function podUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = p.metadata ?? {};
    return JSON.stringify({ meta, spec: p.spec });
  };
  return strip(oldPod) !== strip(newPod);
}

const priorityOf = (p: Pod) => p.spec?.priority ?? 0;

/** An activeQ entry: seq orders pods that share priority and timestamp (many arrive in one millisecond). */
interface ActiveEntry {
  info: QueuedPodInfo;
  seq: number;
}

/** queuesort/priority_sort.go Less: higher priority first, then the earlier timestamp. */
function activeLess(a: ActiveEntry, b: ActiveEntry): boolean {
  const pa = priorityOf(a.info.pod);
  const pb = priorityOf(b.info.pod);
  if (pa !== pb) return pa > pb;
  if (a.info.timestamp !== b.info.timestamp) return a.info.timestamp < b.info.timestamp;
  return a.seq < b.seq;
}

export class SchedulingQueue {
  private readonly active = new Heap<ActiveEntry>((e) => e.info.key, activeLess);
  private seq = 0;
  private readonly backoff = new Map<string, QueuedPodInfo>();
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done, with the newest version of the object seen meanwhile. */
  private readonly inFlight = new Map<string, { pod: Pod; deleted: boolean }>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly clock: Clock = realClock) {}

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.get(key)!.pod = pod;
      return;
    }
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    const existing = this.active.get(key);
    if (existing) {
      existing.info.pod = pod;
      this.active.reorder(key);
    } else this.pushActive({ pod, key, timestamp: this.clock.now(), attempts: 0 });
  }

  /**
   * A pending pod changed. An unschedulable one gets another try when its spec or labels
   * changed, not for a status write such as the scheduler's own PodScheduled condition
   * (scheduling_queue.go isPodUpdated).
   */
  update(oldPod: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    const flight = this.inFlight.get(key);
    if (flight) {
      flight.pod = pod;
      return;
    }
    const queued = this.active.get(key);
    if (queued) {
      queued.info.pod = pod;
      this.active.reorder(key);
      return;
    }
    const waiting = this.backoff.get(key);
    if (waiting) {
      waiting.pod = pod;
      return;
    }
    const qp = this.unschedulable.get(key);
    if (qp) {
      qp.pod = pod;
      if (oldPod && !podUpdated(oldPod, pod)) return;
      this.unschedulable.delete(key);
      this.moveToActiveOrBackoff(qp);
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    const flight = this.inFlight.get(key);
    if (flight) flight.deleted = true;
  }

  /** The next pod to schedule; undefined once closed. The caller must call done(key) after the attempt. */
  async pop(): Promise<{ info: QueuedPodInfo; cycle: number } | undefined> {
    while (this.active.size === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.closed) return undefined;
    const best = this.active.pop()!.info;
    best.attempts++;
    best.initialAttemptTimestamp ??= this.clock.now();
    this.inFlight.set(best.key, { pod: best.pod, deleted: false });
    return { info: best, cycle: ++this.schedulingCycle };
  }

  /**
   * After a failed attempt: errors go to backoff; unschedulable pods wait for a cluster change,
   * unless one already happened during their attempt. A pod deleted meanwhile is dropped.
   */
  requeueFailed(info: QueuedPodInfo, podCycle: number, kind: FailureKind): void {
    const flight = this.inFlight.get(info.key);
    if (flight?.deleted) return;
    if (flight) info.pod = flight.pod;
    info.timestamp = this.clock.now();
    if (kind === 'error' || this.moveRequestCycle >= podCycle) this.backoff.set(info.key, info);
    else this.unschedulable.set(info.key, info);
  }

  /** The attempt for this key is over (bound, or requeued). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /** Something in the cluster changed that could let unschedulable pods fit: try them again. */
  moveAllToActiveOrBackoff(): void {
    for (const qp of this.unschedulable.values()) this.moveToActiveOrBackoff(qp);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Backoff entries whose time is up become active (run every second). */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (const [key, qp] of this.backoff)
      if (this.backoffExpiry(qp) <= now) {
        this.backoff.delete(key);
        this.pushActive(qp);
      }
  }

  /** Pods unschedulable for over 5 minutes get another try even without a cluster change (run every 30 s). */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const [key, qp] of this.unschedulable)
      if (now - qp.timestamp > POD_MAX_IN_UNSCHEDULABLE_MS) {
        this.unschedulable.delete(key);
        this.moveToActiveOrBackoff(qp);
      }
  }

  /** Starts the periodic flushes; they stop with the signal. */
  run(signal: AbortSignal): void {
    const a = setInterval(() => this.flushBackoffCompleted(), BACKOFF_FLUSH_INTERVAL_MS);
    const b = setInterval(() => this.flushUnschedulableLeftover(), UNSCHEDULABLE_FLUSH_INTERVAL_MS);
    signal.addEventListener('abort', () => {
      clearInterval(a);
      clearInterval(b);
      this.close();
    }, { once: true });
  }

  close(): void {
    this.closed = true;
    this.wake(true);
  }

  /** Keys in each queue (for logs and tests). */
  pending(): { active: string[]; backoff: string[]; unschedulable: string[] } {
    return { active: this.active.keys(), backoff: [...this.backoff.keys()], unschedulable: [...this.unschedulable.keys()] };
  }

  private backoffExpiry(qp: QueuedPodInfo): number {
    return qp.timestamp + backoffDuration(qp.attempts);
  }

  private moveToActiveOrBackoff(qp: QueuedPodInfo): void {
    if (qp.attempts > 0 && this.backoffExpiry(qp) > this.clock.now()) this.backoff.set(qp.key, qp);
    else this.pushActive(qp);
  }

  private pushActive(qp: QueuedPodInfo): void {
    this.active.addOrUpdate({ info: qp, seq: ++this.seq });
    this.wake(false);
  }

  private wake(all: boolean): void {
    const ws = all ? this.waiters.splice(0) : this.waiters.splice(0, 1);
    for (const w of ws) w();
  }
}
