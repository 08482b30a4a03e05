// Readiness across a kubelet restart, and `started` from the startup probe: the pure pieces the
// status path uses (keepReadinessUntilFirstProbe, apiPodStatus's started/ready inputs).
import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { keepReadinessUntilFirstProbe } from './kubelet.ts';
import { apiPodStatus } from './runtime/apiStatus.ts';
import type { RuntimePodStatus } from './runtime/types.ts';

const ID = 'containerd://aaa';

function running(over: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'main', image: 'busybox', imageID: '', containerID: ID, restartCount: 0, ready: false, started: true, state: { running: {} }, ...over };
}

describe('keepReadinessUntilFirstProbe', () => {
  const cases: { name: string; now: ContainerStatus; before?: ContainerStatus; probed: boolean; ready: boolean }[] = [
    { name: 'an adopted container that was ready stays ready until its first probe', now: running(), before: running({ ready: true }), probed: false, ready: true },
    { name: 'once the probe has a result, the result decides', now: running(), before: running({ ready: true }), probed: true, ready: false },
    { name: 'a new container (another id) starts unready', now: running(), before: running({ ready: true, containerID: 'containerd://old' }), probed: false, ready: false },
    { name: 'a container that was not ready stays unready', now: running(), before: running({ ready: false }), probed: false, ready: false },
    { name: 'a container not started (startup probe pending) is not made ready', now: running({ started: false }), before: running({ ready: true }), probed: false, ready: false },
    { name: 'an exited container is not made ready', now: running({ state: { terminated: { exitCode: 0 } } }), before: running({ ready: true }), probed: false, ready: false },
    { name: 'without a previous status nothing is kept', now: running(), probed: false, ready: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status: PodStatus = { containerStatuses: [c.now] };
      const previous: PodStatus | undefined = c.before && { containerStatuses: [c.before] };
      keepReadinessUntilFirstProbe(status, previous, () => c.probed);
      expect(status.containerStatuses![0].ready).toBe(c.ready);
    });
  }
});

describe('apiPodStatus started/ready from the prober', () => {
  const pod: Pod = { metadata: { uid: 'u', name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } };
  const runtime: RuntimePodStatus = {
    uid: 'u',
    name: 'p',
    namespace: 'default',
    ips: ['10.244.0.5'],
    sandboxStatuses: [],
    containerStatuses: [
      { id: 'aaa', name: 'main', state: 'CONTAINER_RUNNING', createdAt: new Date(0), image: 'busybox', imageRef: 'sha256:1', restartCount: 0, exitCode: 0, reason: '', message: '', hash: '', sandboxId: 's' },
    ],
  };

  it('a running container whose startup probe has not succeeded is neither started nor ready', () => {
    const s = apiPodStatus(pod, runtime, { failures: new Map(), hostIPs: [], started: () => false, ready: () => true });
    expect(s.containerStatuses![0]).toMatchObject({ started: false, ready: false, state: { running: {} } });
  });

  it('without a prober, running means started and ready', () => {
    const s = apiPodStatus(pod, runtime, { failures: new Map(), hostIPs: [] });
    expect(s.containerStatuses![0]).toMatchObject({ started: true, ready: true });
  });
});
