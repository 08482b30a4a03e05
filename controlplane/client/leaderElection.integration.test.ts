// Two candidates for one Lease against a real API server: one leads; when it stops renewing the
// other takes over, and the Lease records the transition.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../test/support/controlPlane.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { runLeaderElection } from './leaderElection.ts';
import { createClient, type ClosableClient } from './resourceClient.ts';

const silent = pino({ level: 'silent' });
// Short but valid timings: lease > renew deadline > 1.2 × retry period.
const TIMINGS = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };
let cp: ControlPlane;
let client: ClosableClient;

beforeAll(async () => {
  cp = await startControlPlane();
  client = createClient(loadKubeconfig(cp.kubeconfig));
});
afterAll(async () => {
  client?.close();
  await cp?.stop();
});

async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 800 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`${what} not reached`);
}

function candidate(name: string, identity: string, releaseOnCancel = false) {
  const state = { leading: false, led: false, stopped: false, leadingSignal: undefined as AbortSignal | undefined, newLeader: undefined as string | undefined };
  const stop = new AbortController();
  const done = runLeaderElection({
    client,
    namespace: 'kube-system',
    name,
    identity,
    ...TIMINGS,
    releaseOnCancel,
    logger: silent,
    signal: stop.signal,
    onStartedLeading(signal) {
      state.leading = state.led = true;
      state.leadingSignal = signal;
    },
    onNewLeader(holder) {
      state.newLeader = holder;
    },
    onStoppedLeading() {
      state.leading = false;
      state.stopped = true;
    },
  });
  return { state, stop, done };
}

describe('leader election', () => {
  it('elects exactly one leader; the other takes over once the leader stops renewing', async () => {
    const a = candidate('ctrl', 'a');
    await until(() => a.state.leading, 'a leads');
    const bStarted = Date.now();
    const b = candidate('ctrl', 'b');
    await until(() => b.state.newLeader === 'a', 'b sees a as leader');
    // Let a renew past the point where b would have taken an unrenewed lease: b must still follow.
    const leases = client.r('coordination.k8s.io/v1', 'leases', 'kube-system');
    let lease = await leases.get('ctrl');
    for (let i = 0; i < 200 && Date.parse(lease.spec.renewTime) < bStarted + TIMINGS.leaseDurationMs + TIMINGS.retryPeriodMs * 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lease = await leases.get('ctrl');
    }
    expect(Date.parse(lease.spec.renewTime)).toBeGreaterThan(bStarted + TIMINGS.leaseDurationMs);
    expect(b.state.led).toBe(false);
    expect(lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(Date.parse(lease.spec.renewTime)).toBeGreaterThanOrEqual(Date.parse(lease.spec.acquireTime));

    a.stop.abort(); // a stops renewing (and does not release)
    await a.done;
    expect(a.state).toMatchObject({ leading: false, stopped: true });
    expect(a.state.leadingSignal?.aborted).toBe(true);
    await until(() => b.state.leading, 'b takes over');
    const after = await client.r('coordination.k8s.io/v1', 'leases', 'kube-system').get('ctrl');
    expect(after.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.stop.abort();
    await b.done;
  });

  it('releaseOnCancel hands the lease over without waiting for it to expire', async () => {
    const a = candidate('released', 'a', true);
    await until(() => a.state.leading, 'a leads');
    a.stop.abort();
    await a.done;
    const lease = await client.r('coordination.k8s.io/v1', 'leases', 'kube-system').get('released');
    expect(lease.spec.holderIdentity).toBe('');
    const b = candidate('released', 'b');
    await until(() => b.state.leading, 'b leads');
    b.stop.abort();
    await b.done;
  });
});
