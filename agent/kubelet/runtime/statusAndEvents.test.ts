// Pure parts around the runtime: back-off arithmetic, API status conversion, PLEG diffs.
import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { Container, PodSandbox } from '../cri/criTypes.ts';
import { apiPodStatus, podPhase } from './apiStatus.ts';
import { Backoff } from './backoff.ts';
import { hashContainer } from './labels.ts';
import { diffSnapshots, snapshot } from './pleg.ts';
import type { ContainerRuntimeStatus, RuntimePodStatus } from './types.ts';

describe('Backoff (CrashLoopBackOff arithmetic)', () => {
  it('starts at 10 s, doubles to 5 min, and forgets after 10 quiet minutes', () => {
    let now = 0;
    const b = new Backoff(10_000, 300_000, () => now);
    const key = 'pod_ns_uid_c';
    expect(b.isInBackOffSince(key, 0)).toBe(false); // first crash: restart at once
    b.next(key, 0);
    const delays: number[] = [b.get(key)];
    for (let i = 0; i < 7; i++) {
      now += 1;
      b.next(key, now);
      delays.push(b.get(key));
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    // A crash right after: in back-off for the current delay from its finish time.
    now = 400_000;
    expect(b.isInBackOffSince(key, now - 299_000)).toBe(true);
    expect(b.isInBackOffSince(key, now - 301_000)).toBe(false);
    // A container that ran for more than 2 × max before crashing starts over at 10 s.
    const finished = now + 700_000;
    now = finished;
    expect(b.isInBackOffSince(key, finished)).toBe(false);
    b.next(key, finished);
    expect(b.get(key)).toBe(10_000);
  });

  it('isInBackOffSinceUpdate counts from the last failure (image pulls)', () => {
    let now = 0;
    const b = new Backoff(10_000, 300_000, () => now);
    b.next('img', now);
    now = 9_999;
    expect(b.isInBackOffSinceUpdate('img')).toBe(true);
    now = 10_000;
    expect(b.isInBackOffSinceUpdate('img')).toBe(false);
  });
});

function pod(restartPolicy: string, containers = ['a'], init: string[] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: {
      restartPolicy,
      initContainers: init.length ? init.map((name) => ({ name, image: 'busybox' })) : undefined,
      containers: containers.map((name) => ({ name, image: 'busybox' })),
    },
  };
}

const running: ContainerStatus = { name: 'a', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } };
const succeeded: ContainerStatus = { ...running, ready: false, state: { terminated: { exitCode: 0 } } };
const failed: ContainerStatus = { ...running, ready: false, state: { terminated: { exitCode: 1 } } };
const waiting: ContainerStatus = { ...running, ready: false, state: { waiting: { reason: 'ContainerCreating' } } };
const crashLooping: ContainerStatus = { ...running, ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };

describe('podPhase', () => {
  const cases: { name: string; policy: string; init?: ContainerStatus[]; app: ContainerStatus[]; want: string }[] = [
    { name: 'a waiting container keeps the pod Pending', policy: 'Always', app: [waiting], want: 'Pending' },
    { name: 'running containers: Running', policy: 'Always', app: [running, running], want: 'Running' },
    { name: 'crash-looping under Always is still Running', policy: 'Always', app: [crashLooping], want: 'Running' },
    { name: 'all succeeded under Always: Running (they will restart)', policy: 'Always', app: [succeeded], want: 'Running' },
    { name: 'all succeeded under OnFailure: Succeeded', policy: 'OnFailure', app: [succeeded, succeeded], want: 'Succeeded' },
    { name: 'one failed under Never: Failed', policy: 'Never', app: [succeeded, failed], want: 'Failed' },
    { name: 'one failed under OnFailure: Running (it restarts)', policy: 'OnFailure', app: [succeeded, failed], want: 'Running' },
    { name: 'init container running: Pending', policy: 'Always', init: [running], app: [waiting], want: 'Pending' },
    { name: 'init container failed under Never: Failed', policy: 'Never', init: [failed], app: [waiting], want: 'Failed' },
    { name: 'init container crash-looping under Always: Pending', policy: 'Always', init: [crashLooping], app: [waiting], want: 'Pending' },
    { name: 'init done, app running: Running', policy: 'Always', init: [succeeded], app: [running], want: 'Running' },
  ];
  for (const tc of cases) it(tc.name, () => expect(podPhase(pod(tc.policy), tc.init ?? [], tc.app)).toBe(tc.want));
});

function rs(name: string, state: ContainerRuntimeStatus['state'], extra: Partial<ContainerRuntimeStatus> = {}): ContainerRuntimeStatus {
  return {
    id: `${name}-${extra.restartCount ?? 0}`,
    name,
    state,
    createdAt: new Date('2024-01-01T00:00:00Z'),
    startedAt: new Date('2024-01-01T00:00:01Z'),
    finishedAt: state === 'CONTAINER_EXITED' ? new Date('2024-01-01T00:00:02Z') : undefined,
    exitCode: 0,
    reason: state === 'CONTAINER_EXITED' ? 'Completed' : '',
    message: '',
    image: 'busybox',
    imageRef: 'sha256:1',
    restartCount: 0,
    hash: hashContainer({ name, image: 'busybox' }),
    sandboxId: 's',
    ...extra,
  };
}

describe('apiPodStatus', () => {
  const status = (containers: ContainerRuntimeStatus[]): RuntimePodStatus => ({ uid: 'u', name: 'p', namespace: 'default', ips: ['10.244.1.9'], sandboxStatuses: [], containerStatuses: containers });

  it('a restarted container shows the previous instance as lastState', () => {
    const s = apiPodStatus(pod('Always'), status([rs('a', 'CONTAINER_RUNNING', { restartCount: 1 }), rs('a', 'CONTAINER_EXITED', { exitCode: 137, reason: 'OOMKilled' })]), { failures: new Map(), hostIPs: ['192.168.56.11'] });
    expect(s.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      containerID: 'containerd://a-1',
      state: { running: { startedAt: '2024-01-01T00:00:01Z' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', containerID: 'containerd://a-0' } },
      ready: true,
    });
    expect(s).toMatchObject({ phase: 'Running', podIP: '10.244.1.9', hostIP: '192.168.56.11', qosClass: 'BestEffort' });
  });

  it('a start failure replaces the state of a container that will be started again', () => {
    const failures = new Map([['a', { reason: 'ErrImagePull', message: 'not found' }]]);
    const s = apiPodStatus(pod('Always'), status([]), { failures, hostIPs: [] });
    expect(s.containerStatuses?.[0].state).toEqual({ waiting: { reason: 'ErrImagePull', message: 'not found' } });
    expect(s.phase).toBe('Pending');
    expect(s.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Initialized', 'True', undefined],
      ['ContainersReady', 'False', 'ContainersNotReady'],
      ['Ready', 'False', 'ContainersNotReady'],
    ]);
  });

  it('app containers wait in PodInitializing while init containers run', () => {
    const s = apiPodStatus(pod('Always', ['a'], ['init']), status([rs('init', 'CONTAINER_RUNNING')]), { failures: new Map(), hostIPs: [] });
    expect(s.containerStatuses?.[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('False');
    expect(s.phase).toBe('Pending');
  });
});

describe('PLEG relist diff', () => {
  const labels = { 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'default' };
  const sb = (id: string, state: PodSandbox['state']): PodSandbox => ({ id, metadata: { name: 'p', uid: 'u1', namespace: 'default', attempt: 0 }, state, created_at: '1', labels, annotations: {}, runtime_handler: '' });
  const ct = (id: string, state: Container['state']): Container => ({ id, pod_sandbox_id: 's', metadata: { name: 'c', attempt: 0 }, image: null, image_ref: '', state, created_at: '1', labels, annotations: {} });

  it('reports starts, deaths and removals, and nothing for what did not change', () => {
    const first = snapshot([sb('s', 'SANDBOX_READY')], [ct('c1', 'CONTAINER_RUNNING'), ct('c2', 'CONTAINER_RUNNING'), ct('c3', 'CONTAINER_EXITED')]);
    // A restarted kubelet's first relist reports everything running.
    expect(diffSnapshots(new Map(), first).map((e) => `${e.type} ${e.id}`)).toEqual(['ContainerStarted s', 'ContainerStarted c1', 'ContainerStarted c2', 'ContainerDied c3']);
    const second = snapshot([sb('s', 'SANDBOX_READY')], [ct('c1', 'CONTAINER_EXITED'), ct('c3', 'CONTAINER_EXITED'), ct('c4', 'CONTAINER_CREATED')]);
    expect(diffSnapshots(first, second).map((e) => `${e.type} ${e.id}`)).toEqual(['ContainerDied c1', 'ContainerDied c2', 'ContainerRemoved c2', 'ContainerChanged c4']);
    expect(diffSnapshots(second, second)).toEqual([]);
  });

  it('ignores what the kubelet did not create', () => {
    const foreign = { ...ct('x', 'CONTAINER_RUNNING'), labels: {} };
    expect(diffSnapshots(new Map(), snapshot([], [foreign]))).toEqual([]);
  });
});
