// Volumes end to end (root only): pods applied with the real kubectl on a test-owned node, their
// data checked with `kubectl exec` and on the node's filesystem.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { BUSYBOX_IMAGE } from '../runtime/testing/criTestNode.ts';
import { startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;

const running = (p: Pod) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running);

function pod(name: string, spec: string): string {
  return `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
${spec}`;
}

const sleeper = (name: string, mounts: string) => `
  - name: ${name}
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
${mounts}`;

describe.skipIf(!isRoot)('volumes through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('kvol');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const volumeDir = (uid: string, plugin: string, name: string) => join(k.node.dir, 'kubelet', 'pods', uid, 'volumes', plugin, name);

  it('two containers share an emptyDir on disk; a Memory emptyDir is a tmpfs; both go with the pod', async () => {
    await k.apply(
      pod(
        'shared',
        `  containers:
  - name: writer
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo from-writer > /data/f; echo in-memory > /cache/m; exec sleep 3600"]
    volumeMounts:
    - { name: data, mountPath: /data }
    - { name: cache, mountPath: /cache }
${sleeper('reader', '    - { name: data, mountPath: /shared }\n    - { name: cache, mountPath: /mem }')}
  volumes:
  - name: data
    emptyDir: {}
  - name: cache
    emptyDir: { medium: Memory, sizeLimit: 16Mi }
`,
      ),
    );
    const p = await k.waitPod('shared', running, 'both containers running');
    const uid = p.metadata!.uid!;
    await k.waitUntil('the reader to see the writer\'s file', async () => (await k.kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/shared/f'])).stdout === 'from-writer\n');
    expect((await k.kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/mem/m'])).stdout).toBe('in-memory\n');
    // The Memory medium is a tmpfs, sized by sizeLimit (16Mi = 16384k).
    const mounts = (await k.kubectl(['exec', 'shared', '-c', 'reader', '--', 'sh', '-c', 'grep " /mem " /proc/mounts'])).stdout;
    expect(mounts).toMatch(/^tmpfs \/mem tmpfs .*size=16384k/);
    const disk = (await k.kubectl(['exec', 'shared', '-c', 'reader', '--', 'sh', '-c', 'grep " /shared " /proc/mounts'])).stdout;
    expect(disk).not.toMatch(/^tmpfs/);
    // On the node: under the pod's volumes directory.
    expect(readFileSync(join(volumeDir(uid, 'kubernetes.io~empty-dir', 'data'), 'f'), 'utf8')).toBe('from-writer\n');

    await k.deletePod('shared');
    await k.waitUntil('the emptyDirs to be removed from the node', () => !existsSync(volumeDir(uid, 'kubernetes.io~empty-dir', 'data')) && !existsSync(volumeDir(uid, 'kubernetes.io~empty-dir', 'cache')));
    // The housekeeping's orphan clean-up leaves nothing of the pod's directory.
    await k.waitUntil('the pod directory to be gone', () => !existsSync(join(k.node.dir, 'kubelet', 'pods', uid)));
  }, 240_000);

  it('a hostPath DirectoryOrCreate is created on the node and the pod\'s writes are seen there', async () => {
    const hostDir = join(k.node.dir, 'host-data', 'made-by-kubelet');
    expect(existsSync(hostDir)).toBe(false);
    await k.apply(
      pod(
        'hostpath',
        `  containers:
  - name: main
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo written-in-pod > /host/marker; exec sleep 3600"]
    volumeMounts:
    - { name: host, mountPath: /host }
  volumes:
  - name: host
    hostPath: { path: ${hostDir}, type: DirectoryOrCreate }
`,
      ),
    );
    await k.waitPod('hostpath', running, 'running');
    await k.waitUntil('the marker on the node', () => existsSync(join(hostDir, 'marker')));
    expect(readFileSync(join(hostDir, 'marker'), 'utf8')).toBe('written-in-pod\n');
    await k.deletePod('hostpath');
    // hostPath data is the node's: it stays.
    expect(existsSync(join(hostDir, 'marker'))).toBe(true);
  }, 240_000);

  it('a configMap volume is updated in place when the ConfigMap changes', async () => {
    await k.apply(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello-v1
`);
    await k.apply(
      pod(
        'config',
        `  containers:
${sleeper('main', '    - { name: cfg, mountPath: /etc/cfg }')}
  volumes:
  - name: cfg
    configMap: { name: settings }
`,
      ),
    );
    await k.waitPod('config', running, 'running');
    expect((await k.kubectl(['exec', 'config', '--', 'cat', '/etc/cfg/greeting'])).stdout).toBe('hello-v1');
    const patched = await k.kubectl(['patch', 'configmap', 'settings', '--type', 'merge', '-p', '{"data":{"greeting":"hello-v2"}}']);
    expect(patched.code).toBe(0);
    // Same container, new contents (the kubelet's periodic sync rewrites the volume through ..data).
    const before = (await k.getPod('config'))!.status!.containerStatuses![0].containerID;
    await k.waitUntil('the new value inside the container', async () => (await k.kubectl(['exec', 'config', '--', 'cat', '/etc/cfg/greeting'])).stdout === 'hello-v2', 120);
    expect((await k.getPod('config'))!.status!.containerStatuses![0]).toMatchObject({ containerID: before, restartCount: 0 });
    await k.deletePod('config');
  }, 240_000);

  it('a hostPath of type Directory that does not exist: FailedMount in describe, the pod stays ContainerCreating', async () => {
    const missing = join(k.node.dir, 'no-such-dir');
    await k.apply(
      pod(
        'missing-dir',
        `  containers:
${sleeper('main', '    - { name: host, mountPath: /host }')}
  volumes:
  - name: host
    hostPath: { path: ${missing}, type: Directory }
`,
      ),
    );
    await k.waitUntil('a FailedMount event', async () => (await k.events('missing-dir')).some((e) => e.reason === 'FailedMount'));
    const describe = await k.kubectl(['describe', 'pod', 'missing-dir']);
    expect(describe.stdout).toMatch(/Warning\s+FailedMount\s+.*MountVolume\.SetUp failed for volume "host" : hostPath \S*no-such-dir doesn't exist/);
    const table = await k.kubectl(['get', 'pod', 'missing-dir', '--no-headers']);
    expect(table.stdout).toMatch(/^missing-dir\s+0\/1\s+ContainerCreating\s+0\s+/);
    // Once the directory exists the next retry mounts it and the pod runs.
    mkdirSync(missing);
    await k.waitPod('missing-dir', running, 'running once the directory exists');
    await k.deletePod('missing-dir');
  }, 240_000);
});
