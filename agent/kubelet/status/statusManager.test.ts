import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../prober/clock.ts';
import { updateReadyConditions, mergePodStatus, nextStatus, statusEqual, terminatedStatus } from './podStatus.ts';
import { StatusManager, type PodStatusApi } from './statusManager.ts';

const log = pino({ level: 'silent' });
const T0 = new Date('2025-01-01T00:00:00Z');

function running(ready = true): PodStatus {
  return {
    phase: 'Running',
    podIP: '10.244.1.5',
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      { type: 'Ready', status: ready ? 'True' : 'False' },
    ],
    containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', restartCount: 0, ready, started: true, containerID: 'containerd://c1', state: { running: { startedAt: '2025-01-01T00:00:00Z' } } }],
  };
}

/** An API server in memory: one pod, the PATCHes and DELETEs it got. */
function fakeApi(pod: Pod) {
  const patches: PodStatus[] = [];
  const deletes: string[] = [];
  let current: Pod | undefined = structuredClone(pod);
  const api: PodStatusApi = {
    getPod: () => current,
    async patchStatus(_ns, _name, _uid, status) {
      patches.push(status);
      current = { ...current!, status };
      return current;
    },
    async deletePod(_ns, name, uid) {
      deletes.push(`${name}/${uid}`);
      current = undefined;
    },
  };
  return { api, patches, deletes, set: (p: Pod) => (current = p) };
}

const pod: Pod = {
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-12-31T00:00:00Z' }] },
};

describe('StatusManager', () => {
  it('sends a status once; an equal status again sends nothing; a changed one sends again', async () => {
    const f = fakeApi(pod);
    const clock = new FakeClock(T0);
    const m = new StatusManager({ api: f.api, log, clock, podResourcesReclaimed: () => false });
    m.setPodStatus(pod, running());
    await m.syncBatch(false);
    expect(f.patches).toHaveLength(1);
    clock.step(5_000);
    m.setPodStatus(pod, running());
    await m.syncBatch(false);
    await m.syncBatch(true);
    expect(f.patches).toHaveLength(1);
    m.setPodStatus(pod, running(false));
    await m.syncBatch(false);
    expect(f.patches).toHaveLength(2);
    // Ready went False at the second report: its transition time moved, Initialized's did not.
    const conds = Object.fromEntries(f.patches[1].conditions!.map((c) => [c.type, c.lastTransitionTime]));
    expect(conds).toEqual({ PodScheduled: '2024-12-31T00:00:00Z', Initialized: '2025-01-01T00:00:00Z', ContainersReady: '2025-01-01T00:00:05Z', Ready: '2025-01-01T00:00:05Z' });
  });

  it('keeps the conditions other writers own (PodScheduled) and sets startTime once', async () => {
    const f = fakeApi(pod);
    const clock = new FakeClock(T0);
    const m = new StatusManager({ api: f.api, log, clock, podResourcesReclaimed: () => false });
    m.setPodStatus(pod, running(false));
    await m.syncBatch(false);
    clock.step(60_000);
    m.setPodStatus(f.api.getPod('default', 'web')!, running(true));
    await m.syncBatch(false);
    expect(f.patches.map((p) => p.startTime)).toEqual(['2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z']);
    expect(f.patches[1].conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
  });

  it('the periodic full sync rewrites a status someone else changed', async () => {
    const f = fakeApi(pod);
    const m = new StatusManager({ api: f.api, log, clock: new FakeClock(T0), podResourcesReclaimed: () => false });
    m.setPodStatus(pod, running());
    await m.syncBatch(false);
    f.set({ ...pod, status: { phase: 'Unknown' } });
    await m.syncBatch(false);
    expect(f.patches).toHaveLength(1);
    await m.syncBatch(true);
    expect(f.patches).toHaveLength(2);
    expect(f.patches[1].phase).toBe('Running');
  });

  it('never moves a terminal phase back to a running one', async () => {
    const f = fakeApi(pod);
    const m = new StatusManager({ api: f.api, log, clock: new FakeClock(T0), podResourcesReclaimed: () => false });
    m.setPodStatus(pod, { ...running(), phase: 'Succeeded' });
    m.setPodStatus(pod, running());
    await m.syncBatch(false);
    expect(f.patches.at(-1)?.phase).toBe('Succeeded');
  });

  it('deletes a pod marked for deletion only once its resources are reclaimed, with its UID', async () => {
    const deleting: Pod = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2025-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } };
    const f = fakeApi(deleting);
    let reclaimed = false;
    const m = new StatusManager({ api: f.api, log, clock: new FakeClock(T0), podResourcesReclaimed: () => reclaimed });
    m.terminatePod(deleting, running());
    await m.syncBatch(false);
    expect(f.deletes).toEqual([]);
    expect(f.patches.at(-1)?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 137, reason: 'ContainerStatusUnknown' });
    expect(f.patches.at(-1)?.phase).toBe('Failed');
    reclaimed = true;
    m.requestSync('u1');
    await m.syncBatch(false);
    expect(f.deletes).toEqual(['web/u1']);
    expect(m.getPodStatus('u1')).toBeUndefined();
  });

  it('run() sends a change without waiting for the sync period, then stops with the signal', async () => {
    const f = fakeApi(pod);
    const m = new StatusManager({ api: f.api, log, clock: new FakeClock(T0), podResourcesReclaimed: () => false });
    const ac = new AbortController();
    const loop = m.run(ac.signal);
    m.setPodStatus(pod, running());
    for (let i = 0; i < 50 && f.patches.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(f.patches).toHaveLength(1);
    ac.abort();
    await loop;
  });
});

describe('pod status rules', () => {
  it('statusEqual ignores the order of conditions and keys', () => {
    const a = running();
    const b = { ...running(), conditions: [...running().conditions!].reverse() };
    expect(statusEqual(a, b)).toBe(true);
    expect(statusEqual(a, running(false))).toBe(false);
  });

  it('nextStatus keeps a transition time while the condition holds, and never un-terminates', () => {
    const first = nextStatus(undefined, running(), T0);
    const later = nextStatus(first, running(), new Date(T0.getTime() + 1000));
    expect(later.conditions).toEqual(first.conditions);
    expect(nextStatus({ phase: 'Failed' }, running(), T0).phase).toBe('Failed');
  });

  it('mergePodStatus keeps foreign conditions and replaces the kubelet ones', () => {
    const merged = mergePodStatus(
      { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'DisruptionTarget', status: 'True' }, { type: 'Ready', status: 'True' }] },
      { conditions: [{ type: 'Ready', status: 'False' }] },
    );
    expect(merged.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['PodScheduled=True', 'DisruptionTarget=True', 'Ready=False']);
  });

  it.each([
    ['every container ready', [true], 'True'],
    ['one container not ready', [true, false], 'False'],
  ])('updateReadyConditions: %s → Ready %s', (_, readiness, expected) => {
    const base = running(true);
    base.containerStatuses = readiness.map((ready, i) => ({ ...base.containerStatuses![0], name: `c${i}`, ready }));
    const out = updateReadyConditions(base);
    expect(out.conditions?.find((c) => c.type === 'Ready')?.status).toBe(expected);
    expect(out.conditions?.find((c) => c.type === 'ContainersReady')?.status).toBe(expected);
    if (expected === 'False') expect(out.conditions?.find((c) => c.type === 'Ready')?.message).toBe('containers with unready status: [c1]');
  });

  it('terminatedStatus keeps a container that ended and its phase when every container succeeded', () => {
    const done: PodStatus = { ...running(), containerStatuses: [{ ...running().containerStatuses![0], state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
    expect(terminatedStatus(done, T0)).toMatchObject({ phase: 'Succeeded', containerStatuses: [{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  });
});
