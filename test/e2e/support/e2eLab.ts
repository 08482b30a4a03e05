// The end-to-end suite's own lab and the ways it is driven, all as a user does: the real kubectl
// on the root namespace's loopback relay, and every probe of a pod, Service or node address made
// from inside a node's network namespace or a pod (never from the root namespace).
//
//   E2E_LAB                        prefix k8tse2e-, LAN 192.168.163.0/24, pods 10.163.0.0/16,
//                                  Services 10.164.0.0/16, files under /tmp/k8tse2e-lab
//   prepareExamples(plan)          examples/ as this lab needs them (node names, host paths)
//   Kubectl                        kubectl with the lab's kubeconfig: run / ok / json
//   httpGetManyIn(ns, url, n)      n GETs from inside a namespace, each on a new connection
//   httpGetManyInPod(k, pod, url, n)   the same from inside a pod (bash's /dev/tcp)
//   runningContainers(node)        the CRI's running containers on a node, by pod

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CriClient } from '../../../agent/kubelet/cri/criClient.ts';
import type { LabNode, LabOptions, LabPlan } from '../../../lab/labPlan.ts';
import { tryExecIn } from '../../../lab/netns.ts';
import { type RunResult, tryRun } from '../../../lab/run.ts';

export const E2E_LAB: LabOptions = {
  namePrefix: 'k8tse2e-',
  lanPrefix: '192.168.163',
  podSecondOctet: 163,
  serviceCIDR: '10.164.0.0/16',
  labDir: '/tmp/k8tse2e-lab',
};

/** kubectl calls wait on a busy 2-core machine; a hung one must still end. */
const KUBECTL_TIMEOUT_MS = 120_000;
const HTTP_TIMEOUT_MS = 3000;

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A copy of examples/ for a lab whose node names carry a prefix and whose files stay in its own
 * directory: the PV's nodeAffinity names `<prefix>worker-0`, and host paths under /data move
 * under the lab directory (`lab down` removes them with it). Everything else is the user's text.
 */
export function prepareExamples(plan: LabPlan, sourceDir: string): string {
  const dir = join(plan.labDir, 'examples');
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(sourceDir).filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(join(sourceDir, file), 'utf8')
      .replace(/^(\s*-\s*)(master|worker-\d+)\s*$/gm, `$1${plan.prefix}$2`)
      .replace(/^(\s*path:\s*)\/data\//gm, `$1${plan.labDir}/data/`);
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

export class Kubectl {
  constructor(private readonly plan: LabPlan) {}

  /** kubectl ARGS; never throws on a non-zero exit. */
  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const base = ['--kubeconfig', this.plan.adminKubeconfig, '--cache-dir', join(this.plan.labDir, 'kubectl-cache')];
    return tryRun('kubectl', [...base, ...args], { input: opts.input, timeoutMs: opts.timeoutMs ?? KUBECTL_TIMEOUT_MS });
  }

  /** kubectl ARGS, its stdout; throws with stderr on a non-zero exit. */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const res = await this.run(args, opts);
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited with ${res.code}: ${res.stderr.trim() || res.stdout.trim()}`);
    return res.stdout;
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  /** `kubectl get -o jsonpath=...` */
  jsonpath(args: string[], path: string): Promise<string> {
    return this.ok([...args, '-o', `jsonpath=${path}`]);
  }
}

/**
 * n HTTP GETs of url from inside namespace ns, each on a connection of its own (so that each may
 * land on another endpoint); the bodies, or "ERR <code>" for a failed one.
 */
export async function httpGetManyIn(ns: string, url: string, n: number): Promise<string[]> {
  const script = `const http = require('node:http');
    const get = () => new Promise((resolve) => {
      const req = http.get(process.argv[1], { agent: false, timeout: ${HTTP_TIMEOUT_MS}, headers: { connection: 'close' } }, (res) => {
        let body = ''; res.setEncoding('utf8'); res.on('data', (d) => (body += d)); res.on('end', () => resolve(body));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => resolve('ERR ' + (e.code ?? e.message)));
    });
    (async () => { const out = []; for (let i = 0; i < Number(process.argv[2]); i++) out.push(await get()); process.stdout.write(JSON.stringify(out)); })();`;
  const res = await tryExecIn(ns, process.execPath, ['-e', script, url, String(n)], { timeoutMs: n * (HTTP_TIMEOUT_MS + 1000) + 10_000 });
  if (res.code !== 0 || !res.stdout) return [`ERR ${res.stderr.trim() || `exit ${res.code}`}`];
  return JSON.parse(res.stdout) as string[];
}

/**
 * n HTTP GETs from inside a pod whose image has bash (nginx, mysql): bash's /dev/tcp opens a new
 * connection for each. Returns the bodies (headers stripped); a failed GET yields "ERR".
 */
export async function httpGetManyInPod(kubectl: Kubectl, pod: { namespace: string; name: string; container?: string }, host: string, port: number, n: number): Promise<string[]> {
  const script = `for i in $(seq ${n}); do
      if exec 3<>/dev/tcp/${host}/${port}; then
        printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\nConnection: close\\r\\n\\r\\n' >&3
        echo "$(timeout 3 cat <&3 | sed '1,/^\\r$/d')"; exec 3<&- 3>&-
      else echo ERR; fi
      echo '---8<---'
    done`;
  const container = pod.container ? ['-c', pod.container] : [];
  const res = await kubectl.run(['exec', '-n', pod.namespace, pod.name, ...container, '--', 'bash', '-c', script]);
  if (res.code !== 0) return [`ERR kubectl exec: ${res.stderr.trim()}`];
  return res.stdout.split('---8<---\n').map((b) => b.trim()).filter(Boolean);
}

/** "hello from nginx-deploy-…" → the pod's name; undefined for any other body. */
export function answeringPod(body: string): string | undefined {
  return /^hello from (\S+)$/m.exec(body)?.[1];
}

export interface RunningContainer {
  id: string;
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

/** The containers the node's containerd runs, as the kubelet labelled them (through CRI). */
export async function runningContainers(node: LabNode): Promise<RunningContainer[]> {
  const cri = new CriClient({ endpoint: node.containerd.socket, requestTimeoutMs: 30_000 });
  try {
    const list = await cri.listContainers({ state: { state: 'CONTAINER_RUNNING' } });
    return list.map((c) => ({
      id: c.id,
      namespace: c.labels?.['io.kubernetes.pod.namespace'] ?? '',
      pod: c.labels?.['io.kubernetes.pod.name'] ?? '',
      podUid: c.labels?.['io.kubernetes.pod.uid'] ?? '',
      container: c.labels?.['io.kubernetes.container.name'] ?? '',
    }));
  } finally {
    cri.close();
  }
}

/** The pod network namespaces (/var/run/netns/cni-…) of every sandbox on a node, through CRI. */
export async function sandboxNetns(node: LabNode): Promise<string[]> {
  const res = await tryRun('ctr', ['--address', node.containerd.socket, '--namespace', 'k8s.io', 'containers', 'list', '-q']);
  const paths: string[] = [];
  for (const id of res.stdout.split('\n').filter(Boolean)) {
    const info = await tryRun('ctr', ['--address', node.containerd.socket, '--namespace', 'k8s.io', 'containers', 'info', id]);
    if (info.code !== 0) continue;
    const spec = (JSON.parse(info.stdout) as { Spec?: { linux?: { namespaces?: { type: string; path?: string }[] } } }).Spec;
    const path = spec?.linux?.namespaces?.find((x) => x.type === 'network')?.path;
    if (path && /\/netns\/cni-/.test(path)) paths.push(path);
  }
  return [...new Set(paths)];
}
