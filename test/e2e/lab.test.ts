// The whole system end to end, as its user meets it: `k8ts lab up` builds the three-node lab,
// the real kubectl deploys examples/ (the user's nginx and mysql manifests), and every answer is
// checked where a user would look — kubectl's output, a Service answering from a node and from a
// pod, the iptables rules on a worker, the runtime's containers — through faults (a kubelet
// killed, the control plane restarted) to `lab down` leaving nothing behind.
//
// The lab is this suite's own (test/e2e/support/e2eLab.ts: prefix k8tse2e-, LAN 192.168.163.0/24,
// pods 10.163.0.0/16, Services 10.164.0.0/16, files under /tmp), next to any lab a user runs.
// kubectl runs in the root namespace through the lab's loopback relay; every HTTP or mysql probe
// runs inside a node's namespace or a pod. Steps run in order on one lab; each waits for the state
// it needs rather than assuming the previous step left it, and every wait is bounded.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, PodList } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsProbeIn } from '../../lab/labProbes.ts';
import { execIn } from '../../lab/netns.ts';
import { labDown, labExec, labStatus, labUp, leftovers, nodeNamespace, type LabStatus } from '../../lab/lab.ts';
import { type LabOptions, type LabPlan, labPlan, REPO_DIR } from '../../lab/labPlan.ts';
import { processAlive, stopPid, waitFor } from '../../lab/processes.ts';
import { run } from '../../lab/run.ts';
import { answeringPod, E2E_LAB, freeLoopbackPort, httpGetManyIn, httpGetManyInPod, Kubectl, prepareExamples, runningContainers, sandboxNetns } from './support/e2eLab.ts';
import { serviceNatRules } from './support/natRules.ts';

const isRoot = process.getuid?.() === 0;
const hasKubectl = existsSync('/usr/bin/kubectl');
const log = (line: string) => console.log(`[e2e lab] ${line}`);

/** Polls every second; the limits are generous for a 2-core machine shared with other suites. */
const POLL = { intervalMs: 1000 };
const MINUTES = (n: number) => ({ attempts: n * 60, intervalMs: 1000 });

const NGINX = { deployment: 'nginx-deploy', service: 'default/nginx-deploy', selector: 'app=nginx-deploy', nodePort: 30081 };
const MYSQL_ROOT_PASSWORD = 'password'; // examples/mysql-configmap.yaml
/** Short enough for the test, as a user lowers them to fail over faster (upstream default: 300 s). */
const TOLERATION_SECONDS = 10;

describe.skipIf(!isRoot || !hasKubectl)('the lab end to end, through the real kubectl', () => {
  let opts: LabOptions;
  let plan: LabPlan;
  let k: Kubectl;
  let firstStatus: LabStatus;
  const worker = (i: 0 | 1) => plan.nodes[1 + i];

  const activePods = async (namespace: string, selector: string): Promise<Pod[]> =>
    (await k.json<PodList>(['get', 'pods', '-n', namespace, '-l', selector])).items.filter((p) => !p.metadata?.deletionTimestamp);
  const isReady = (p: Pod) => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

  /** The nginx Deployment rolled out: its 3 (or `replicas`) pods Running and Ready. */
  const nginxReplicas = async (replicas = 3): Promise<Pod[]> => {
    await k.ok(['rollout', 'status', `deployment/${NGINX.deployment}`, '--timeout=300s'], { timeoutMs: 320_000 });
    return waitFor(`${replicas} ready nginx replicas`, async () => {
      const pods = await activePods('default', NGINX.selector);
      return pods.length === replicas && pods.every(isReady) ? pods : undefined;
    }, MINUTES(5));
  };
  const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!).sort();
  const clusterIP = (ns: string, svc: string) => k.jsonpath(['get', 'service', '-n', ns, svc], '{.spec.clusterIP}');
  const mysqlQuery = async (sql: string): Promise<string> => {
    const ip = await clusterIP('mysql', 'mysql');
    return (await k.ok(['exec', '-n', 'mysql', 'mysql-pod', '--', 'mysql', '-h', ip, '-uroot', `-p${MYSQL_ROOT_PASSWORD}`, '-N', '-B', '-e', sql])).trim();
  };
  /** Repeated GETs until every wanted pod has answered (a bounded number of tries); the answers seen. */
  const answersUntilAll = async (get: () => Promise<string[]>, want: string[]): Promise<string[]> => {
    const seen = new Set<string>();
    for (let round = 0; round < 10 && !want.every((w) => seen.has(w)); round++) {
      for (const body of await get()) {
        const pod = answeringPod(body);
        if (pod) seen.add(pod);
      }
    }
    return [...seen].sort();
  };
  const natOf = async (node: 0 | 1) => execIn(worker(node).name, 'iptables-save', ['-t', 'nat']);

  beforeAll(async () => {
    opts = { ...E2E_LAB, relayPort: await freeLoopbackPort() };
    plan = labPlan(opts);
    k = new Kubectl(plan);
    await labDown({ ...opts, purge: true }); // leftovers of an interrupted run
    opts.examplesDir = prepareExamples(plan, join(REPO_DIR, 'examples'));
    await labUp({ ...opts, log });
  }, 1_800_000);

  afterAll(async () => {
    await labDown({ ...opts, purge: true, log });
  }, 600_000);

  it('serves kubectl from the root namespace through the loopback relay, every Node Ready with its InternalIP and runtime', async () => {
    expect(plan.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await k.ok(['get', 'ns', '-o', 'name'])).split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system', 'namespace/mysql']));

    const containerd = (await run('containerd', ['--version'])).split(' ')[2];
    const wide = (await k.ok(['get', 'nodes', '-o', 'wide', '--no-headers'])).trim().split('\n').map((l) => l.split(/\s+/));
    // NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE(several words) KERNEL-VERSION CONTAINER-RUNTIME
    expect(wide.map((c) => [c[0], c[1], c[2], c[5], c.at(-1)]).sort()).toEqual([
      [`${plan.prefix}master`, 'Ready', 'control-plane', plan.nodes[0].address, `containerd://${containerd}`],
      [`${plan.prefix}worker-0`, 'Ready', '<none>', plan.nodes[1].address, `containerd://${containerd}`],
      [`${plan.prefix}worker-1`, 'Ready', '<none>', plan.nodes[2].address, `containerd://${containerd}`],
    ]);
    const master = await k.json<Node>(['get', 'node', plan.master.name]);
    expect(master.spec?.taints).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' })]));
  });

  it('reports every component running and healthy with its peak memory; runs commands on a node', async () => {
    firstStatus = await waitFor('every component healthy', async () => {
      const s = await labStatus(opts);
      return s.components.every((c) => c.alive && c.health === 'ok') ? s : undefined;
    }, MINUTES(2));
    const where = firstStatus.components.map((c) => `${c.component}@${c.node}`);
    for (const node of plan.nodes) expect(where).toEqual(expect.arrayContaining([`containerd@${node.name}`, `kubelet@${node.name}`, `proxy@${node.name}`]));
    expect(where).toEqual(expect.arrayContaining([`control-plane@${plan.master.name}`, `registry@${plan.master.name}`, `relay@${plan.master.name}`, 'relay@host']));
    expect(firstStatus.components.filter((c) => !(c.peakMemoryBytes! > 0))).toEqual([]);
    log(firstStatus.components.map((c) => `${c.component}@${c.node} peak ${Math.round(c.peakMemoryBytes! / 2 ** 20)} MiB`).join(', '));

    expect(await labExec('worker-0', ['sh', '-c', `ip -4 -o addr show eth0 | grep -q ${worker(0).address} && exit 7`], opts)).toBe(7);
    // A node routes what it does not know to the LAN (a machine's default route), never out of the lab.
    expect(await execIn(nodeNamespace('worker-1', opts), 'ip', ['route', 'show', 'default'])).toContain(`via ${plan.net.bridgeAddress} dev eth0`);
  }, 180_000);

  it('is harmless to bring up twice: the same processes keep running', async () => {
    await labUp(opts);
    const again = await labStatus(opts);
    expect(again.components.map((c) => [c.component, c.node, c.pid])).toEqual(firstStatus.components.map((c) => [c.component, c.node, c.pid]));
  }, 600_000);

  it("runs the user's manifests: every pod Running and Ready, with its init container, hostPath, ConfigMap and PV", async () => {
    const expected = [['default', 'app=nginx', 1], ['default', NGINX.selector, 3], ['mysql', 'app=mysql-pod', 1], ['mysql', 'app=mysql', 1]] as const;
    for (const [ns, selector, count] of expected) {
      await waitFor(`${count} ready pod(s) ${selector} in ${ns}`, async () => {
        const pods = await activePods(ns, selector);
        return pods.length === count && pods.every(isReady);
      }, MINUTES(5));
    }
    // nginx-pod: the init container ran to completion and wrote the page through the hostPath
    // volume, which the kubelet created on the node (DirectoryOrCreate).
    const nginxPod = await k.json<Pod>(['get', 'pod', 'nginx-pod']);
    expect(nginxPod.status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await k.ok(['exec', 'nginx-pod', '-c', 'nginx', '--', 'cat', '/usr/share/nginx/html/index.html'])).toBe('hello from k8ts\n');
    expect(existsSync(join(plan.labDir, 'data', 'nginx-html', 'index.html'))).toBe(true);

    // mysql: the Deployment is Recreate, its pod gets the ConfigMap as environment and runs
    // where the PV is (worker-0), the claim Bound to it.
    const deploy = await k.json<Deployment>(['get', 'deployment', '-n', 'mysql', 'mysql-deploy']);
    expect(deploy.spec?.strategy?.type).toBe('Recreate');
    const [mysqlPod] = await activePods('mysql', 'app=mysql');
    expect(mysqlPod.spec?.nodeName).toBe(worker(0).name);
    expect(await k.ok(['exec', '-n', 'mysql', mysqlPod.metadata!.name!, '--', 'printenv', 'MYSQL_DATABASE'])).toBe('k8ts\n');
    expect(await k.jsonpath(['get', 'pvc', '-n', 'mysql', 'my-pvc'], '{.status.phase} {.spec.volumeName}')).toBe('Bound my-pv');
    expect(await k.jsonpath(['get', 'pv', 'my-pv'], '{.status.phase} {.spec.claimRef.namespace}/{.spec.claimRef.name}')).toBe('Bound mysql/my-pvc');
  }, 900_000);

  it("answers on the nginx Service's ClusterIP and on each worker's NodePort from worker-1, every replica in turn", async () => {
    const replicas = names(await nginxReplicas());
    const ip = await clusterIP('default', 'nginx-deploy');
    const ns = worker(1).name;
    await waitFor('the ClusterIP to answer from worker-1', async () => answeringPod((await httpGetManyIn(ns, `http://${ip}/`, 1))[0]), MINUTES(2));
    expect(await answersUntilAll(() => httpGetManyIn(ns, `http://${ip}/`, 12), replicas)).toEqual(replicas);
    for (const node of [worker(0), worker(1)]) {
      expect(await answersUntilAll(() => httpGetManyIn(ns, `http://${node.address}:${NGINX.nodePort}/`, 12), replicas)).toEqual(replicas);
    }
    // The `kubernetes` Service leads to the API server (its EndpointSlice is the API server's own).
    const apiIP = await clusterIP('default', 'kubernetes');
    const version = await waitFor('the API server through its ClusterIP', async () => {
      const res = await httpsProbeIn(ns, `https://${apiIP}:443/version`, plan.caCert);
      return res.ok ? res.body : undefined;
    }, MINUTES(2));
    expect(JSON.parse(version)).toMatchObject({ major: '1' });
  }, 600_000);

  it('answers on the same ClusterIP and NodePorts from inside a pod, every replica in turn', async () => {
    const replicas = names(await nginxReplicas());
    const ip = await clusterIP('default', 'nginx-deploy');
    const client = { namespace: 'default', name: 'nginx-pod', container: 'nginx' };
    expect(await answersUntilAll(() => httpGetManyInPod(k, client, ip, 80, 12), replicas)).toEqual(replicas);
    for (const node of [worker(0), worker(1)]) {
      expect(await answersUntilAll(() => httpGetManyInPod(k, client, node.address, NGINX.nodePort, 12), replicas)).toEqual(replicas);
    }
  }, 600_000);

  it('answers SELECT 1 through the mysql Service, and keeps a row when its pod is deleted (Recreate, PV on worker-0)', async () => {
    expect(await waitFor('mysql to answer through its ClusterIP', () => mysqlQuery('SELECT 1').catch(() => undefined), MINUTES(4))).toBe('1');
    const note = `kept-${Date.now()}`;
    await mysqlQuery(`CREATE TABLE IF NOT EXISTS k8ts.notes (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64)); INSERT INTO k8ts.notes (note) VALUES ('${note}')`);
    // The data lives in the PV's directory on worker-0 (the lab's nodes share this filesystem).
    expect(readdirSync(join(plan.labDir, 'data', 'mysql', 'k8ts')).some((f) => f.startsWith('notes.'))).toBe(true);

    const [before] = await activePods('mysql', 'app=mysql');
    await k.ok(['delete', 'pod', '-n', 'mysql', before.metadata!.name!, '--wait=true'], { timeoutMs: 180_000 });
    const after = await waitFor('a new mysql pod, ready', async () => {
      const pods = await activePods('mysql', 'app=mysql');
      return pods.length === 1 && pods[0].metadata!.uid !== before.metadata!.uid && isReady(pods[0]) ? pods[0] : undefined;
    }, MINUTES(5));
    expect(after.spec?.nodeName).toBe(worker(0).name);
    expect(await waitFor('the row after the restart', async () => (await mysqlQuery('SELECT note FROM k8ts.notes').catch(() => '')).includes(note), MINUTES(4))).toBe(true);
  }, 900_000);

  it("writes the Service's KUBE-SVC/KUBE-SEP chains with their comments on worker-0, down to one KUBE-SEP after scale --replicas=1", async () => {
    const pods = await nginxReplicas();
    const ip = await clusterIP('default', 'nginx-deploy');
    const podEndpoints = pods.map((p) => `${p.status!.podIP}:80`).sort();
    const rules = await waitFor('rules for every replica', async () => {
      const r = serviceNatRules(await natOf(0), NGINX.service);
      return r.endpoints.map((e) => e.destination).sort().join() === podEndpoints.join() ? r : undefined;
    }, MINUTES(2));
    expect(rules.clusterIPRule).toContain(`-d ${ip}/32`);
    expect(rules.clusterIPRule).toContain(`--comment "${NGINX.service} cluster IP"`);
    expect(rules.svcChain).toMatch(/^KUBE-SVC-[A-Z2-7]{16}$/);
    for (const e of rules.endpoints) {
      expect(e.chain).toMatch(/^KUBE-SEP-[A-Z2-7]{16}$/);
      expect(e.jumpRule).toContain(`--comment "${NGINX.service} -> ${e.destination}"`);
      expect(e.dnatRule).toContain(`--comment "${NGINX.service}"`);
    }
    // Three endpoints: the first two chosen with probability 1/3 then 1/2, the last always.
    const probabilities = rules.endpoints.map((e) => /--probability (\S+)/.exec(e.jumpRule)?.[1]);
    expect(Number(probabilities[0])).toBeCloseTo(1 / 3, 6);
    expect(Number(probabilities[1])).toBeCloseTo(1 / 2, 6);
    expect(probabilities[2]).toBeUndefined();
    expect(rules.nodePort).toBe(NGINX.nodePort);
    expect(rules.extChain).toMatch(/^KUBE-EXT-/);

    await k.ok(['scale', `deployment/${NGINX.deployment}`, '--replicas=1']);
    try {
      const [left] = await nginxReplicas(1);
      const one = await waitFor('one KUBE-SEP left', async () => {
        const save = await natOf(0);
        const r = serviceNatRules(save, NGINX.service);
        // Gone, not only unreferenced: no chain of the Service's endpoints but one is left.
        const sepChains = new Set(save.split('\n').filter((l) => /^-A KUBE-SEP-/.test(l) && l.includes(`"${NGINX.service}"`)).map((l) => l.split(' ')[1]));
        return r.endpoints.length === 1 && sepChains.size === 1 ? r : undefined;
      }, MINUTES(2));
      expect(one.endpoints[0].destination).toBe(`${left.status!.podIP}:80`);
      expect(one.endpoints[0].jumpRule).not.toContain('--probability');
    } finally {
      await k.ok(['scale', `deployment/${NGINX.deployment}`, '--replicas=3']);
    }
    expect(await nginxReplicas(3)).toHaveLength(3);
  }, 900_000);

  it('serves kubectl logs, exec and port-forward', async () => {
    const [pod] = await nginxReplicas();
    const name = pod.metadata!.name!;
    const token = `e2e-${Date.now()}`;
    const [page] = await httpGetManyIn(worker(1).name, `http://${pod.status!.podIP}/?probe=${token}`, 1);
    expect(page.trim()).toBe(`hello from ${name}`);
    expect(await waitFor('the request in the access log', async () => (await k.ok(['logs', name, '-c', 'nginx'])).includes(`"GET /?probe=${token} HTTP/1.1" 200`), MINUTES(1))).toBe(true);

    expect(await k.ok(['exec', name, '--', 'cat', '/usr/share/nginx/html/index.html'])).toBe(`hello from ${name}\n`);
    expect(await k.ok(['exec', '-i', name, '--', 'cat'], { input: 'through stdin\n' })).toBe('through stdin\n');
    expect((await k.run(['exec', name, '--', 'sh', '-c', 'exit 3'])).code).toBe(3);

    // port-forward listens on loopback in the root namespace (kubectl's side), the pod's port
    // reached through the kubelet and the runtime inside the node.
    const forward: ChildProcess = spawn('kubectl', ['--kubeconfig', plan.adminKubeconfig, 'port-forward', `pod/${name}`, ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      forward.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      forward.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const port = await waitFor('port-forward to listen', () => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], { attempts: 120, intervalMs: 500 });
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30_000) });
      expect(await res.text()).toBe(`hello from ${name}\n`);
    } finally {
      forward.kill('SIGTERM');
    }
  }, 600_000);

  it('rolls out a restart (rollout restart, rollout status) and replaces a deleted pod', async () => {
    const before = names(await nginxReplicas());
    await k.ok(['rollout', 'restart', `deployment/${NGINX.deployment}`]);
    const status = await k.ok(['rollout', 'status', `deployment/${NGINX.deployment}`, '--timeout=300s'], { timeoutMs: 320_000 });
    expect(status).toContain('successfully rolled out');
    const restarted = await waitFor('the old replicas gone', async () => {
      const all = await k.json<PodList>(['get', 'pods', '-l', NGINX.selector]);
      const now = names(all.items);
      return now.length === 3 && now.every((n) => !before.includes(n)) ? now : undefined;
    }, MINUTES(5));
    // The Service follows: its endpoints are the new pods.
    const podIPs = (await nginxReplicas()).map((p) => p.status!.podIP).sort().join(' ');
    await waitFor('endpoints of the new pods', async () => (await k.jsonpath(['get', 'endpoints', 'nginx-deploy'], '{.subsets[*].addresses[*].ip}')).split(' ').sort().join(' ') === podIPs, MINUTES(2));

    const victim = restarted[0];
    const victimPod = await k.json<Pod>(['get', 'pod', victim]);
    await k.ok(['delete', 'pod', victim, '--wait=true'], { timeoutMs: 180_000 });
    expect((await k.run(['get', 'pod', victim])).stderr).toContain(`pods "${victim}" not found`);
    const replaced = names(await nginxReplicas());
    expect(replaced).not.toContain(victim);
    // Its containers are gone from its node's runtime.
    const node = plan.nodes.find((n) => n.name === victimPod.spec?.nodeName)!;
    await waitFor('the deleted pod’s containers gone', async () => (await runningContainers(node)).every((c) => c.podUid !== victimPod.metadata!.uid), MINUTES(2));
  }, 900_000);

  it("survives a killed kubelet: worker-1 NotReady, its pods recreated on worker-0; restarted by lab up, Ready, no duplicate containers", async () => {
    // Short tolerations for a node that stops answering, as a user sets them to fail over fast.
    const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_SECONDS });
    const patch = { spec: { template: { spec: { tolerations: [toleration('node.kubernetes.io/not-ready'), toleration('node.kubernetes.io/unreachable')] } } } };
    await k.ok(['patch', 'deployment', NGINX.deployment, '--type=strategic', '-p', JSON.stringify(patch)]);
    const pods = await nginxReplicas();
    const onWorker1 = pods.filter((p) => p.spec?.nodeName === worker(1).name);
    expect(onWorker1.length, `replicas spread over both workers: ${pods.map((p) => p.spec?.nodeName).join(', ')}`).toBeGreaterThan(0);

    const kubelet = (await labStatus(opts)).components.find((c) => c.component === 'kubelet' && c.node === worker(1).name)!;
    expect(kubelet.alive).toBe(true);
    process.kill(kubelet.pid!, 'SIGKILL');
    await waitFor('the kubelet to exit', () => !processAlive(kubelet.pid!), MINUTES(1));

    // node-monitor-grace-period (40 s) without a heartbeat: Ready becomes Unknown.
    const ready = () => k.jsonpath(['get', 'node', worker(1).name], '{.status.conditions[?(@.type=="Ready")].status}');
    expect(await waitFor('worker-1 NotReady', async () => ((await ready()) !== 'True' ? await ready() : undefined), MINUTES(3))).toBe('Unknown');
    const moved = await waitFor('3 ready replicas, all on worker-0', async () => {
      const now = await activePods('default', NGINX.selector);
      return now.length === 3 && now.every((p) => isReady(p) && p.spec?.nodeName === worker(0).name) ? now : undefined;
    }, MINUTES(5));
    expect(names(moved).filter((n) => names(onWorker1).includes(n))).toEqual([]);
    // Nothing new was placed on the unreachable node (its NoSchedule taint): on it are only the
    // evicted pods, Terminating until a kubelet confirms.
    const onUnreachable = (await k.json<PodList>(['get', 'pods', '-l', NGINX.selector, '--field-selector', `spec.nodeName=${worker(1).name}`])).items;
    expect(names(onUnreachable)).toEqual(names(onWorker1));
    expect(onUnreachable.every((p) => p.metadata?.deletionTimestamp)).toBe(true);
    // The Service keeps answering, from the replicas that run.
    const ip = await clusterIP('default', 'nginx-deploy');
    expect(await answersUntilAll(() => httpGetManyIn(worker(0).name, `http://${ip}/`, 12), names(moved))).toEqual(names(moved));

    // `lab up` starts what is missing: the kubelet, which then stops the evicted pods' containers.
    await labUp({ ...opts, log });
    expect(await ready()).toBe('True');
    const restarted = (await labStatus(opts)).components.find((c) => c.component === 'kubelet' && c.node === worker(1).name)!;
    expect(restarted.pid).not.toBe(kubelet.pid);
    await waitFor('the evicted pods deleted', async () => {
      const left = await k.json<PodList>(['get', 'pods', '-l', NGINX.selector]);
      return left.items.every((p) => !names(onWorker1).includes(p.metadata!.name!));
    }, MINUTES(5));
    const evictedUids = onWorker1.map((p) => p.metadata!.uid!);
    const clean = await waitFor('worker-1 running exactly the containers of its pods', async () => {
      const bound = (await k.json<PodList>(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${worker(1).name}`])).items;
      const running = await runningContainers(worker(1));
      const keys = running.map((c) => `${c.podUid}/${c.container}`);
      const duplicate = keys.length !== new Set(keys).size;
      const stray = running.filter((c) => !bound.some((p) => p.metadata!.uid === c.podUid) || evictedUids.includes(c.podUid));
      const missing = bound.filter((p) => isReady(p) && !running.some((c) => c.podUid === p.metadata!.uid));
      return !duplicate && stray.length === 0 && missing.length === 0 ? running : undefined;
    }, MINUTES(3));
    log(`worker-1 runs ${clean.map((c) => `${c.namespace}/${c.pod}/${c.container}`).join(', ') || 'no containers'}`);
  }, 1_200_000);

  it('keeps serving while the control plane restarts, and finds the cluster as it was', async () => {
    await nginxReplicas();
    await waitFor('mysql', () => mysqlQuery('SELECT 1').catch(() => undefined), MINUTES(4));
    const snapshot = async () => (await k.json<PodList>(['get', 'pods', '-A'])).items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => `${p.metadata!.namespace}/${p.metadata!.name} ${p.metadata!.uid} ${p.spec!.nodeName}`).sort();
    const pods = await snapshot();
    const rows = await mysqlQuery('SELECT note FROM k8ts.notes ORDER BY id');
    const ip = await clusterIP('default', 'nginx-deploy');

    const server = (await labStatus(opts)).components.find((c) => c.component === 'control-plane')!;
    await stopPid(server.pid!);
    expect((await k.run(['get', 'nodes'], { timeoutMs: 30_000 })).code).not.toBe(0);
    // The proxies' rules stay in place: the Service answers without the API server.
    const whileDown = await httpGetManyIn(worker(1).name, `http://${ip}/`, 6);
    expect(whileDown.filter((b) => !answeringPod(b))).toEqual([]);

    await labUp({ ...opts, log });
    expect(await snapshot()).toEqual(pods);
    expect(await mysqlQuery('SELECT note FROM k8ts.notes ORDER BY id')).toBe(rows);
    expect(await k.jsonpath(['get', 'pv', 'my-pv'], '{.status.phase}')).toBe('Bound');
    expect(names(await nginxReplicas())).toHaveLength(3);
    const nodes = await k.jsonpath(['get', 'nodes'], '{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}');
    expect(nodes.trim().split(' ')).toEqual(['True', 'True', 'True']);
  }, 900_000);

  it('goes down leaving no process, namespace, mount, route or cgroup behind', async () => {
    const status = await labStatus(opts);
    const pids = status.components.filter((c) => c.alive).map((c) => c.pid!);
    const podNetns = (await Promise.all(plan.nodes.map((n) => sandboxNetns(n).catch(() => [] as string[])))).flat();
    expect(podNetns.length).toBeGreaterThan(0);
    await labDown({ ...opts, purge: true, log });
    expect(pids.filter(processAlive)).toEqual([]);
    expect(await leftovers(plan)).toEqual([]);
    expect(podNetns.filter((p) => existsSync(p))).toEqual([]);
    expect(existsSync(plan.labDir)).toBe(false);
    const after = await labStatus(opts);
    expect(after.apiReady).toBe(false);
    expect(after.components.filter((c) => c.alive)).toEqual([]);
  }, 600_000);
});
