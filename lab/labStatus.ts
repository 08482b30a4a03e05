// `k8ts lab status`: what runs where, whether it is alive, and whether it answers.
//
//   labStatus(opts)      → LabStatus (probes each live component from where it can be reached)
//   formatStatus(s)      → the table `lab status` prints (pure)
//
// Health comes from each component's own endpoint: the API server's /readyz through the relay,
// the kubelet's /healthz on :10250 and the proxy's /healthz on :10256 from inside the node's
// namespace, containerd's `ctr version`, the registry's /v2/, etcd's /health.

import { existsSync } from 'node:fs';
import { ctr } from './containerd.ts';
import { everyDaemon } from './labDown.ts';
import { type LabDaemon, labDaemons, type LabOptions, type LabPlan, labPlan, ETCD_CLIENT_PORT, KUBELET_PORT, PROXY_HEALTHZ_PORT } from './labPlan.ts';
import { apiGet, httpsProbeIn, peakMemoryBytes, type ProbeResult, readyNodes } from './labProbes.ts';
import { namespaceExists } from './netns.ts';
import { daemonPid } from './processes.ts';
import { httpGetIn } from './registry.ts';

export interface ComponentStatus {
  component: string;
  node: string;
  pid?: number;
  alive: boolean;
  /** "ok", or what the probe said; "-" when not running. */
  health: string;
  peakMemoryBytes?: number;
  logFile: string;
}

export interface NodeStatus {
  name: string;
  address: string;
  namespace: boolean;
  /** The Node's Ready condition; undefined when the API server did not answer. */
  ready?: boolean;
}

export interface LabStatus {
  labDir: string;
  adminKubeconfig: string;
  apiURL: string;
  apiReady: boolean;
  nodes: NodeStatus[];
  components: ComponentStatus[];
}

export async function labStatus(opts: LabOptions = {}): Promise<LabStatus> {
  const plan = labPlan(opts);
  const api = await apiGet(plan, '/readyz');
  const ready = api.ok ? await readyNodes(plan) : undefined;
  const expected = new Set(labDaemons(plan).map((d) => d.pidFile));
  const shown = everyDaemon(plan).filter((d) => expected.has(d.pidFile) || existsSync(d.pidFile));
  const components: ComponentStatus[] = [];
  for (const d of shown) {
    const pid = daemonPid(d.pidFile, d.marker);
    const health = pid === undefined ? '-' : describe(await probe(plan, d, api));
    components.push({ component: d.component, node: d.node, pid, alive: pid !== undefined, health, peakMemoryBytes: pid === undefined ? undefined : peakMemoryBytes(pid), logFile: d.logFile });
  }
  return {
    labDir: plan.labDir,
    adminKubeconfig: plan.adminKubeconfig,
    apiURL: plan.relay.url,
    apiReady: api.ok,
    nodes: plan.nodes.map((n) => ({ name: n.name, address: n.address, namespace: namespaceExists(n.name), ready: ready?.includes(n.name) })),
    components,
  };
}

function describe(r: ProbeResult): string {
  if (r.ok) return 'ok';
  return r.status ? `HTTP ${r.status}` : r.body.split('\n')[0].slice(0, 60) || 'no answer';
}

async function probe(plan: LabPlan, d: LabDaemon, api: ProbeResult): Promise<ProbeResult> {
  const node = plan.nodes.find((n) => n.name === d.node);
  switch (d.component) {
    case 'control-plane':
    case 'relay':
      return api;
    case 'kubelet':
      return httpsProbeIn(d.node, `https://${node!.address}:${KUBELET_PORT}/healthz`, plan.caCert);
    case 'proxy':
      return httpGetIn(d.node, `http://127.0.0.1:${PROXY_HEALTHZ_PORT}/healthz`);
    case 'containerd':
      return ctr(node!.containerd, ['version']).then(
        () => ({ ok: true, status: 0, body: '' }),
        (err: Error) => ({ ok: false, status: 0, body: err.message }),
      );
    case 'registry':
      return httpGetIn(d.node, `http://${plan.registry.address}/v2/`);
    case 'etcd':
      return httpGetIn(d.node, `http://127.0.0.1:${ETCD_CLIENT_PORT}/health`);
  }
}

const mib = (bytes?: number) => (bytes === undefined ? '-' : `${Math.round(bytes / 2 ** 20)} MiB`);

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

export function formatStatus(s: LabStatus): string {
  const lines = [`lab: ${s.labDir}`, `API server: ${s.apiURL} ${s.apiReady ? 'ready' : 'not answering'}`, `kubeconfig: ${s.adminKubeconfig}`, ''];
  lines.push(
    ...table([
      ['NODE', 'ADDRESS', 'NAMESPACE', 'READY'],
      ...s.nodes.map((n) => [n.name, n.address, n.namespace ? 'yes' : 'missing', n.ready === undefined ? 'unknown' : n.ready ? 'True' : 'False']),
    ]),
  );
  lines.push('');
  lines.push(
    ...table([
      ['COMPONENT', 'NODE', 'PID', 'STATE', 'HEALTH', 'PEAK MEMORY'],
      ...s.components.map((c) => [c.component, c.node, c.pid === undefined ? '-' : String(c.pid), c.alive ? 'running' : 'stopped', c.health, mib(c.peakMemoryBytes)]),
    ]),
  );
  return `${lines.join('\n')}\n`;
}
