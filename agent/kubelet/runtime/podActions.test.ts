// Table tests for computePodActions, after upstream kuberuntime_manager_test.go TestComputePodActions
// and TestComputePodActionsWithInitContainers.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerState, PodSandboxStatus } from '../cri/criTypes.ts';
import { hashContainer } from './labels.ts';
import { computePodActions, type PodActions, type ProbeResults } from './podActions.ts';
import type { ContainerRuntimeStatus, RuntimePodStatus } from './types.ts';

function makePod(opts: { restartPolicy?: string; init?: boolean; hostNetwork?: boolean; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name: 'foo', namespace: 'default', uid: 'uid-1', ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      hostNetwork: opts.hostNetwork,
      initContainers: opts.init
        ? [
            { name: 'init1', image: 'busybox' },
            { name: 'init2', image: 'busybox' },
          ]
        : undefined,
      containers: [
        { name: 'foo1', image: 'busybox' },
        { name: 'foo2', image: 'busybox' },
        { name: 'foo3', image: 'busybox' },
      ],
    },
  };
}

function sandbox(state: PodSandboxStatus['state'] = 'SANDBOX_READY', attempt = 0, opts: { ip?: string; network?: 'POD' | 'NODE'; id?: string } = {}): PodSandboxStatus {
  return {
    id: opts.id ?? `sandbox-${attempt}`,
    metadata: { name: 'foo', namespace: 'default', uid: 'uid-1', attempt },
    state,
    created_at: String(1000 + attempt),
    network: { ip: opts.ip ?? '10.244.1.2', additional_ips: [] },
    linux: { namespaces: { options: { network: opts.network ?? 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    labels: {},
    annotations: {},
  };
}

function cs(pod: Pod, name: string, state: ContainerState, opts: { exitCode?: number; reason?: string; id?: string; hash?: string; attempt?: number } = {}): ContainerRuntimeStatus {
  const spec = [...(pod.spec!.initContainers ?? []), ...pod.spec!.containers].find((c) => c.name === name)!;
  return {
    id: opts.id ?? `id-${name}`,
    name,
    state,
    createdAt: new Date(0),
    exitCode: opts.exitCode ?? 0,
    reason: opts.reason ?? (state === 'CONTAINER_EXITED' ? ((opts.exitCode ?? 0) === 0 ? 'Completed' : 'Error') : ''),
    message: '',
    image: 'busybox',
    imageRef: 'sha256:1',
    restartCount: opts.attempt ?? 0,
    hash: opts.hash ?? hashContainer(spec),
    sandboxId: 'sandbox-0',
  };
}

function runningStatus(pod: Pod, containers: ContainerRuntimeStatus[] = pod.spec!.containers.map((c) => cs(pod, c.name, 'CONTAINER_RUNNING'))): RuntimePodStatus {
  return { uid: 'uid-1', name: 'foo', namespace: 'default', ips: ['10.244.1.2'], sandboxStatuses: [sandbox()], containerStatuses: containers };
}

function expected(partial: Partial<PodActions>): PodActions {
  return { killPod: false, createSandbox: false, sandboxId: 'sandbox-0', attempt: 0, containersToStart: [], containersToKill: [], ...partial };
}

const killIds = (a: PodActions) => a.containersToKill.map((k) => k.id).sort();

describe('computePodActions', () => {
  const cases: { name: string; pod?: Pod; status: (pod: Pod) => RuntimePodStatus | undefined; want: Partial<PodActions>; kill?: string[]; probes?: ProbeResults }[] = [
    {
      name: 'a pod never seen before gets a sandbox and all its containers',
      status: () => undefined,
      want: { killPod: true, createSandbox: true, sandboxId: '', attempt: 0, containersToStart: [0, 1, 2] },
    },
    {
      name: 'everything running: nothing to do',
      status: (pod) => runningStatus(pod),
      want: {},
    },
    {
      name: 'a sandbox not ready means a new sandbox with attempt + 1, killing the old pod',
      status: (pod) => ({ ...runningStatus(pod), sandboxStatuses: [sandbox('SANDBOX_NOTREADY', 0)] }),
      want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 1, 2] },
    },
    {
      name: 'two ready sandboxes: start over with a new one',
      status: (pod) => ({ ...runningStatus(pod), sandboxStatuses: [sandbox('SANDBOX_READY', 1, { id: 'sandbox-1' }), sandbox('SANDBOX_READY', 0)] }),
      want: { killPod: true, createSandbox: true, sandboxId: 'sandbox-1', attempt: 2, containersToStart: [0, 1, 2] },
    },
    {
      name: 'a sandbox without an IP is re-created',
      status: (pod) => ({ ...runningStatus(pod), sandboxStatuses: [sandbox('SANDBOX_READY', 0, { ip: '' })] }),
      want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 1, 2] },
    },
    {
      name: 'a host-network pod needs no IP on its sandbox',
      pod: makePod({ hostNetwork: true }),
      status: (pod) => ({ ...runningStatus(pod), sandboxStatuses: [sandbox('SANDBOX_READY', 0, { ip: '', network: 'NODE' })] }),
      want: {},
    },
    {
      name: 'a changed network mode re-creates the sandbox and forgets its id',
      pod: makePod({ hostNetwork: true }),
      status: (pod) => runningStatus(pod),
      want: { killPod: true, createSandbox: true, sandboxId: '', attempt: 1, containersToStart: [0, 1, 2] },
    },
    {
      name: 'restartPolicy Always restarts an exited container, whatever its exit code',
      status: (pod) => runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_RUNNING'), cs(pod, 'foo2', 'CONTAINER_EXITED'), cs(pod, 'foo3', 'CONTAINER_EXITED', { exitCode: 1 })]),
      want: { containersToStart: [1, 2] },
    },
    {
      name: 'restartPolicy OnFailure restarts only the failed container',
      pod: makePod({ restartPolicy: 'OnFailure' }),
      status: (pod) => runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_RUNNING'), cs(pod, 'foo2', 'CONTAINER_EXITED'), cs(pod, 'foo3', 'CONTAINER_EXITED', { exitCode: 1 })]),
      want: { containersToStart: [2] },
    },
    {
      name: 'restartPolicy Never restarts nothing',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_RUNNING'), cs(pod, 'foo2', 'CONTAINER_EXITED'), cs(pod, 'foo3', 'CONTAINER_EXITED', { exitCode: 1 })]),
      want: {},
    },
    {
      name: 'restartPolicy Never with every container exited kills the pod',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => runningStatus(pod, pod.spec!.containers.map((c) => cs(pod, c.name, 'CONTAINER_EXITED'))),
      want: { killPod: true },
    },
    {
      name: 'restartPolicy OnFailure with every container succeeded kills the pod',
      pod: makePod({ restartPolicy: 'OnFailure' }),
      status: (pod) => runningStatus(pod, pod.spec!.containers.map((c) => cs(pod, c.name, 'CONTAINER_EXITED'))),
      want: { killPod: true },
    },
    {
      name: 'a dead sandbox of a finished Never pod is not re-created',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => ({ ...runningStatus(pod, pod.spec!.containers.map((c) => cs(pod, c.name, 'CONTAINER_EXITED'))), sandboxStatuses: [sandbox('SANDBOX_NOTREADY', 0)] }),
      want: { killPod: true, createSandbox: false, attempt: 1 },
    },
    {
      name: 'a Never pod whose sandbox died before any container ran gets a new sandbox',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => ({ ...runningStatus(pod, []), sandboxStatuses: [sandbox('SANDBOX_NOTREADY', 0)] }),
      want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 1, 2] },
    },
    {
      name: 'an OnFailure pod re-creating its sandbox skips the containers that succeeded',
      pod: makePod({ restartPolicy: 'OnFailure' }),
      status: (pod) => ({
        ...runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_EXITED'), cs(pod, 'foo2', 'CONTAINER_EXITED', { exitCode: 2 }), cs(pod, 'foo3', 'CONTAINER_RUNNING')]),
        sandboxStatuses: [sandbox('SANDBOX_NOTREADY', 0)],
      }),
      want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [1, 2] },
    },
    {
      name: 'a container whose image changed is killed and restarted, even under restartPolicy Never',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_RUNNING', { hash: 'old' }), cs(pod, 'foo2', 'CONTAINER_RUNNING'), cs(pod, 'foo3', 'CONTAINER_RUNNING')]),
      want: { containersToStart: [0] },
      kill: ['id-foo1'],
    },
    {
      name: 'a failed liveness probe kills and restarts under Always',
      status: (pod) => runningStatus(pod),
      probes: { livenessFailed: (id) => id === 'id-foo2', startupFailed: () => false },
      want: { containersToStart: [1] },
      kill: ['id-foo2'],
    },
    {
      name: 'a failed liveness probe under Never kills without restart',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => runningStatus(pod),
      probes: { livenessFailed: (id) => id === 'id-foo2', startupFailed: () => false },
      want: {},
      kill: ['id-foo2'],
    },
    {
      name: 'a failed startup probe kills and restarts',
      status: (pod) => runningStatus(pod),
      probes: { livenessFailed: () => false, startupFailed: (id) => id === 'id-foo3' },
      want: { containersToStart: [2] },
      kill: ['id-foo3'],
    },
    {
      name: 'a container in unknown state is killed before it is started again',
      status: (pod) => runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_UNKNOWN'), cs(pod, 'foo2', 'CONTAINER_RUNNING'), cs(pod, 'foo3', 'CONTAINER_RUNNING')]),
      want: { containersToStart: [0] },
      kill: ['id-foo1'],
    },
    {
      name: 'a created-but-not-started container is started, even under Never',
      pod: makePod({ restartPolicy: 'Never' }),
      status: (pod) => runningStatus(pod, [cs(pod, 'foo1', 'CONTAINER_CREATED'), cs(pod, 'foo2', 'CONTAINER_RUNNING'), cs(pod, 'foo3', 'CONTAINER_RUNNING')]),
      want: { containersToStart: [0] },
    },
    {
      name: 'a pod being deleted restarts nothing and is killed once nothing runs',
      pod: makePod({ deleting: true }),
      status: (pod) => runningStatus(pod, pod.spec!.containers.map((c) => cs(pod, c.name, 'CONTAINER_EXITED', { exitCode: 1 }))),
      want: { killPod: true },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const pod = tc.pod ?? makePod();
      const actions = computePodActions(pod, tc.status(pod), tc.probes);
      expect({ ...actions, containersToKill: [] }).toEqual(expected(tc.want));
      expect(killIds(actions)).toEqual(tc.kill ?? []);
    });
  }
});

describe('computePodActions with init containers', () => {
  const initPod = (restartPolicy = 'Always') => makePod({ init: true, restartPolicy });
  const cases: { name: string; restartPolicy?: string; status: (pod: Pod) => RuntimePodStatus | undefined; want: Partial<PodActions>; kill?: string[] }[] = [
    {
      name: 'a new pod starts with the first init container only',
      status: () => undefined,
      want: { killPod: true, createSandbox: true, sandboxId: '', nextInitContainerToStart: 0 },
    },
    {
      name: 'an init container still running: wait',
      status: (pod) => runningStatus(pod, [cs(pod, 'init1', 'CONTAINER_RUNNING')]),
      want: {},
    },
    {
      name: 'the first init container succeeded: start the second',
      status: (pod) => runningStatus(pod, [cs(pod, 'init1', 'CONTAINER_EXITED')]),
      want: { nextInitContainerToStart: 1 },
    },
    {
      name: 'all init containers succeeded: start the app containers',
      status: (pod) => runningStatus(pod, [cs(pod, 'init2', 'CONTAINER_EXITED'), cs(pod, 'init1', 'CONTAINER_EXITED')]),
      want: { containersToStart: [0, 1, 2] },
    },
    {
      name: 'a failed init container is run again under Always',
      status: (pod) => runningStatus(pod, [cs(pod, 'init2', 'CONTAINER_EXITED', { exitCode: 1 }), cs(pod, 'init1', 'CONTAINER_EXITED')]),
      want: { nextInitContainerToStart: 1 },
    },
    {
      name: 'a failed init container is run again under OnFailure',
      restartPolicy: 'OnFailure',
      status: (pod) => runningStatus(pod, [cs(pod, 'init1', 'CONTAINER_EXITED', { exitCode: 1 })]),
      want: { nextInitContainerToStart: 0 },
    },
    {
      name: 'a failed init container under Never kills the pod',
      restartPolicy: 'Never',
      status: (pod) => runningStatus(pod, [cs(pod, 'init1', 'CONTAINER_EXITED', { exitCode: 1 })]),
      want: { killPod: true },
    },
    {
      name: 'an OOM-killed init container counts as failed even with exit code 0',
      restartPolicy: 'Never',
      status: (pod) => runningStatus(pod, [cs(pod, 'init1', 'CONTAINER_EXITED', { exitCode: 0, reason: 'OOMKilled' })]),
      want: { killPod: true },
    },
    {
      name: 'an init container in unknown state is killed and run again',
      status: (pod) => runningStatus(pod, [cs(pod, 'init1', 'CONTAINER_UNKNOWN')]),
      want: { nextInitContainerToStart: 0 },
      kill: ['id-init1'],
    },
    {
      name: 'a running app container means initialization is done, even with init containers removed',
      status: (pod) => runningStatus(pod),
      want: {},
    },
    {
      name: 'a new sandbox runs the init containers again from the first',
      status: (pod) => ({ ...runningStatus(pod), sandboxStatuses: [sandbox('SANDBOX_NOTREADY', 0)] }),
      want: { killPod: true, createSandbox: true, attempt: 1, nextInitContainerToStart: 0 },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const pod = initPod(tc.restartPolicy);
      const actions = computePodActions(pod, tc.status(pod));
      expect({ ...actions, containersToKill: [] }).toEqual(expected(tc.want));
      expect(killIds(actions)).toEqual(tc.kill ?? []);
    });
  }
});
