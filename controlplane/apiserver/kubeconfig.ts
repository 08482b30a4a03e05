// Writes a kubeconfig the real kubectl uses as it is: the cluster's CA and the client's
// certificate embedded as base64 (certificate-authority-data, client-certificate-data).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { PemPair } from './pki.ts';

export interface KubeconfigOptions {
  server: string; // https://127.0.0.1:6443
  caCert: string;
  client: PemPair;
  user?: string;
  cluster?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function renderKubeconfig(o: KubeconfigOptions): string {
  const cluster = o.cluster ?? 'k8ts';
  const user = o.user ?? 'admin';
  const context = `${user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': b64(o.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(o.client.cert), 'client-key-data': b64(o.client.key) } }],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  writeFileSync(path, renderKubeconfig(o), { mode: 0o600 });
}
