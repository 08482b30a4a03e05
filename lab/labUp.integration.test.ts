// `lab up` and `lab down` for real (root): a lab of this test's own — namespaces k8tsup-*, LAN
// 192.168.158.0/24, pods 10.158.0.0/16, Services 10.159.0.0/16, files under /tmp, kubectl's relay
// on a free loopback port — so a user's lab is never touched. The real kubectl reaches the API
// server from the root namespace through the relays only; the examples are deployed and the
// nginx Pod answers on its NodePort; then `lab down` must leave no process, namespace, route,
// mount or cgroup behind.
//
// The kubelets run through `k8ts kubelet` once bin/main.ts has it, through the kubelet's own
// command-line entry (agent/kubelet/testing/kubeletMain.ts, same flags) until then.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labExec, labStatus, labUp, leftovers, type LabStatus } from './lab.ts';
import { type LabOptions, type LabPlan, labPlan, REPO_DIR } from './labPlan.ts';
import { processAlive, waitFor } from './processes.ts';
import { httpGetIn } from './registry.ts';
import { tryRun } from './run.ts';

const isRoot = process.getuid?.() === 0;
const hasKubectl = existsSync('/usr/bin/kubectl');
const log = (line: string) => console.log(`[lab up test] ${line}`);

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `k8ts kubelet` when bin/main.ts runs it, else the kubelet's own entry with the same flags. */
function kubeletEntry(): string[] {
  const k8ts = [process.execPath, join(REPO_DIR, 'bin', 'k8ts.mjs')];
  const help = (() => {
    try {
      return execFileSync(k8ts[0], [...k8ts.slice(1), 'kubelet', '--help'], { encoding: 'utf8', cwd: REPO_DIR });
    } catch {
      return '';
    }
  })();
  if (help.includes('--container-runtime-endpoint')) return [...k8ts, 'kubelet'];
  return [process.execPath, '--import', 'tsx', join(REPO_DIR, 'agent', 'kubelet', 'testing', 'kubeletMain.ts')];
}

const BASE: LabOptions = {
  namePrefix: 'k8tsup-',
  lanPrefix: '192.168.158',
  podSecondOctet: 158,
  serviceCIDR: '10.159.0.0/16',
  labDir: '/tmp/k8tsup-lab',
};

describe.skipIf(!isRoot || !hasKubectl)('k8ts lab up / down on this machine', () => {
  let opts: LabOptions;
  let plan: LabPlan;
  let before: LabStatus;

  const kubectl = (args: string[]) => tryRun('kubectl', ['--kubeconfig', plan.adminKubeconfig, '--cache-dir', join(plan.labDir, 'kubectl-cache'), ...args], { timeoutMs: 60_000 });

  beforeAll(async () => {
    opts = { ...BASE, relayPort: await freeLoopbackPort(), kubeletEntry: kubeletEntry() };
    plan = labPlan(opts);
    await labDown({ ...opts, purge: true }); // leftovers of an interrupted run
    await labUp({ ...opts, log });
  }, 900_000);

  afterAll(async () => {
    await labDown({ ...opts, purge: true, log });
  }, 300_000);

  it('serves the real kubectl from the root namespace through the loopback relay', async () => {
    expect(plan.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ns = await kubectl(['get', 'ns', '-o', 'name']);
    expect(ns.stderr).toBe('');
    expect(ns.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));
  });

  it('has every Node Ready, the master tainted for the control plane', async () => {
    const nodes = await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.taints[*].key}{"\\n"}{end}']);
    expect(nodes.stdout.trim().split('\n').map((l) => l.trimEnd()).sort()).toEqual([
      'k8tsup-master True node-role.kubernetes.io/control-plane',
      'k8tsup-worker-0 True',
      'k8tsup-worker-1 True',
    ]);
  });

  it('reports every component running and healthy', async () => {
    before = await waitFor('every component healthy', async () => {
      const s = await labStatus(opts);
      return s.components.every((c) => c.alive && c.health === 'ok') ? s : undefined;
    }, { attempts: 120, intervalMs: 500 });
    const kinds = before.components.map((c) => `${c.component}@${c.node}`);
    expect(kinds).toEqual(expect.arrayContaining(['control-plane@k8tsup-master', 'relay@host', 'registry@k8tsup-master', 'proxy@k8tsup-worker-1', 'kubelet@k8tsup-worker-0', 'containerd@k8tsup-worker-1']));
    expect(before.apiReady).toBe(true);
    expect(before.nodes.every((n) => n.namespace && n.ready)).toBe(true);
  });

  it("deployed examples/: the nginx Pod runs from the registry's image and answers on its NodePort from another node", async () => {
    const phase = await waitFor('nginx-pod to be Running', async () => {
      const res = await kubectl(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.status.phase} {.spec.nodeName}']);
      return res.stdout.startsWith('Running') ? res.stdout : undefined;
    }, { attempts: 240, intervalMs: 500 });
    expect(phase).toMatch(/^Running k8tsup-worker-[01]$/);
    const [worker0, worker1] = plan.nodes.slice(1);
    const page = await waitFor('the NodePort to answer', async () => {
      const res = await httpGetIn(worker1.name, `http://${worker0.address}:30080/`);
      return res.ok ? res.body : undefined;
    }, { attempts: 120, intervalMs: 500 });
    expect(page).toContain('hello from k8ts');
  }, 180_000);

  it('runs commands on a node, passing the exit code through', async () => {
    expect(await labExec('worker-0', ['sh', '-c', 'ip -4 -o addr show eth0 | grep -q 192.168.158.11 && exit 7'], opts)).toBe(7);
    expect(await labExec('k8tsup-worker-0', ['iptables-save', '-t', 'nat'], opts)).toBe(0);
  });

  it('is harmless to bring up twice: the same processes keep running', async () => {
    await labUp(opts);
    const again = await labStatus(opts);
    expect(again.components.map((c) => [c.component, c.node, c.pid])).toEqual(before.components.map((c) => [c.component, c.node, c.pid]));
  }, 300_000);

  it('goes down leaving nothing behind', async () => {
    const pids = before.components.map((c) => c.pid!);
    await labDown({ ...opts, purge: true, log });
    expect(pids.filter(processAlive)).toEqual([]);
    expect(await leftovers(plan)).toEqual([]);
    expect(existsSync(plan.labDir)).toBe(false);
    const s = await labStatus(opts);
    expect(s.apiReady).toBe(false);
    expect(s.components.filter((c) => c.alive)).toEqual([]);
  }, 300_000);
});
