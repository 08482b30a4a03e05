// The certificates of the three-VM cluster, made once on master (run by vagrant/provision/master.sh):
//
//   PKI_DIR (k8ts server's --data-dir/pki, stays on master)
//     ca.{crt,key}          the cluster CA
//     apiserver.{crt,key}   serving certificate: every node address and name, 127.0.0.1, the
//                           `kubernetes` Service address and DNS names (what `k8ts server` asks for,
//                           so the server keeps this one instead of issuing its own)
//     admin.{crt,key}       CN kubernetes-admin, O system:masters
//   OUT_DIR (the folder shared with the host and the workers)
//     ca.crt
//     admin.kubeconfig                      kubectl from the host, server https://MASTER:6443
//     nodes/<node>/kubelet.kubeconfig       CN system:node:<node>, O system:nodes (Node authorizer)
//     nodes/<node>/proxy.kubeconfig         CN system:kube-proxy
//     nodes/<node>/kubelet.{crt,key}        the kubelet's :10250 serving certificate
//
// The same identities as `k8ts lab up` (lab/labCredentials.ts), so both clusters look alike to the
// API server. Running it again changes nothing unless the CA changed or a node was added: a
// certificate is re-issued only when it is missing or not signed by the CA.
//
//   node --import tsx vagrant/provision/clusterCredentials.ts --pki-dir DIR --out-dir DIR \
//     --api-server https://192.168.56.10:6443 --node master=192.168.56.10 --node worker-0=192.168.56.11 ...

import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderKubeconfig } from '../../controlplane/apiserver/kubeconfig.ts';
import { ensurePki, type PemPair, signLeaf } from '../../controlplane/apiserver/pki.ts';
import { nodeIdentities } from '../../lab/labCredentials.ts';
import { nthAddress } from '../../lab/labPlan.ts';

export interface ClusterNode {
  name: string;
  address: string;
}

export interface CredentialOptions {
  pkiDir: string;
  outDir: string;
  /** https://MASTER:6443: what every kubeconfig points at. */
  apiServer: string;
  nodes: ClusterNode[];
  serviceCIDR: string;
  cluster: string;
}

/** The names `k8ts server` puts in its serving certificate (controlplane/apiserver/run.ts), plus every node. */
export function apiServerHosts(nodes: ClusterNode[], serviceCIDR: string): string[] {
  return [
    '127.0.0.1',
    'localhost',
    nthAddress(serviceCIDR, 1),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    ...nodes.flatMap((n) => [n.address, n.name]),
  ].filter((h, i, all) => all.indexOf(h) === i);
}

/** master=192.168.56.10 → { name: 'master', address: '192.168.56.10' } */
export function parseNode(spec: string): ClusterNode {
  const m = /^([a-z0-9][a-z0-9.-]*)=(\d+\.\d+\.\d+\.\d+)$/.exec(spec);
  if (!m) throw new Error(`--node wants NAME=IPv4, got ${JSON.stringify(spec)}`);
  return { name: m[1], address: m[2] };
}

function signedBy(pem: string, ca: PemPair): boolean {
  try {
    return new X509Certificate(pem).verify(new X509Certificate(ca.cert).publicKey);
  } catch {
    return false;
  }
}

/** The client certificate embedded in a kubeconfig, if the file exists. */
function kubeconfigClientCert(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const m = /client-certificate-data: (\S+)/.exec(readFileSync(path, 'utf8'));
  return m ? Buffer.from(m[1], 'base64').toString('utf8') : undefined;
}

/**
 * Whole files only: the workers poll the shared folder and must never read half a key. The
 * serving key is written last, so its presence tells a worker that its folder is complete.
 */
function writeAtomically(path: string, text: string, mode: number): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  renameSync(`${path}.tmp`, path);
}

function writeIfChanged(path: string, text: string, mode: number): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  writeAtomically(path, text, mode);
  return true;
}

/** Returns the files it wrote (empty on a second run). */
export async function writeClusterCredentials(o: CredentialOptions): Promise<string[]> {
  const written: string[] = [];
  const pki = await ensurePki(o.pkiDir, apiServerHosts(o.nodes, o.serviceCIDR));
  mkdirSync(o.outDir, { recursive: true });
  const note = (path: string, changed: boolean) => changed && written.push(path);

  note(join(o.outDir, 'ca.crt'), writeIfChanged(join(o.outDir, 'ca.crt'), pki.ca.cert, 0o644));
  const admin = renderKubeconfig({ server: o.apiServer, caCert: pki.ca.cert, client: pki.admin, user: 'kubernetes-admin', cluster: o.cluster });
  note(join(o.outDir, 'admin.kubeconfig'), writeIfChanged(join(o.outDir, 'admin.kubeconfig'), admin, 0o600));

  for (const node of o.nodes) {
    const dir = join(o.outDir, 'nodes', node.name);
    mkdirSync(dir, { recursive: true });
    const ids = nodeIdentities(node);
    for (const [file, id] of [['kubelet.kubeconfig', ids.kubelet], ['proxy.kubeconfig', ids.proxy]] as const) {
      const path = join(dir, file);
      const current = kubeconfigClientCert(path);
      if (current && signedBy(current, pki.ca) && readFileSync(path, 'utf8').includes(`server: ${o.apiServer}`)) continue;
      const client = await signLeaf(pki.ca, { ...id, client: true });
      writeAtomically(path, renderKubeconfig({ server: o.apiServer, caCert: pki.ca.cert, client, user: id.commonName, cluster: o.cluster }), 0o600);
      written.push(path);
    }
    const cert = join(dir, 'kubelet.crt');
    const key = join(dir, 'kubelet.key');
    if (!existsSync(key) || !existsSync(cert) || !signedBy(readFileSync(cert, 'utf8'), pki.ca)) {
      const serving = await signLeaf(pki.ca, { commonName: node.name, hosts: [node.name, node.address], server: true });
      rmSync(key, { force: true });
      writeAtomically(cert, serving.cert, 0o644);
      writeAtomically(key, serving.key, 0o600);
      written.push(cert, key);
    }
  }
  return written;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'pki-dir': { type: 'string' },
      'out-dir': { type: 'string' },
      'api-server': { type: 'string' },
      node: { type: 'string', multiple: true },
      'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
      cluster: { type: 'string', default: 'k8ts-vagrant' },
    },
  });
  const missing = ['pki-dir', 'out-dir', 'api-server', 'node'].filter((k) => values[k as keyof typeof values] === undefined);
  if (missing.length) throw new Error(`missing flags: ${missing.map((m) => `--${m}`).join(' ')}`);
  const written = await writeClusterCredentials({
    pkiDir: values['pki-dir']!,
    outDir: values['out-dir']!,
    apiServer: values['api-server']!,
    nodes: values.node!.map(parseNode),
    serviceCIDR: values['service-cluster-ip-range']!,
    cluster: values.cluster!,
  });
  console.log(written.length ? `wrote ${written.join(' ')}` : 'credentials up to date');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
