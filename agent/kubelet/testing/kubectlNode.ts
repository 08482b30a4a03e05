// A one-machine cluster for end-to-end tests through the real kubectl: one network namespace
// holds containerd (runtime/testing/criTestNode.ts), `k8ts server` and `k8ts kubelet`
// (nodeProcesses.ts), and every kubectl call runs inside it. Optionally Debian's docker-registry
// runs there too, on the 127.0.0.1:5000 that the test containerd mirrors docker.io to, with the
// lab's busybox pushed, so pulls go through CRI PullImage for real.
//
//   const k = await startKubectlNode('kvol', { registry: true });   // root only
//   await k.apply(manifest); const pod = await k.waitPod('x', (p) => p.status?.phase === 'Running', 'running');
//   await k.stop();
import type { ChildProcess } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { BUSYBOX_IMAGE as BUSYBOX_RECIPE } from '../../../lab/images/catalog.ts';
import { ensureImage, pushImage } from '../../../lab/images/imageCache.ts';
import { spawnIn, tryExecIn } from '../../../lab/netns.ts';
import { waitFor } from '../../../lab/processes.ts';
import { registryPaths, startRegistry, stopRegistry, type RegistryPaths } from '../../../lab/registry.ts';
import { ensurePackages } from '../../../lab/run.ts';
import { BUSYBOX_IMAGE, startCriTestNode, type CriTestNode } from '../runtime/testing/criTestNode.ts';
import { startControlPlaneIn, startKubeletIn, type NamespacedControlPlane, type NodeProcess } from './nodeProcesses.ts';

/** The node's address: an interface inside the namespace (192.168.56.0/24 is blackholed outside). */
export const NODE_IP = '192.168.56.250';
/** Where the test containerd's docker.io mirror points (criTestNode's prepareContainerd). */
export const REGISTRY_ADDR = '127.0.0.1:5000';
/** In the registry only: pulled through the docker.io mirror. */
export const REGISTRY_BUSYBOX = 'docker.io/library/busybox:1.35';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlNode {
  node: CriTestNode;
  cp: NamespacedControlPlane;
  nodeName: string;
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
  /** `kubectl apply -f -`; throws unless it succeeded. */
  apply(manifest: string): Promise<void>;
  getPod(name: string): Promise<Pod | undefined>;
  /** Polls the pod until `ok` holds; the failure message carries the kubelet's log tail. */
  waitPod(name: string, ok: (pod: Pod) => boolean, what: string, attempts?: number): Promise<Pod>;
  /** Polls any condition; a failure carries the logs. */
  waitUntil<T>(what: string, check: () => T | Promise<T>, attempts?: number): Promise<NonNullable<T>>;
  /** The pod's events, oldest first. */
  events(podName: string): Promise<Event[]>;
  /** A long-running kubectl (logs -f, port-forward) inside the namespace; stop() ends it. */
  spawnKubectl(args: string[]): ChildProcess;
  /** Any command inside the node's namespace. */
  execIn(cmd: string, args: string[], input?: string): Promise<KubectlResult>;
  /** `kubectl delete pod --wait=false` and wait until the API server no longer has it. */
  deletePod(name: string, extra?: string[]): Promise<void>;
  kubeletOutput(): string;
  /** The kubelet's PID while it runs (for memory figures). */
  kubeletPid(): number | undefined;
  /** Ends the kubelet; its pods keep running (stop() copes with it being gone). */
  stopKubelet(): Promise<void>;
  /** Ends the kubelet (pods keep running) and starts a new one, with more flags if given. */
  restartKubelet(extraFlags?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

const POLL_MS = 500;
const DEFAULT_ATTEMPTS = 240;

export async function startKubectlNode(prefix: string, opts: { registry?: boolean; kubeletFlags?: Record<string, string> } = {}): Promise<KubectlNode> {
  const nodeName = `${prefix}-node`;
  const node = await startCriTestNode(prefix);
  let cp: NamespacedControlPlane | undefined;
  let kubelet: NodeProcess | undefined;
  let registry: RegistryPaths | undefined;
  const children = new Set<ChildProcess>();
  const resolvConf = join(node.dir, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 192.168.56.1\n');

  const startKubelet = (extraFlags: Record<string, string> = {}): NodeProcess =>
    startKubeletIn(node.name, {
      kubeconfig: cp!.kubeconfig,
      'hostname-override': nodeName,
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
      ...opts.kubeletFlags,
      ...extraFlags,
    });

  const stop = async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await kubelet?.stop();
    if (process.env.K8TS_KUBELET_LOG && kubelet) writeFileSync(`${process.env.K8TS_KUBELET_LOG}.${prefix}`, kubelet.output());
    await cp?.stop();
    if (registry) await stopRegistry(registry);
    await node.stop();
    rmSync(node.dir, { recursive: true, force: true });
  };

  try {
    // A veth pair with both ends inside: this kernel has no dummy interfaces.
    await node.execIn('ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer']);
    await node.execIn('ip', ['addr', 'add', `${NODE_IP}/24`, 'dev', 'eth0']);
    await node.execIn('ip', ['link', 'set', 'eth0', 'up']);
    await node.execIn('ip', ['link', 'set', 'eth0-peer', 'up']);
    // The kubelet writes the CNI config for the podCIDR node IPAM assigns.
    unlinkSync(join(node.paths.cniConfDir, '10-k8ts-test.conflist'));
    if (opts.registry) {
      await ensurePackages({ 'docker-registry': '/usr/bin/docker-registry', skopeo: '/usr/bin/skopeo' });
      registry = registryPaths(join(node.dir, 'registry'));
      await startRegistry(node.name, registry, REGISTRY_ADDR);
      await pushImage(await ensureImage(BUSYBOX_RECIPE), { ns: node.name, registry: REGISTRY_ADDR });
    }
    cp = await startControlPlaneIn(node.name);
    kubelet = startKubelet();
  } catch (err) {
    await stop();
    throw err;
  }
  const controlPlane = cp;

  const explain = (err: unknown): Error => {
    const tail = (text: string) => text.split('\n').slice(-80).join('\n');
    return new Error(`${(err as Error).message}\n--- kubelet ---\n${tail(kubelet?.output() ?? '')}\n--- k8ts server ---\n${tail(controlPlane.output())}`);
  };
  const waitUntil = async <T>(what: string, check: () => T | Promise<T>, attempts = DEFAULT_ATTEMPTS) => {
    try {
      return await waitFor(what, check, { attempts, intervalMs: POLL_MS });
    } catch (err) {
      throw explain(err);
    }
  };
  const kubectl = (args: string[], input?: string) => controlPlane.kubectl(args, input);
  const getPod = async (name: string) => {
    const res = await kubectl(['get', 'pod', name, '-o', 'json']);
    return res.code === 0 ? (JSON.parse(res.stdout) as Pod) : undefined;
  };

  await waitUntil('the Node to be Ready', async () => {
    const res = await kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return res.stdout === 'True';
  });

  return {
    node,
    cp: controlPlane,
    nodeName,
    kubectl,
    async apply(manifest) {
      const res = await kubectl(['apply', '-f', '-'], manifest);
      if (res.code !== 0) throw new Error(`kubectl apply failed: ${res.stderr}`);
    },
    getPod,
    waitPod: async (name, ok, what, attempts) => {
      let last: Pod | undefined;
      try {
        return await waitUntil(`pod ${name}: ${what}`, async () => {
          last = await getPod(name);
          return last && ok(last) ? last : undefined;
        }, attempts);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- last status ---\n${JSON.stringify(last?.status, null, 1)}`);
      }
    },
    waitUntil,
    async events(podName) {
      const res = await kubectl(['get', 'events', '--field-selector', `involvedObject.name=${podName}`, '-o', 'json']);
      const items = res.code === 0 ? ((JSON.parse(res.stdout) as { items: Event[] }).items ?? []) : [];
      const when = (e: Event) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') || 0;
      return items.sort((a, b) => when(a) - when(b));
    },
    spawnKubectl(args) {
      const child = spawnIn(node.name, 'kubectl', ['--kubeconfig', controlPlane.kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    execIn: (cmd, args, input) => tryExecIn(node.name, cmd, args, { input, timeoutMs: 60_000 }),
    async deletePod(name, extra = []) {
      await kubectl(['delete', 'pod', name, '--wait=false', ...extra]);
      await waitUntil(`pod ${name} to be gone`, async () => (await kubectl(['get', 'pod', name])).stderr.includes('NotFound'));
    },
    kubeletOutput: () => kubelet?.output() ?? '',
    kubeletPid: () => (kubelet && kubelet.proc.exitCode === null && kubelet.proc.signalCode === null ? kubelet.proc.pid : undefined),
    stopKubelet: async () => kubelet?.stop(),
    async restartKubelet(extraFlags) {
      await kubelet?.stop();
      kubelet = startKubelet(extraFlags);
    },
    stop,
  };
}

/** Collects a child's stdout. */
export function collect(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  return () => out;
}

/** A pty for `kubectl exec -it`: util-linux `script` runs the command on a fresh terminal. */
export function inPty(command: string): { cmd: string; args: string[] } {
  return { cmd: 'script', args: ['-qec', command, '/dev/null'] };
}

/** A one-container busybox Pod manifest running `sh -c command`; `extra` is YAML appended under the container. */
export function busyboxPod(name: string, command: string, opts: { restartPolicy?: string; extra?: string } = {}): string {
  return `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1${opts.restartPolicy ? `\n  restartPolicy: ${opts.restartPolicy}` : ''}
  containers:
  - name: main
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", ${JSON.stringify(command)}]
${opts.extra ?? ''}`;
}
