// The probe manager end to end without containers: workers driven by a FakeClock, real HTTP
// probes on 127.0.0.1, the results the runtime and the status side read, and the change stream.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { ProbeManager } from './proberManager.ts';
import type { ResultUpdate } from './results/resultsManager.ts';
import { POD_UID, probe, ScriptedProber, T0, testPod, testStatus, until } from './testing/fixtures.ts';
import type { ProbeKind } from './types.ts';

const managers: ProbeManager[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function setup(opts: { prober?: ScriptedProber; status?: PodStatus } = {}) {
  const clock = new FakeClock(T0);
  const statuses = new Map<string, PodStatus>([[POD_UID, opts.status ?? testStatus()]]);
  const events: { reason: string; message: string }[] = [];
  const manager = new ProbeManager({
    execSync: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    recorder: { event: (_pod, _type, reason, message) => events.push({ reason, message }) },
    getPodStatus: (uid) => statuses.get(uid),
    clock,
    random: () => 0,
    prober: opts.prober,
  });
  managers.push(manager);
  const updates: { kind: ProbeKind; update: ResultUpdate }[] = [];
  manager.subscribe((kind, update) => updates.push({ kind, update }));
  return { clock, statuses, events, manager, updates };
}

/** Each worker parks on the clock between probes; wait for all of them to be parked. */
async function parked(clock: FakeClock, workers: number): Promise<void> {
  await until(() => clock.pendingTimers() === workers, `${workers} workers waiting`);
}

describe('probe manager', () => {
  it('probes every periodSeconds on the clock, and a liveness failure asks for a restart', async () => {
    let calls = 0;
    const server = http.createServer((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 200 : 500;
      res.end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;

    const { clock, manager, events, updates, statuses } = setup();
    const pod = testPod({ livenessProbe: { httpGet: { port, path: '/healthz' }, periodSeconds: 10, failureThreshold: 2 } });
    manager.addPod(pod);
    expect(manager.workerCount()).toBe(1);

    await parked(clock, 1); // the start-up spread (random 0 here)
    clock.step(0);
    await until(() => calls === 1, 'first probe');
    await parked(clock, 1);
    expect(manager.liveness.get('c1')).toBe('Success');
    expect(manager.probeResults().livenessFailed('c1')).toBe(false);

    clock.step(10_000);
    await until(() => calls === 2, 'second probe');
    await parked(clock, 1);
    expect(manager.liveness.get('c1')).toBe('Success'); // one failure of two

    clock.step(10_000);
    await until(() => calls === 3, 'third probe');
    await until(() => manager.liveness.get('c1') === 'Failure', 'liveness failure');
    expect(manager.probeResults().livenessFailed('c1')).toBe(true);
    expect(updates.map((u) => [u.kind, u.update])).toEqual([
      ['liveness', { containerId: 'c1', result: 'Success', podUid: POD_UID }],
      ['liveness', { containerId: 'c1', result: 'Failure', podUid: POD_UID }],
    ]);
    expect(events).toEqual([
      { reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500' },
      { reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500' },
    ]);

    // On hold: the container is being restarted, so no further probes of c1.
    await parked(clock, 1);
    clock.step(10_000);
    await parked(clock, 1);
    expect(calls).toBe(3);

    // The runtime restarted it: a new container id starts over as alive and is probed again.
    statuses.set(POD_UID, testStatus('c2'));
    clock.step(10_000);
    await until(() => calls === 4, 'probe of the new container');
    expect(manager.liveness.get('c1')).toBeUndefined();
    expect(manager.liveness.get('c2')).toBe('Success');
    expect(manager.probeResults().livenessFailed('c2')).toBe(false);
  });

  it('startup gates readiness; updatePodStatus sets started and ready from the results', async () => {
    const prober = new ScriptedProber(['Success']);
    const { clock, manager } = setup({ prober });
    const pod = testPod({ startupProbe: probe({ periodSeconds: 5 }), readinessProbe: probe({ periodSeconds: 5 }) });
    const statusNow = () => {
      const s = testStatus();
      manager.updatePodStatus(POD_UID, s);
      return { started: s.containerStatuses![0].started, ready: s.containerStatuses![0].ready };
    };
    // Before any worker ran: not started (a startup probe exists), not ready.
    manager.addPod(pod);
    expect(statusNow()).toEqual({ started: false, ready: false });

    await parked(clock, 2);
    clock.step(0);
    // Only the startup probe ran; readiness waits for it. Its success marks the container started.
    await until(() => manager.startup.get('c1') === 'Success', 'startup success');
    await parked(clock, 2);
    expect(prober.count('readiness')).toBe(0);
    expect(statusNow()).toEqual({ started: true, ready: false });

    // updatePodStatus asked the readiness worker for a probe right away, no need to wait 5 s.
    await until(() => manager.readiness.get('c1') === 'Success', 'readiness success');
    expect(statusNow()).toEqual({ started: true, ready: true });
    expect(prober.count('startup')).toBe(1);
  });

  it('a container without probes is started and ready while it runs; init containers are ready when they exited 0', () => {
    const { manager } = setup();
    manager.addPod(testPod({}));
    const s: PodStatus = {
      ...testStatus(),
      initContainerStatuses: [
        { name: 'init-ok', image: 'busybox', imageID: '', restartCount: 0, ready: false, state: { terminated: { exitCode: 0 } } },
        { name: 'init-bad', image: 'busybox', imageID: '', restartCount: 0, ready: true, state: { terminated: { exitCode: 1 } } },
      ],
    };
    manager.updatePodStatus(POD_UID, s);
    expect(s.containerStatuses![0]).toMatchObject({ started: true, ready: true });
    expect(s.initContainerStatuses!.map((c) => c.ready)).toEqual([true, false]);
    expect(manager.containerReady(POD_UID, 'app', 'c1')).toBe(true);

    const exited = testStatus('c1', 'exited');
    manager.updatePodStatus(POD_UID, exited);
    expect(exited.containerStatuses![0]).toMatchObject({ started: false, ready: false });
  });

  it('one worker per (pod, container, kind): addPod twice adds none, removePod stops them and clears results', async () => {
    const prober = new ScriptedProber(['Success']);
    const { clock, manager } = setup({ prober });
    const pod: Pod = testPod({ readinessProbe: probe(), livenessProbe: probe() });
    manager.addPod(pod);
    manager.addPod(pod);
    expect(manager.workerCount()).toBe(2);
    await parked(clock, 2);
    clock.step(0);
    await until(() => manager.readiness.get('c1') === 'Success', 'readiness success');

    manager.removePod(pod);
    await until(() => manager.workerCount() === 0, 'workers exit');
    expect(manager.readiness.get('c1')).toBeUndefined();
    expect(manager.liveness.get('c1')).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('termination stops liveness and startup but keeps readiness', async () => {
    const { clock, manager } = setup({ prober: new ScriptedProber(['Success']) });
    const pod = testPod({ readinessProbe: probe(), livenessProbe: probe(), startupProbe: probe() });
    manager.addPod(pod);
    await parked(clock, 3);
    manager.stopLivenessAndStartup(pod);
    await until(() => manager.workerCount() === 1, 'liveness and startup exit');
    expect(manager.hasWorker(POD_UID, 'app', 'readiness')).toBe(true);

    manager.cleanupPods(new Set());
    await until(() => manager.workerCount() === 0, 'readiness exits');
  });

  it('the results stream yields changes to a for-await loop', async () => {
    const { manager } = setup();
    const ac = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const u of manager.readiness.updates(ac.signal)) {
        seen.push(`${u.containerId}=${u.result}`);
        if (seen.length === 2) ac.abort();
      }
    })();
    manager.readiness.set('c1', 'Failure', POD_UID);
    manager.readiness.set('c1', 'Failure', POD_UID); // unchanged: no update
    manager.readiness.set('c1', 'Success', POD_UID);
    await loop;
    expect(seen).toEqual(['c1=Failure', 'c1=Success']);
  });
});
