// Asking the lab's components whether they are well, from where each can be reached:
//
//   apiGet(plan, path)                    the API server through the loopback relay, as kubectl does
//   httpsProbeIn(ns, url, caFile)         an HTTPS GET made from inside a node's namespace
//   readyNodes(plan)                      the names of the Nodes whose Ready condition is True
//   peakMemoryBytes(pid)                  VmHWM: the most resident memory the process ever had
//
// Nothing here sends a packet from the root namespace to a lab address: the relay listens on
// loopback, and every other probe runs inside the node's namespace.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { Node } from 'kubernetes-types/core/v1.js';
import { tryExecIn } from './netns.ts';
import type { LabPlan } from './labPlan.ts';

/** A probe answers in milliseconds; a hung one must not stall `lab status`. */
const PROBE_TIMEOUT_MS = 3000;

export interface ProbeResult {
  ok: boolean;
  /** 0 when no HTTP answer came; then body says why (ECONNREFUSED, ETIMEDOUT …). */
  status: number;
  body: string;
}

/** GET path on the API server via the relay, authenticated with the admin certificate. */
export function apiGet(plan: LabPlan, path: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let tls: { ca: Buffer; cert: Buffer; key: Buffer };
    try {
      tls = { ca: readFileSync(plan.caCert), cert: readFileSync(plan.adminCert), key: readFileSync(plan.adminKey) };
    } catch (err) {
      resolve({ ok: false, status: 0, body: (err as NodeJS.ErrnoException).code ?? String(err) });
      return;
    }
    const req = request({ host: plan.relay.host, port: plan.relay.port, path, method: 'GET', timeout: PROBE_TIMEOUT_MS, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ ok: (res.statusCode ?? 0) < 300, status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, status: 0, body: err.code ?? err.message }));
    req.end();
  });
}

/**
 * HTTPS GET from inside a namespace by a short-lived node process, verifying the server against
 * caFile (the kubelet's serving certificate is signed by the cluster CA).
 */
export async function httpsProbeIn(ns: string, url: string, caFile: string): Promise<ProbeResult> {
  const script = `const https = require('node:https'); const fs = require('node:fs');
    const req = https.get(process.argv[1], { ca: fs.readFileSync(process.argv[2]), timeout: ${PROBE_TIMEOUT_MS} }, (res) => {
      let body = ''; res.setEncoding('utf8'); res.on('data', (d) => (body += d));
      res.on('end', () => process.stdout.write(JSON.stringify({ ok: res.statusCode < 300, status: res.statusCode, body })));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => process.stdout.write(JSON.stringify({ ok: false, status: 0, body: String(e.code ?? e.message) })));`;
  const res = await tryExecIn(ns, process.execPath, ['-e', script, url, caFile]);
  if (res.code !== 0 || !res.stdout) return { ok: false, status: 0, body: res.stderr.trim() };
  return JSON.parse(res.stdout) as ProbeResult;
}

/**
 * The taints the node lifecycle controller keeps on a Node until it has seen it Ready (upstream
 * pkg/controller/nodelifecycle): the scheduler skips a node that still has them.
 */
export const NOT_READY_TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** Pure: the nodes of a NodeList that are Ready and no longer carry a not-ready taint. */
export function readyNodeNames(list: { items?: Node[] }): string[] {
  return (list.items ?? [])
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .filter((n) => !n.spec?.taints?.some((t) => NOT_READY_TAINTS.includes(t.key)))
    .map((n) => n.metadata?.name ?? '')
    .sort();
}

export async function readyNodes(plan: LabPlan): Promise<string[]> {
  const res = await apiGet(plan, '/api/v1/nodes');
  if (!res.ok) return [];
  return readyNodeNames(JSON.parse(res.body) as { items?: Node[] });
}

/** VmHWM from /proc/PID/status ("peak resident set size"); undefined once the process is gone. */
export function peakMemoryBytes(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
