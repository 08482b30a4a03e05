// The whole kubelet against real neighbours (root only): one network namespace is a machine
// running `k8ts server` (API server, scheduler, controllers), containerd (runtime/testing
// criTestNode.ts) and the kubelet as its own process; the real kubectl talks to the API server
// from inside that namespace. A Pod applied with kubectl is scheduled to the kubelet's Node, runs
// in containerd, turns Running and Ready, shows its logs; a restarted kubelet adopts it; deleting it removes the
// API object and its containers.
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../lab/processes.ts';
import { POD_UID_LABEL } from './runtime/labels.ts';
import { BUSYBOX_IMAGE, startCriTestNode, type CriTestNode } from './runtime/testing/criTestNode.ts';
import { startControlPlaneIn, startKubeletIn, type NamespacedControlPlane, type NodeProcess } from './testing/nodeProcesses.ts';

const isRoot = process.getuid?.() === 0;
/** The node's address: an interface inside the namespace (192.168.56.0/24 is blackholed outside). */
const NODE_IP = '192.168.56.250';
const NODE_NAME = 'kubelet-it-node';

const POD_MANIFEST = `
apiVersion: v1
kind: Pod
metadata:
  name: sleeper
  namespace: default
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo hello from sleeper; exec sleep 3600"]
    readinessProbe:
      exec:
        command: ["sh", "-c", "exit 0"]
      periodSeconds: 1
`;

describe.skipIf(!isRoot)('kubelet on containerd with a real control plane and kubectl', () => {
  let node: CriTestNode;
  let cp: NamespacedControlPlane;
  let kubelet: NodeProcess | undefined;

  function startKubelet(): NodeProcess {
    const resolvConf = join(node.dir, 'resolv.conf');
    writeFileSync(resolvConf, 'nameserver 192.168.56.1\n');
    return startKubeletIn(node.name, {
      kubeconfig: cp.kubeconfig,
      'hostname-override': NODE_NAME,
      'node-ip': NODE_IP,
      'container-runtime-endpoint': node.paths.socket,
      'root-dir': join(node.dir, 'kubelet'),
      'pod-logs-dir': join(node.dir, 'pod-logs'),
      'cni-conf-dir': node.paths.cniConfDir,
      'cni-data-dir': join(node.dir, 'cni-ipam'),
      'cgroup-root': node.cgroupRoot,
      'cluster-dns': '10.96.0.10',
      'resolv-conf': resolvConf,
      port: '10250',
      'log-level': 'debug',
    });
  }

  /** A failed wait says what the kubelet and the control plane logged. */
  async function explained<T>(wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (err) {
      const tail = (text: string) => text.split('\n').slice(-60).join('\n');
      throw new Error(`${(err as Error).message}\n--- kubelet ---\n${tail(kubelet?.output() ?? '')}\n--- k8ts server ---\n${tail(cp.output())}`);
    }
  }

  async function getPod(name = 'sleeper'): Promise<Pod | undefined> {
    const res = await cp.kubectl(['get', 'pod', name, '-o', 'json']);
    return res.code === 0 ? (JSON.parse(res.stdout) as Pod) : undefined;
  }

  async function runtimeContainers(uid: string) {
    const containers = await node.cri.listContainers({ label_selector: { [POD_UID_LABEL]: uid } });
    const sandboxes = await node.cri.listPodSandbox({ label_selector: { [POD_UID_LABEL]: uid } });
    return { containers, sandboxes };
  }

  beforeAll(async () => {
    node = await startCriTestNode('kbl');
    // A veth pair with both ends inside: this kernel has no dummy interfaces.
    await node.execIn('ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer']);
    await node.execIn('ip', ['addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0']);
    await node.execIn('ip', ['link', 'set', 'eth0', 'up']);
    await node.execIn('ip', ['link', 'set', 'eth0-peer', 'up']);
    // The kubelet writes the CNI config for the podCIDR node IPAM assigns; the test node's own goes.
    unlinkSync(join(node.paths.cniConfDir, '10-k8ts-test.conflist'));
    cp = await startControlPlaneIn(node.name);
    kubelet = startKubelet();
  }, 600_000);

  afterAll(async () => {
    await kubelet?.stop();
    // K8TS_KUBELET_LOG=file keeps the last kubelet's log for reading.
    if (process.env.K8TS_KUBELET_LOG && kubelet) writeFileSync(process.env.K8TS_KUBELET_LOG, kubelet.output());
    await cp?.stop();
    await node?.stop();
    if (node) rmSync(node.dir, { recursive: true, force: true });
  }, 120_000);

  it('registers a Ready Node; a Pod applied with kubectl runs, turns Ready, survives a kubelet restart, and is deleted with its containers', async () => {
    // The Node: registered, given a podCIDR, Ready once containerd's network has the CNI config.
    await explained(waitFor('the Node to be Ready', async () => {
      const res = await cp.kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return res.stdout === 'True';
    }, { attempts: 120, intervalMs: 500 }));

    const applied = await cp.kubectl(['apply', '-f', '-'], POD_MANIFEST);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('pod/sleeper created');

    const ready = await explained(waitFor('the pod to be Running and Ready', async () => {
      const pod = await getPod();
      const isReady = pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return pod?.status?.phase === 'Running' && isReady ? pod : undefined;
    }, { attempts: 240, intervalMs: 500 }));
    expect(ready.spec?.nodeName).toBe(NODE_NAME);
    expect(ready.status?.hostIP).toBe(NODE_IP);
    expect(ready.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(ready.status?.startTime).toBeTruthy();
    expect(ready.status?.qosClass).toBe('BestEffort');
    expect(ready.status?.conditions?.map((c) => `${c.type}=${c.status}`).sort()).toEqual(['ContainersReady=True', 'Initialized=True', 'PodScheduled=True', 'Ready=True']);
    const cs = ready.status!.containerStatuses![0];
    expect(cs).toMatchObject({ name: 'main', image: BUSYBOX_IMAGE, ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs.imageID).toBeTruthy();

    const table = await cp.kubectl(['get', 'pod', 'sleeper', '--no-headers']);
    expect(table.stdout).toMatch(/^sleeper\s+1\/1\s+Running\s+0\s+/);

    // The API server proxies `kubectl logs` to the kubelet server on the Node's InternalIP.
    const logs = await cp.kubectl(['logs', 'sleeper']);
    expect(logs).toMatchObject({ code: 0, stdout: 'hello from sleeper\n' });

    const uid = ready.metadata!.uid!;
    const before = await runtimeContainers(uid);
    expect(before.containers.map((c) => c.state)).toEqual(['CONTAINER_RUNNING']);
    expect(before.sandboxes.map((s) => s.state)).toEqual(['SANDBOX_READY']);

    // A kubelet restart leaves the pod running and the new kubelet adopts it: it syncs the pod
    // (its log says so) and creates nothing.
    await kubelet!.stop();
    expect((await runtimeContainers(uid)).containers.map((c) => c.state)).toEqual(['CONTAINER_RUNNING']);
    kubelet = startKubelet();
    await explained(waitFor('the restarted kubelet to sync the pod', () => /"msg":"pod synced"/.test(kubelet!.output()) && /default\/sleeper/.test(kubelet!.output()), { attempts: 240, intervalMs: 250 }));
    const after = await runtimeContainers(uid);
    expect(after.containers.map((c) => c.id)).toEqual(before.containers.map((c) => c.id));
    expect(after.sandboxes.map((s) => s.id)).toEqual(before.sandboxes.map((s) => s.id));
    expect(kubelet!.output()).not.toMatch(/"started":\["main"\]/);
    // Its prober starts afresh: Ready again once the readiness probe passed, same container.
    const readyAgain = await explained(waitFor('the adopted pod to be Ready', async () => {
      const pod = await getPod();
      return pod?.status?.containerStatuses?.[0]?.ready ? pod : undefined;
    }, { attempts: 120, intervalMs: 500 }));
    expect(readyAgain.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0, containerID: cs.containerID });

    // Deletion: SIGTERM, SIGKILL after the 2 s grace, the sandbox removed, then the kubelet's final delete.
    const deleted = await cp.kubectl(['delete', 'pod', 'sleeper', '--wait=false']);
    expect(deleted.stdout).toContain('pod "sleeper" deleted');
    await explained(waitFor('the pod to be gone from the API server', async () => (await cp.kubectl(['get', 'pod', 'sleeper'])).stderr.includes('NotFound'), { attempts: 240, intervalMs: 500 }));
    const gone = await runtimeContainers(uid);
    expect(gone).toEqual({ containers: [], sandboxes: [] });
  }, 300_000);
  it('a pod that runs to completion is Succeeded, keeps its logs until deleted, then goes with its containers', async () => {
    const manifest = POD_MANIFEST.replace('name: sleeper', 'name: once')
      .replace('sh", "-c", "echo hello from sleeper; exec sleep 3600"', 'sh", "-c", "echo done"')
      .replace('  terminationGracePeriodSeconds: 2', '  terminationGracePeriodSeconds: 2\n  restartPolicy: Never');
    expect((await cp.kubectl(['apply', '-f', '-'], manifest)).stdout).toContain('pod/once created');
    const done = await explained(waitFor('the pod to succeed', async () => {
      const pod = await getPod('once');
      return pod?.status?.phase === 'Succeeded' ? pod : undefined;
    }, { attempts: 240, intervalMs: 500 }));
    expect(done.status?.containerStatuses?.[0]).toMatchObject({ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(done.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    // The kubelet leaves a completed pod's exited container for `kubectl logs`.
    expect(await cp.kubectl(['logs', 'once'])).toMatchObject({ code: 0, stdout: 'done\n' });
    const uid = done.metadata!.uid!;
    const left = await runtimeContainers(uid);
    expect(left.containers.map((c) => c.state)).toEqual(['CONTAINER_EXITED']);
    expect(left.sandboxes.map((s) => s.state)).toEqual(['SANDBOX_NOTREADY']);

    await cp.kubectl(['delete', 'pod', 'once', '--wait=false']);
    await explained(waitFor('the completed pod to be gone', async () => (await cp.kubectl(['get', 'pod', 'once'])).stderr.includes('NotFound'), { attempts: 240, intervalMs: 500 }));
    await explained(waitFor('its containers to be removed', async () => {
      const r = await runtimeContainers(uid);
      return r.containers.length === 0 && r.sandboxes.length === 0;
    }, { attempts: 60, intervalMs: 500 }));
  }, 300_000);

  it('a pod force-deleted while the kubelet was down is removed from the runtime when it comes back', async () => {
    expect((await cp.kubectl(['apply', '-f', '-'], POD_MANIFEST)).stdout).toContain('pod/sleeper created');
    const running = await explained(waitFor('the pod to run', async () => {
      const pod = await getPod();
      return pod?.status?.phase === 'Running' ? pod : undefined;
    }, { attempts: 240, intervalMs: 500 }));
    const uid = running.metadata!.uid!;
    await kubelet!.stop();
    kubelet = undefined;
    const forced = await cp.kubectl(['delete', 'pod', 'sleeper', '--grace-period=0', '--force']);
    expect(forced.code).toBe(0);
    expect((await runtimeContainers(uid)).containers.map((c) => c.state)).toEqual(['CONTAINER_RUNNING']);
    kubelet = startKubelet();
    await explained(waitFor('the orphaned containers to be removed', async () => {
      const r = await runtimeContainers(uid);
      return r.containers.length === 0 && r.sandboxes.length === 0;
    }, { attempts: 120, intervalMs: 500 }));
  }, 300_000);
});
