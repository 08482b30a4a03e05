// The runtime manager against a real containerd (root only): its own network namespace and
// containerd (testing/criTestNode.ts), the pause and busybox images built on this machine.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Pod, Service } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../../lab/processes.ts';
import { BasicVolumeManager, emptyDirPath } from './basicVolumes.ts';
import { CriError } from '../cri/criClient.ts';
import { GenericPleg } from './pleg.ts';
import { KubeRuntimeManager } from './runtimeManager.ts';
import { parseResolvConf } from './sandboxConfig.ts';
import { BUSYBOX_IMAGE, startCriTestNode, type CriTestNode } from './testing/criTestNode.ts';
import type { ObjectLookup, PodEventRecorder, RuntimePodStatus } from './types.ts';

const isRoot = process.getuid?.() === 0;

interface RecordedEvent {
  pod: string;
  type: string;
  reason: string;
  message: string;
}

const configMaps: Record<string, ConfigMap> = { 'default/app-conf': { metadata: { name: 'app-conf' }, data: { MODE: 'lab' } } };
const services: Service[] = [{ metadata: { name: 'nginx', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } }];
const lookup: ObjectLookup = {
  getConfigMap: async (ns, name) => configMaps[`${ns}/${name}`],
  getSecret: async () => undefined,
  listServices: async (ns) => services.filter((s) => s.metadata?.namespace === ns),
};

let uidCounter = 0;
function busyboxPod(name: string, spec: Partial<NonNullable<Pod['spec']>> & { command?: string[] }): Pod {
  const { command, ...rest } = spec;
  return {
    metadata: { name, namespace: 'default', uid: `krt-${process.pid}-${++uidCounter}` },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: command ?? ['sleep', '3600'] }],
      ...rest,
    },
  };
}

describe.skipIf(!isRoot)('KubeRuntimeManager on containerd', () => {
  let node: CriTestNode;
  let events: RecordedEvent[];
  let now: number | undefined;
  const recorder: PodEventRecorder = {
    event: (pod, type, reason, message) => events.push({ pod: pod.metadata?.name ?? '', type, reason, message }),
  };
  const managers: KubeRuntimeManager[] = [];

  function newManager(): KubeRuntimeManager {
    const kubeletRoot = path.join(node.dir, 'kubelet');
    mkdirSync(kubeletRoot, { recursive: true });
    const m = new KubeRuntimeManager({
      cri: node.cri,
      volumes: new BasicVolumeManager(kubeletRoot),
      recorder,
      hostIPs: ['192.168.56.200'],
      kubeletRoot,
      podLogsRoot: path.join(node.dir, 'pod-logs'),
      cgroupRoot: node.cgroupRoot,
      clusterDNS: ['10.96.0.10'],
      resolvConf: parseResolvConf('nameserver 192.168.56.1\n'),
      nodeAllocatable: { cpu: 2, memory: 2 * 1024 ** 3 },
      memoryCapacity: 2 * 1024 ** 3,
      // Real time unless a test pins it (back-off decisions without sleeping).
      clock: () => now ?? Date.now(),
    });
    managers.push(m);
    return m;
  }

  async function waitForContainer(m: KubeRuntimeManager, pod: Pod, state: string, attempt = 0): Promise<RuntimePodStatus> {
    return waitFor(`${pod.metadata?.name} main attempt ${attempt} ${state}`, async () => {
      const s = await m.getPodStatus(pod.metadata!.uid!);
      const c = s?.containerStatuses.find((x) => x.name === 'main' && x.restartCount === attempt);
      return c?.state === state ? s : undefined;
    }, { attempts: 600 });
  }

  beforeAll(async () => {
    node = await startCriTestNode('krt');
  }, 600_000);

  afterAll(async () => {
    await node?.stop();
  }, 120_000);

  it('runs a pod to Running with env, volumes and a pod IP; a second manager adopts it; killPod removes it', async () => {
    events = [];
    const hostDir = path.join(node.dir, 'host-data');
    const pod = busyboxPod('web', {
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'host', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } },
      ],
      containers: [
        {
          name: 'main',
          image: BUSYBOX_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', 'echo "$MODE $POD_NAME $NGINX_SERVICE_HOST" > /scratch/env; echo hi > /host/hello; exec sleep 3600'],
          env: [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-conf', key: 'MODE' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          volumeMounts: [
            { name: 'scratch', mountPath: '/scratch' },
            { name: 'host', mountPath: '/host' },
          ],
        },
      ],
    });
    const m = newManager();
    const first = await m.syncPod(pod, lookup);
    expect(first.started).toEqual(['main']);
    expect(first.error).toBeUndefined();
    expect(first.failures.size).toBe(0);
    const status = await waitForContainer(m, pod, 'CONTAINER_RUNNING');

    const api = m.apiPodStatus(pod, status);
    expect(api.phase).toBe('Running');
    expect(api.podIP).toMatch(/^10\.244\.250\./);
    expect(api.containerStatuses?.[0]).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(api.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(events.map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);

    const envFile = path.join(emptyDirPath(path.join(node.dir, 'kubelet'), pod.metadata!.uid!, 'scratch'), 'env');
    await waitFor('the container to write its environment', () => existsSync(envFile) && readFileSync(envFile, 'utf8').includes('\n'));
    expect(readFileSync(envFile, 'utf8')).toBe('lab web 10.96.0.20\n');
    expect(readFileSync(path.join(hostDir, 'hello'), 'utf8')).toBe('hi\n');
    const sandbox = status.sandboxStatuses[0];
    expect(sandbox.labels).toMatchObject({ 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.uid': pod.metadata!.uid });

    // The relist sees the pod's sandbox and container start.
    const pleg = new GenericPleg(node.cri, () => {});
    const plegEvents = await pleg.relist();
    expect(plegEvents.filter((e) => e.podUid === pod.metadata!.uid).map((e) => e.type)).toEqual(['ContainerStarted', 'ContainerStarted']);
    expect(await pleg.relist()).toEqual([]);

    // Level-triggered: syncing again changes nothing.
    const again = await m.syncPod(pod, lookup);
    expect(again.started).toEqual([]);

    // A restarted kubelet (a new manager, nothing in memory) finds the pod and keeps it as it is.
    const restarted = newManager();
    expect((await restarted.listPods()).map((p) => p.uid)).toContain(pod.metadata!.uid);
    const adopted = await restarted.syncPod(pod, lookup);
    expect(adopted).toMatchObject({ started: [], killed: [] });
    const after = await restarted.getPodStatus(pod.metadata!.uid!);
    expect(after?.containerStatuses.map((c) => c.id)).toEqual(status.containerStatuses.map((c) => c.id));
    expect(after?.sandboxStatuses.map((s) => s.id)).toEqual([sandbox.id]);

    events = [];
    await restarted.killPod(pod);
    expect(events.map((e) => e.reason)).toEqual(['Killing']);
    expect(await restarted.getPodStatus(pod.metadata!.uid!)).toBeUndefined();
    await restarted.removePod(pod.metadata!.uid!);
    expect(existsSync(path.dirname(envFile))).toBe(false);
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('the CRI client maps runtime errors: unknown ids read as undefined, deletes are idempotent, others throw typed', async () => {
    expect(await node.cri.containerStatus('0'.repeat(64))).toBeUndefined();
    expect(await node.cri.podSandboxStatus('0'.repeat(64))).toBeUndefined();
    await node.cri.removeContainer('0'.repeat(64));
    await node.cri.stopPodSandbox('0'.repeat(64));
    expect(await node.cri.imageStatus({ image: 'docker.io/library/absent:1' })).toBeUndefined();
    const err = await node.cri.startContainer('0'.repeat(64)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect((err as CriError).code).toBe('NotFound');
    expect((await node.cri.version()).runtime_name).toBe('containerd');
  });

  it('restarts an exiting container under Always with CrashLoopBackOff 10 s, then 20 s', async () => {
    events = [];
    const pod = busyboxPod('crasher', { command: ['sh', '-c', 'exit 3'] });
    const m = newManager();
    await m.syncPod(pod, lookup);
    let status = await waitForContainer(m, pod, 'CONTAINER_EXITED', 0);
    expect(m.apiPodStatus(pod, status).containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });

    // First exit: restarted at once (no back-off yet).
    expect((await m.syncPod(pod, lookup)).started).toEqual(['main']);
    status = await waitForContainer(m, pod, 'CONTAINER_EXITED', 1);
    const finished = status.containerStatuses[0].finishedAt!.getTime();

    // Second exit, 1 s later by the clock: in back-off for 10 s.
    now = finished + 1_000;
    const backingOff = await m.syncPod(pod, lookup);
    expect(backingOff.started).toEqual([]);
    expect(backingOff.failures.get('main')).toMatchObject({ reason: 'CrashLoopBackOff', message: expect.stringContaining('back-off 10s') });
    expect(backingOff.requeueAfterMs).toBe(9_000);
    const api = m.apiPodStatus(pod, status);
    expect(api.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 3, reason: 'Error' } },
    });
    expect(events.some((e) => e.reason === 'BackOff' && e.type === 'Warning')).toBe(true);

    // After the 10 s: started again, and the next back-off is 20 s.
    now = finished + 11_000;
    expect((await m.syncPod(pod, lookup)).started).toEqual(['main']);
    status = await waitForContainer(m, pod, 'CONTAINER_EXITED', 2);
    now = status.containerStatuses[0].finishedAt!.getTime() + 1_000;
    expect((await m.syncPod(pod, lookup)).failures.get('main')?.message).toContain('back-off 20s');
    // Only the newest dead instance per container is kept.
    const instances = (await m.getPodStatus(pod.metadata!.uid!))!.containerStatuses.filter((c) => c.name === 'main');
    expect(instances.length).toBeLessThanOrEqual(2);
    now = undefined;
    await m.killPod(pod);
    await m.removePod(pod.metadata!.uid!);
  });

  it('restartPolicy OnFailure: a container that succeeds is Completed, the pod Succeeded and its sandbox stopped', async () => {
    const pod = busyboxPod('job', { restartPolicy: 'OnFailure', command: ['sh', '-c', 'echo done'] });
    const m = newManager();
    await m.syncPod(pod, lookup);
    const status = await waitForContainer(m, pod, 'CONTAINER_EXITED');
    const api = m.apiPodStatus(pod, status);
    expect(api.phase).toBe('Succeeded');
    expect(api.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    // Nothing to restart: the next sync stops the sandbox.
    const res = await m.syncPod(pod, lookup);
    expect(res.started).toEqual([]);
    const after = await m.getPodStatus(pod.metadata!.uid!);
    expect(after?.sandboxStatuses[0].state).toBe('SANDBOX_NOTREADY');
    const log = readFileSync(path.join(node.dir, 'pod-logs', `default_job_${pod.metadata!.uid}`, 'main', '0.log'), 'utf8');
    expect(log).toMatch(/stdout F done/);
    await m.removePod(pod.metadata!.uid!);
  });

  it('runs init containers in order before the app container', async () => {
    const pod = busyboxPod('with-init', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        { name: 'one', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo one >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        { name: 'two', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo two >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
      ],
    });
    pod.spec!.containers[0].volumeMounts = [{ name: 'work', mountPath: '/work' }];
    pod.spec!.containers[0].command = ['sh', '-c', 'echo main >> /work/order; exec sleep 3600'];
    const m = newManager();
    const synced: string[] = [];
    // Level-triggered: sync until the app container runs, as a pod worker would on each PLEG event.
    await waitFor('the app container to start', async () => {
      const res = await m.syncPod(pod, lookup);
      synced.push(...res.started);
      const s = await m.getPodStatus(pod.metadata!.uid!);
      return s?.containerStatuses.find((c) => c.name === 'main')?.state === 'CONTAINER_RUNNING';
    }, { attempts: 200, intervalMs: 100 });
    expect(synced).toEqual(['one', 'two', 'main']);
    const order = path.join(emptyDirPath(path.join(node.dir, 'kubelet'), pod.metadata!.uid!, 'work'), 'order');
    await waitFor('main to write', () => readFileSync(order, 'utf8').includes('main'));
    expect(readFileSync(order, 'utf8')).toBe('one\ntwo\nmain\n');
    const api = m.apiPodStatus(pod, await m.getPodStatus(pod.metadata!.uid!));
    expect(api.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(api.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    await m.killPod(pod);
    await m.removePod(pod.metadata!.uid!);
  });

  it('image pull policies: Never with a missing image, IfNotPresent with a present one, Always from an unreachable registry', async () => {
    events = [];
    const m = newManager();
    const never = busyboxPod('never', {});
    never.spec!.containers[0] = { name: 'main', image: 'docker.io/library/absent:1.0', imagePullPolicy: 'Never' };
    const res = await m.syncPod(never, lookup);
    expect(res.failures.get('main')).toEqual({ reason: 'ErrImageNeverPull', message: 'Container image "docker.io/library/absent:1.0" is not present with pull policy of Never' });
    expect(events).toContainEqual({ pod: 'never', type: 'Warning', reason: 'ErrImageNeverPull', message: 'Container image "docker.io/library/absent:1.0" is not present with pull policy of Never' });
    const api = m.apiPodStatus(never, await m.getPodStatus(never.metadata!.uid!));
    expect(api.phase).toBe('Pending');
    expect(api.containerStatuses?.[0].state?.waiting?.reason).toBe('ErrImageNeverPull');
    await m.killPod(never);

    events = [];
    const present = busyboxPod('present', {});
    await m.syncPod(present, lookup);
    expect(events.find((e) => e.reason === 'Pulled')?.message).toBe(`Container image "${BUSYBOX_IMAGE}" already present on machine`);
    expect(events.some((e) => e.reason === 'Pulling')).toBe(false);
    await m.killPod(present);

    events = [];
    // 127.0.0.1 inside the node's namespace: nothing listens there.
    const always = busyboxPod('always', {});
    always.spec!.containers[0] = { name: 'main', image: '127.0.0.1:5999/nothing:1', imagePullPolicy: 'Always' };
    const pulled = await m.syncPod(always, lookup);
    expect(pulled.failures.get('main')?.reason).toBe('ErrImagePull');
    expect(events.map((e) => e.reason)).toEqual(['Pulling', 'Failed']);
    const again = await m.syncPod(always, lookup);
    expect(again.failures.get('main')?.reason).toBe('ImagePullBackOff');
    expect(m.apiPodStatus(always, await m.getPodStatus(always.metadata!.uid!)).containerStatuses?.[0].state?.waiting?.reason).toBe('ImagePullBackOff');
    await m.killPod(always);
    for (const p of [never, present, always]) await m.removePod(p.metadata!.uid!);
  });
});
