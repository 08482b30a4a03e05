// Controller benchmark: prints figures, asserts nothing.
//   node --import tsx bench/controllers.ts [replicas=100] [rounds=3]
// (positional values work too: bench/controllers.ts 100 3)
//
// The whole control plane runs as `k8ts server` (API server, scheduler, controller-manager) on
// three Nodes without kubelets: test/support/fakeNodes.ts registers them, renews their Leases, and
// reports every pod bound to them Running and Ready (the status half of a kubelet; it looks for
// new pods every 200 ms, so the "ready" figures include up to that much polling). Each round runs
// the real `kubectl apply` of a Deployment with `replicas` pods and times, from just before kubectl
// starts: the pods created by the Deployment → ReplicaSet controllers, the pods scheduled, the pods
// Ready, the Deployment reporting status.availableReplicas = replicas, and the real
// `kubectl rollout status` (started once apply returns) exiting. Then the Deployment is deleted
// and the round waits for its pods to go, so rounds do not overlap.
import { performance } from 'node:perf_hooks';
import type { ClosableClient, KubeObject, WatchEvent } from '../controlplane/client/index.ts';
import { startControlPlane, type ControlPlane } from '../test/support/controlPlane.ts';
import { startFakeNodes } from '../test/support/fakeNodes.ts';
import { memoryOf, note } from './support/httpsLoad.ts';
import { PodWatch } from './support/podWatch.ts';

const NODES = [
  { name: 'worker-0', ip: '192.168.56.11', cpu: '4', memory: '32Gi' },
  { name: 'worker-1', ip: '192.168.56.12', cpu: '4', memory: '32Gi' },
  { name: 'worker-2', ip: '192.168.56.13', cpu: '4', memory: '32Gi' },
];
const NAMESPACE = 'default';
/** Bounded waits: a milestone not reached by then is printed as "not reached". */
const ROUND_LIMIT_MS = 180_000;
const SETUP_LIMIT_MS = 60_000;
const WATCH_RETRY_MS = 200;

interface Knobs {
  replicas: number;
  rounds: number;
}

type Milestone = 'applyReturned' | 'firstPod' | 'allCreated' | 'allScheduled' | 'allReady' | 'available' | 'rolloutStatus';
const MILESTONES: [Milestone, string][] = [
  ['applyReturned', 'kubectl apply returned'],
  ['firstPod', 'first pod created'],
  ['allCreated', 'all pods created'],
  ['allScheduled', 'all pods scheduled (spec.nodeName)'],
  ['allReady', 'all pods Ready (fake kubelet)'],
  ['available', 'Deployment availableReplicas = replicas'],
  ['rolloutStatus', 'kubectl rollout status returned'],
];
type Round = Partial<Record<Milestone, number>>;

function parseKnobs(argv: string[]): Knobs {
  const knobs: Knobs = { replicas: 100, rounds: 3 };
  const order: (keyof Knobs)[] = ['replicas', 'rounds'];
  argv.forEach((arg, i) => {
    const [key, value] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [order[i] ?? '', arg];
    const n = Number(value);
    if (key !== 'replicas' && key !== 'rounds') throw new Error(`unknown argument "${arg}": use replicas=100 rounds=3`);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}: "${value}" is not a positive integer`);
    knobs[key] = n;
  });
  return knobs;
}

function deployment(name: string, replicas: number): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1' }] } },
    },
  };
}

/** Bounded polling for set-up conditions. */
async function until(what: string, fn: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + SETUP_LIMIT_MS;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Calls onChange with each state of the named Deployment until the signal aborts. */
async function watchDeployment(client: ClosableClient, name: string, onChange: (d: KubeObject) => void, signal: AbortSignal): Promise<void> {
  const deployments = client.r('apps/v1', 'deployments', NAMESPACE);
  const fieldSelector = `metadata.name=${name}`;
  const list = await deployments.list({ fieldSelector });
  let rv = list.metadata.resourceVersion;
  for (const d of list.items) onChange(d);
  void (async () => {
    while (!signal.aborted) {
      await deployments
        .watch({ fieldSelector, resourceVersion: rv }, (ev: WatchEvent) => {
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') onChange(ev.object);
        }, signal)
        .catch(() => new Promise((r) => setTimeout(r, WATCH_RETRY_MS)));
    }
  })();
}

async function runRound(cp: ControlPlane, client: ClosableClient, k: Knobs, round: number): Promise<Round> {
  const name = `web-${round}`;
  const pods = new PodWatch(client, NAMESPACE, `app=${name}`);
  await pods.start();
  const stop = new AbortController();
  const at: Round = {};
  let t0 = 0;
  let availableSeen: () => void = () => undefined;
  const available = new Promise<void>((r) => (availableSeen = r));
  await watchDeployment(client, name, (d) => {
    const s = d.status ?? {};
    const done = (d.metadata.generation ?? 0) <= (s.observedGeneration ?? -1) && s.updatedReplicas === k.replicas && s.availableReplicas === k.replicas && s.replicas === k.replicas;
    if (done && at.available === undefined && t0) {
      at.available = performance.now() - t0;
      availableSeen();
    }
  }, stop.signal);

  try {
    t0 = performance.now();
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment(name, k.replicas)) });
    at.applyReturned = performance.now() - t0;
    const rollout = cp.kubectl(['rollout', 'status', `deployment/${name}`, '-n', NAMESPACE, `--timeout=${ROUND_LIMIT_MS / 1000}s`], { allowFail: true }).then((r) => {
      if (r.code === 0) at.rolloutStatus = performance.now() - t0;
      else note(`kubectl rollout status failed: ${r.stderr.trim()}`);
    });
    const deadline = t0 + ROUND_LIMIT_MS;
    if (await pods.waitFor('created', 1, deadline)) at.firstPod = pods.times('created')[0]! - t0;
    if (await pods.waitFor('created', k.replicas, deadline)) at.allCreated = pods.times('created')[k.replicas - 1]! - t0;
    if (await pods.waitFor('bound', k.replicas, deadline)) at.allScheduled = pods.times('bound')[k.replicas - 1]! - t0;
    if (await pods.waitFor('ready', k.replicas, deadline)) at.allReady = pods.times('ready')[k.replicas - 1]! - t0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([available, rollout]), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - performance.now()))))]);
    clearTimeout(timer);
    if (pods.count('created') > k.replicas) note(`${pods.count('created')} pods were created for ${k.replicas} replicas`);
  } finally {
    stop.abort();
    await pods.close();
  }

  // Clean up before the next round: the garbage collector deletes the ReplicaSet and its pods.
  await cp.kubectl(['delete', 'deployment', name, '-n', NAMESPACE, '--wait=false']);
  const podsApi = client.r('v1', 'pods', NAMESPACE);
  await until(`the pods of ${name} to go`, async () => (await podsApi.list({ labelSelector: `app=${name}` })).items.length === 0).catch((e) => note((e as Error).message));
  return at;
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(2)} s`);

function printRounds(k: Knobs, rounds: Round[], serverPid: number): void {
  console.log(`\n== ${k.replicas}-replica Deployment: time from \`kubectl apply\` (3 nodes, ${rounds.length} round${rounds.length > 1 ? 's' : ''}) ==`);
  const header = ['', ...rounds.map((_, i) => `round ${i + 1}`), 'median'];
  const rows = MILESTONES.map(([m, label]) => {
    const values = rounds.map((r) => r[m]);
    const reached = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    const median = reached.length === rounds.length ? reached[Math.floor((reached.length - 1) / 2)] : undefined;
    return [label, ...values.map(seconds), seconds(median)];
  });
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log('-'.repeat(widths.reduce((a, b) => a + b + 2, -2)));
  for (const r of rows) console.log(line(r));
  const m = memoryOf(serverPid);
  console.log(`\nk8ts server process ${serverPid} (API server + scheduler + controller-manager): RSS ${m.rssMiB.toFixed(0)} MiB at the end, peak ${m.peakMiB.toFixed(0)} MiB`);
  console.log('round 1 includes the first requests to a fresh server; "Ready" waits on the fake kubelet\'s 200 ms polling.');
}

async function main(): Promise<void> {
  const k = parseKnobs(process.argv.slice(2));
  console.log(`controller benchmark on ${process.arch}, node ${process.version}: ${k.replicas} replicas, ${k.rounds} rounds`);
  const cp = await startControlPlane({ full: true });
  const fake = await startFakeNodes(cp.kubeconfig, NODES);
  try {
    console.log(`k8ts server pid ${cp.proc.pid} at ${cp.url}; ${NODES.length} nodes registered`);
    const client = fake.client;
    // Ready to take pods: nodes have podCIDRs (the fake kubelet needs one to give pods IPs) and
    // the namespace has its default ServiceAccount (pods are admitted with it).
    await until('podCIDRs on every node', async () => (await client.r('v1', 'nodes').list()).items.every((n) => n.spec?.podCIDR));
    await until('the default ServiceAccount', async () => client.r('v1', 'serviceaccounts', NAMESPACE).get('default'));
    const rounds: Round[] = [];
    for (let r = 1; r <= k.rounds; r++) {
      rounds.push(await runRound(cp, client, k, r));
      note(`round ${r}: ${MILESTONES.map(([m]) => `${m} ${seconds(rounds.at(-1)![m])}`).join(', ')}`);
    }
    printRounds(k, rounds, cp.proc.pid!);
  } finally {
    await fake.stop();
    await cp.stop();
  }
}

await main();
