import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../prober/clock.ts';
import { PodWorkers, WORKER_BACKOFF_MS, type PodSyncer } from './podWorkers.ts';

const log = pino({ level: 'silent' });

function pod(version: string, extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return { metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: version, ...extra }, spec: { containers: [] } };
}

/** A syncer whose calls are recorded and whose syncPod can be held open by the test. */
function fakeSyncer() {
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  let nextResult: { requeueAfterMs?: number; terminal?: boolean } = {};
  let failNext = false;
  const syncer: PodSyncer = {
    async syncPod(p) {
      calls.push(`sync ${p.metadata?.resourceVersion}`);
      if (failNext) {
        failNext = false;
        throw new Error('runtime unavailable');
      }
      if (hold) await new Promise<void>((r) => (release = r));
      const r = nextResult;
      nextResult = {};
      return r;
    },
    async syncTerminatingPod(uid, p, grace) {
      calls.push(`terminating ${p?.metadata?.resourceVersion ?? uid} grace=${grace}`);
    },
    async syncTerminatedPod(uid, p) {
      calls.push(`terminated ${p?.metadata?.resourceVersion ?? uid}`);
    },
  };
  return {
    syncer,
    calls,
    hold: (on: boolean) => (hold = on),
    release: () => release?.(),
    result: (r: typeof nextResult) => (nextResult = r),
    failNext: () => (failNext = true),
  };
}

/** Lets the workers' promise chains run (no timers involved). */
async function settle(workers: PodWorkers): Promise<void> {
  for (let i = 0; i < 50 && !workers.idle(); i++) await new Promise((r) => setImmediate(r));
  expect(workers.idle()).toBe(true);
}

describe('PodWorkers', () => {
  it('coalesces updates that arrive while a sync runs: only the newest is synced next', async () => {
    const f = fakeSyncer();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    f.hold(true);
    workers.update({ uid: 'u1', pod: pod('1') });
    await new Promise((r) => setImmediate(r));
    workers.update({ uid: 'u1', pod: pod('2') });
    workers.update({ uid: 'u1', pod: pod('3') });
    f.hold(false);
    f.release();
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'sync 3']);
  });

  it('keeps one worker per UID: pods sync independently', async () => {
    const f = fakeSyncer();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    workers.update({ uid: 'u1', pod: pod('1') });
    workers.update({ uid: 'u2', pod: { ...pod('a'), metadata: { ...pod('a').metadata, uid: 'u2' } } });
    await settle(workers);
    expect(f.calls.sort()).toEqual(['sync 1', 'sync a']);
  });

  it('a deleted pod goes syncing → terminating with its grace period → terminated, then ignores updates', async () => {
    const f = fakeSyncer();
    const phases: string[] = [];
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock(), onStepDone: (_, p) => phases.push(p) });
    workers.update({ uid: 'u1', pod: pod('1') });
    await settle(workers);
    expect(workers.phaseOf('u1')).toBe('syncing');
    workers.update({ uid: 'u1', pod: pod('2', { deletionTimestamp: '2025-01-01T00:00:00Z', deletionGracePeriodSeconds: 5 }) });
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'terminating 2 grace=undefined', 'terminated 2']);
    expect(workers.phaseOf('u1')).toBe('terminated');
    expect(workers.isReclaimed('u1')).toBe(true);
    workers.update({ uid: 'u1', pod: pod('3') });
    await settle(workers);
    expect(f.calls).toHaveLength(3);
    expect(phases).toEqual(['syncing', 'terminated']);
  });

  it('a kill update carries its grace period; a later kill may shorten it', async () => {
    const f = fakeSyncer();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    f.hold(true);
    workers.update({ uid: 'u1', pod: pod('1') });
    await new Promise((r) => setImmediate(r));
    workers.update({ uid: 'u1', kill: true, gracePeriodSeconds: 30 });
    workers.update({ uid: 'u1', kill: true, gracePeriodSeconds: 40 });
    workers.update({ uid: 'u1', kill: true, gracePeriodSeconds: 2 });
    f.hold(false);
    f.release();
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'terminating 1 grace=2', 'terminated 1']);
  });

  it('an orphan (no API object) is killed without ever being synced', async () => {
    const f = fakeSyncer();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    workers.update({ uid: 'orphan', kill: true });
    await settle(workers);
    expect(f.calls).toEqual(['terminating orphan grace=undefined', 'terminated orphan']);
  });

  it('a pod that reaches a terminal phase terminates on its own', async () => {
    const f = fakeSyncer();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    f.result({ terminal: true });
    workers.update({ uid: 'u1', pod: pod('1') });
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'terminating 1 grace=undefined', 'terminated 1']);
  });

  it('honours requeueAfterMs: syncs again when the clock reaches it, not before', async () => {
    const f = fakeSyncer();
    const clock = new FakeClock();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock });
    f.result({ requeueAfterMs: 9_000 });
    workers.update({ uid: 'u1', pod: pod('1') });
    await settle(workers);
    clock.step(8_999);
    await settle(workers);
    expect(f.calls).toEqual(['sync 1']);
    clock.step(1);
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'sync 1']);
  });

  it('retries a failed sync after the worker back-off', async () => {
    const f = fakeSyncer();
    const clock = new FakeClock();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock });
    f.failNext();
    workers.update({ uid: 'u1', pod: pod('1') });
    await settle(workers);
    expect(clock.pendingTimers()).toBe(1);
    clock.step(WORKER_BACKOFF_MS);
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'sync 1']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('forget drops a finished worker so the UID starts afresh', async () => {
    const f = fakeSyncer();
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    workers.update({ uid: 'u1', kill: true });
    await settle(workers);
    workers.forget('u1');
    expect(workers.knownUids()).toEqual([]);
  });

  it('a kill while a sync runs aborts that sync (a hook in flight ends) and the pod terminates next', async () => {
    const calls: string[] = [];
    let seen: AbortSignal | undefined;
    const syncer: PodSyncer = {
      syncPod: (p, signal) => {
        calls.push(`sync ${p.metadata?.resourceVersion}`);
        seen = signal;
        // Like a postStart hook that would run for an hour: it ends only when aborted.
        return new Promise((resolve) => signal?.addEventListener('abort', () => resolve({}), { once: true }));
      },
      async syncTerminatingPod(_uid, p, grace) {
        calls.push(`terminating ${p?.metadata?.resourceVersion} grace=${grace}`);
      },
      async syncTerminatedPod(_uid, p) {
        calls.push(`terminated ${p?.metadata?.resourceVersion}`);
      },
    };
    const workers = new PodWorkers({ syncer, log, clock: new FakeClock() });
    workers.update({ uid: 'u1', pod: pod('1') });
    await new Promise((r) => setImmediate(r));
    expect(seen?.aborted).toBe(false);
    workers.update({ uid: 'u1', pod: pod('2', { deletionTimestamp: '2024-01-01T00:00:00Z' }), kill: true, gracePeriodSeconds: 5 });
    expect(seen?.aborted).toBe(true);
    await settle(workers);
    expect(calls).toEqual(['sync 1', 'terminating 2 grace=5', 'terminated 2']);
  });

  it('an update that does not stop the pod leaves the sync in flight alone', async () => {
    const f = fakeSyncer();
    let seen: AbortSignal | undefined;
    const syncPod = f.syncer.syncPod;
    f.syncer.syncPod = (p, signal) => {
      seen = signal;
      return syncPod(p, signal);
    };
    const workers = new PodWorkers({ syncer: f.syncer, log, clock: new FakeClock() });
    f.hold(true);
    workers.update({ uid: 'u1', pod: pod('1') });
    await new Promise((r) => setImmediate(r));
    workers.update({ uid: 'u1', pod: pod('2') });
    expect(seen?.aborted).toBe(false);
    f.hold(false);
    f.release();
    await settle(workers);
    expect(f.calls).toEqual(['sync 1', 'sync 2']);
  });
});
