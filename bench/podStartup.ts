// Pod startup benchmark on a real node: prints figures, asserts nothing (root only).
//   npx tsx bench/podStartup.ts [runs=10] [burst=30]
// (positional values work too: bench/podStartup.ts 10 30)
//
// One network namespace holds a real containerd, Debian's docker-registry with the lab's busybox,
// `k8ts server` on the namespace's loopback and `k8ts kubelet` (agent/kubelet/testing/kubectlNode.ts,
// as the kubelet's e2e tests). Every pod runs `sleep` from the registry image, which a warm-up pod
// pulls first, so no figure includes a pull.
//   kubelet, 1 pod      `kubectl apply` of one pod, timed until a watch (`kubectl get -w`, started
//                       beforehand) prints it Ready; the pod is deleted before the next (× runs).
//   kubelet, burst      one `kubectl apply` of `burst` pods; each pod's apply → Ready.
//   CRI floor           the same pods as the kubelet would run them (buildPodSandboxConfig,
//                       buildContainerConfig), straight to containerd over the project's CRI
//                       client: RunPodSandbox + CreateContainer + StartContainer, one at a time
//                       (× runs) and `burst` at once. The kubelet is stopped meanwhile, else it
//                       would remove those sandboxes as orphans.
// "seen → Ready" starts when the watch first prints the pod (it exists in the API), which leaves
// out kubectl's own start-up and the apply request (scheduling stays in); the kubelet's overhead over the runtime is
// roughly seen → Ready minus the CRI floor. The kubelet's RSS is read from /proc while it is idle
// (node Ready, no pods) and with the burst running.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildContainerConfig } from '../agent/kubelet/runtime/containerConfig.ts';
import { buildPodSandboxConfig } from '../agent/kubelet/runtime/sandboxConfig.ts';
import { REGISTRY_BUSYBOX, startKubectlNode, type KubectlNode } from '../agent/kubelet/testing/kubectlNode.ts';
import { memoryOf, note } from './support/httpsLoad.ts';

/** The benchmark's own namespace in the API (deleted at the end). */
const NAMESPACE = 'bench-startup';
/** Settling time before a memory reading, so start-up garbage is collected. */
const SETTLE_MS = 5_000;
/** A pod that is not Ready after this long counts as failed and ends the run. */
const READY_TIMEOUT_MS = 300_000;

interface Knobs {
  runs: number;
  burst: number;
}

function parseKnobs(argv: string[]): Knobs {
  const knobs: Knobs = { runs: 10, burst: 30 };
  const order = ['runs', 'burst'];
  argv.forEach((arg, i) => {
    const [key, value] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [order[i] ?? '', arg];
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}: "${value}" is not a positive integer`);
    if (key === 'runs') knobs.runs = n;
    else if (key === 'burst') knobs.burst = n;
    else throw new Error(`unknown argument "${arg}": use runs=10 burst=30`);
  });
  return knobs;
}

function podManifest(name: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${NAMESPACE}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: ${REGISTRY_BUSYBOX}
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
`;
}

/** Nearest-rank quantile of ascending values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * `kubectl get pods -w` in the benchmark's namespace, one line per event: name and Ready status.
 * kubectl lists before it watches, so a pod created before the watch is up is still seen.
 */
class ReadyWatch {
  readonly seen = new Map<string, number>();
  readonly ready = new Map<string, number>();
  private readonly child: ChildProcess;
  private waiters = new Set<() => void>();
  private rest = '';

  constructor(k: KubectlNode) {
    this.child = k.spawnKubectl(['get', 'pods', '-n', NAMESPACE, '-w', '-o', 'jsonpath={.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}']);
    this.child.stdout!.on('data', (d: Buffer) => {
      const t = performance.now();
      const lines = (this.rest + d.toString()).split('\n');
      this.rest = lines.pop()!;
      for (const line of lines) {
        const [name, status] = line.trim().split(' ');
        if (!name) continue;
        if (!this.seen.has(name)) this.seen.set(name, t);
        if (status === 'True' && !this.ready.has(name)) this.ready.set(name, t);
      }
      for (const w of this.waiters) w();
    });
  }

  async waitReady(names: string[]): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (!names.every((n) => this.ready.has(n))) {
      if (this.child.exitCode !== null) throw new Error('the kubectl watch ended');
      if (performance.now() > deadline) throw new Error(`not Ready after ${READY_TIMEOUT_MS / 1000} s: ${names.filter((n) => !this.ready.has(n)).join(', ')}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 1000);
        this.waiters.add(() => {
          clearTimeout(timer);
          r();
        });
      });
      this.waiters.clear();
    }
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

interface Latencies {
  /** apply started → Ready, ms, ascending. */
  applyToReady: number[];
  /** first seen in the API → Ready, ms, ascending. */
  seenToReady: number[];
  /** first apply → last pod Ready, ms (burst). */
  totalMs: number;
}

async function applyAndWait(k: KubectlNode, watch: ReadyWatch, names: string[]): Promise<Latencies> {
  const t0 = performance.now();
  await k.apply(names.map(podManifest).join('---\n'));
  await watch.waitReady(names);
  const ready = names.map((n) => watch.ready.get(n)!);
  return {
    applyToReady: ready.map((t) => t - t0).sort((a, b) => a - b),
    seenToReady: names.map((n) => watch.ready.get(n)! - watch.seen.get(n)!).sort((a, b) => a - b),
    totalMs: Math.max(...ready) - t0,
  };
}

async function deleteAllPods(k: KubectlNode): Promise<void> {
  const res = await k.kubectl(['delete', 'pods', '--all', '-n', NAMESPACE, '--wait=true', '--timeout=300s']);
  if (res.code !== 0) throw new Error(`kubectl delete pods failed: ${res.stderr}`);
}

function kubeletRssMiB(k: KubectlNode): number {
  const pid = k.kubeletPid();
  return pid === undefined ? NaN : memoryOf(pid).rssMiB;
}

/** The pod as the API would hand it to the kubelet (defaults the CRI configs read). */
function podObject(name: string, uid: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, uid },
    spec: {
      terminationGracePeriodSeconds: 0,
      restartPolicy: 'Always',
      dnsPolicy: 'Default',
      containers: [{ name: 'main', image: REGISTRY_BUSYBOX, command: ['sleep', '3600'], imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' }],
    },
  };
}

interface CriFloor {
  /** per pod: RunPodSandbox + CreateContainer + StartContainer, ms, ascending. */
  latencies: number[];
  totalMs: number;
}

/** Starts `count` pods through CRI alone, `parallel` at a time, then removes them. */
async function criFloor(k: KubectlNode, imageRef: string, count: number, parallel: boolean, tag: string): Promise<CriFloor> {
  const cri = k.node.cri;
  const logsRoot = join(k.node.dir, 'bench-pod-logs');
  const opts = { podLogsRoot: logsRoot, cgroupRoot: k.node.cgroupRoot, clusterDNS: [], clusterDomain: 'cluster.local', hostResolvConf: { servers: ['192.168.56.1'], searches: [], options: [] } };
  const sandboxes: string[] = [];
  const one = async (i: number): Promise<number> => {
    const pod = podObject(`cri-${tag}-${i}`, `bench-${tag}-${process.pid}-${i}`);
    const sandboxConfig = buildPodSandboxConfig(pod, 0, opts);
    mkdirSync(sandboxConfig.log_directory, { recursive: true });
    const containerConfig = buildContainerConfig(pod, pod.spec!.containers[0]!, { restartCount: 0, imageRef, env: [], volumes: new Map(), memoryCapacity: 0 });
    const t0 = performance.now();
    const sandboxId = await cri.runPodSandbox(sandboxConfig);
    sandboxes.push(sandboxId);
    const containerId = await cri.createContainer(sandboxId, containerConfig, sandboxConfig);
    await cri.startContainer(containerId);
    return performance.now() - t0;
  };
  try {
    const t0 = performance.now();
    const latencies: number[] = [];
    if (parallel) latencies.push(...(await Promise.all(Array.from({ length: count }, (_, i) => one(i)))));
    else for (let i = 0; i < count; i++) {
      latencies.push(await one(i));
      const id = sandboxes.pop()!;
      await cri.stopPodSandbox(id);
      await cri.removePodSandbox(id);
    }
    return { latencies: latencies.sort((a, b) => a - b), totalMs: performance.now() - t0 };
  } finally {
    for (const id of sandboxes) {
      await cri.stopPodSandbox(id);
      await cri.removePodSandbox(id);
    }
  }
}

function row(label: string, values: number[], total?: number): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-').padStart(8);
  return `${label.padEnd(34)}${String(values.length).padStart(5)}${f(quantile(values, 0.5))}${f(quantile(values, 0.99))}${f(values.at(-1) ?? NaN)}${total === undefined ? '' : f(total)}`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/podStartup.ts needs root: it runs containerd and the kubelet in a network namespace');
  const knobs = parseKnobs(process.argv.slice(2));
  console.log(`pod startup: ${knobs.runs} single pods, a burst of ${knobs.burst}; image ${REGISTRY_BUSYBOX}`);
  // Other work on the machine shows in every figure: say how busy it was.
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`${cpus().length} CPUs, load average ${load()}`);
  const k = await startKubectlNode('kbench', { registry: true });
  let watch: ReadyWatch | undefined;
  let stopping: Promise<void> | undefined;
  const stopNode = () => (stopping ??= k.stop());
  // Interrupted: the node goes too (containerd, kubelet, server, registry by PID; namespace, mounts).
  // The run then fails on its next step; that error is not news.
  const interrupted = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: cleaning up`);
    interruptedBy = signal;
    watch?.stop();
    void stopNode().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    note(`node ${k.nodeName} Ready; kubelet pid ${k.kubeletPid()}`);
    const ns = await k.kubectl(['create', 'namespace', NAMESPACE]);
    if (ns.code !== 0) throw new Error(`kubectl create namespace: ${ns.stderr}`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const idleRss = kubeletRssMiB(k);
    note(`kubelet RSS idle ${idleRss.toFixed(0)} MiB`);

    watch = new ReadyWatch(k);
    // Warm-up: pulls the image through CRI PullImage, so every timed pod finds it present.
    await applyAndWait(k, watch, ['warmup']);
    await deleteAllPods(k);
    note('image pulled by the warm-up pod');

    const single: Latencies[] = [];
    for (let i = 0; i < knobs.runs; i++) {
      single.push(await applyAndWait(k, watch, [`single-${i}`]));
      await deleteAllPods(k);
    }
    note(`${knobs.runs} single pods done`);

    const names = Array.from({ length: knobs.burst }, (_, i) => `burst-${i}`);
    const burst = await applyAndWait(k, watch, names);
    note(`burst of ${knobs.burst} Ready in ${burst.totalMs.toFixed(0)} ms`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const busyRss = kubeletRssMiB(k);
    const pid = k.kubeletPid();
    const peakRss = pid === undefined ? NaN : memoryOf(pid).peakMiB;
    const imageRef = (await k.node.cri.imageStatus({ image: REGISTRY_BUSYBOX }))?.id ?? REGISTRY_BUSYBOX;
    await deleteAllPods(k);
    watch.stop();
    watch = undefined;

    // The runtime alone: the kubelet would take these sandboxes for orphans.
    await k.stopKubelet();
    const criSingle: number[] = [];
    for (let i = 0; i < knobs.runs; i++) criSingle.push(...(await criFloor(k, imageRef, 1, false, `s${i}`)).latencies);
    criSingle.sort((a, b) => a - b);
    const criBurst = await criFloor(k, imageRef, knobs.burst, true, 'b');

    const flat = (xs: Latencies[], f: (l: Latencies) => number[]) => xs.flatMap(f).sort((a, b) => a - b);
    console.log('\n== pod startup (ms) ==');
    console.log(`${''.padEnd(34)}${'pods'.padStart(5)}${'p50'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}${'all'.padStart(8)}`);
    console.log(row('kubelet 1 pod: apply → Ready', flat(single, (l) => l.applyToReady)));
    console.log(row('kubelet 1 pod: seen → Ready', flat(single, (l) => l.seenToReady)));
    console.log(row('CRI floor 1 pod', criSingle));
    console.log(row(`kubelet burst ${knobs.burst}: apply → Ready`, burst.applyToReady, burst.totalMs));
    console.log(row(`kubelet burst ${knobs.burst}: seen → Ready`, burst.seenToReady));
    console.log(row(`CRI floor burst ${knobs.burst}`, criBurst.latencies, criBurst.totalMs));
    console.log('\n== kubelet memory (MiB) ==');
    console.log(`RSS idle ${idleRss.toFixed(0)}, with ${knobs.burst} pods running ${busyRss.toFixed(0)} (peak ${peakRss.toFixed(0)})`);
    console.log(`load average at the end ${load()}`);
  } finally {
    watch?.stop();
    if (!stopping) await k.kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']).catch(() => undefined);
    await stopNode();
  }
}

let interruptedBy: NodeJS.Signals | undefined;
await main().catch((err: unknown) => {
  if (!interruptedBy) throw err;
});
