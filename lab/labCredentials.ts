// Who each lab component is to the API server, and the kubeconfigs that say so. `k8ts server`
// makes the CA (DATA_DIR/pki/ca.{crt,key}) and the admin's certificate; the lab signs the rest
// with that CA, as kubeadm does when a node joins:
//
//   kubelet   CN system:node:<node>, O system:nodes   (upstream's Node authorizer identity)
//   proxy     CN system:kube-proxy                     (kubeadm's kube-proxy identity)
//   kubelet serving certificate for :10250, SANs = node name and address
//
//   nodeIdentities(node)             the subjects (pure)
//   writeNodeCredentials(plan)       every node's kubeconfigs and serving certificate
//   writeAdminKubeconfig(plan)       kubectl's kubeconfig, pointing at the loopback relay
//
// Files are rewritten only when the CA changed (a fresh `k8ts server` data dir), so `lab up`
// twice keeps what running components already loaded.

import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderKubeconfig } from '../controlplane/apiserver/kubeconfig.ts';
import { type PemPair, signLeaf } from '../controlplane/apiserver/pki.ts';
import type { LabNode, LabPlan } from './labPlan.ts';

export interface Identity {
  commonName: string;
  organizations: string[];
}

export function nodeIdentities(node: { name: string }): { kubelet: Identity; proxy: Identity } {
  return {
    kubelet: { commonName: `system:node:${node.name}`, organizations: ['system:nodes'] },
    proxy: { commonName: 'system:kube-proxy', organizations: [] },
  };
}

export function readCA(plan: LabPlan): PemPair {
  return { cert: readFileSync(plan.caCert, 'utf8'), key: readFileSync(plan.caKey, 'utf8') };
}

/** The CA a kubeconfig trusts, decoded. */
function kubeconfigCA(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const m = /certificate-authority-data: (\S+)/.exec(readFileSync(path, 'utf8'));
  return m ? Buffer.from(m[1], 'base64').toString('utf8') : undefined;
}

function writeIfChanged(path: string, text: string, mode: number): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text, { mode });
}

/** Components on a node reach the API server at the master's LAN address, as on the VMs. */
export async function writeNodeCredentials(plan: LabPlan, node: LabNode, ca: PemPair): Promise<void> {
  const ids = nodeIdentities(node);
  if (kubeconfigCA(node.kubeletKubeconfig) !== ca.cert) {
    const client = await signLeaf(ca, { ...ids.kubelet, client: true });
    writeFileSync(node.kubeletKubeconfig, renderKubeconfig({ server: plan.apiURL, caCert: ca.cert, client, user: ids.kubelet.commonName }), { mode: 0o600 });
  }
  if (kubeconfigCA(node.proxyKubeconfig) !== ca.cert) {
    const client = await signLeaf(ca, { ...ids.proxy, client: true });
    writeFileSync(node.proxyKubeconfig, renderKubeconfig({ server: plan.apiURL, caCert: ca.cert, client, user: ids.proxy.commonName }), { mode: 0o600 });
  }
  if (!existsSync(node.kubeletCert) || !existsSync(node.kubeletKey) || !signedBy(node.kubeletCert, ca)) {
    const serving = await signLeaf(ca, { commonName: node.name, hosts: [node.name, node.address], server: true });
    writeFileSync(node.kubeletKey, serving.key, { mode: 0o600 });
    writeFileSync(node.kubeletCert, serving.cert, { mode: 0o644 });
  }
}

/** Whether the certificate in certFile carries this CA's signature. */
function signedBy(certFile: string, ca: PemPair): boolean {
  try {
    return new X509Certificate(readFileSync(certFile)).verify(new X509Certificate(ca.cert).publicKey);
  } catch {
    return false;
  }
}

/** kubectl in the root namespace: the loopback relay, with the admin certificate `k8ts server` made. */
export function renderAdminKubeconfig(plan: LabPlan, ca: string, admin: PemPair): string {
  return renderKubeconfig({ server: plan.relay.url, caCert: ca, client: admin, user: 'kubernetes-admin', cluster: `k8ts-lab${plan.prefix ? `-${plan.prefix.replace(/-+$/, '')}` : ''}` });
}

export function writeAdminKubeconfig(plan: LabPlan): void {
  const ca = readFileSync(plan.caCert, 'utf8');
  const admin = { cert: readFileSync(plan.adminCert, 'utf8'), key: readFileSync(plan.adminKey, 'utf8') };
  writeIfChanged(plan.adminKubeconfig, renderAdminKubeconfig(plan, ca, admin), 0o600);
}
