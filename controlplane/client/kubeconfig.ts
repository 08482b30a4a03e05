// Reads a kubeconfig (the YAML file `k8ts server` writes as admin.kubeconfig, and the one kubectl
// reads) into what an HTTPS client needs. Like client-go's tools/clientcmd, it follows
// current-context to a cluster and a user, and takes credentials either embedded (*-data, base64)
// or as file paths relative to the kubeconfig's own directory.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClusterCredentials {
  /** https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  ca: string;
  /** PEM client certificate and key (x509 client authentication). */
  cert?: string;
  key?: string;
  /** Bearer token (service accounts, bootstrap tokens). */
  token?: string;
}

interface NamedEntry<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export function loadKubeconfig(path: string, opts: { context?: string } = {}): ClusterCredentials {
  const text = readFileSync(path, 'utf8');
  let doc: any;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`kubeconfig ${path} is not valid YAML: ${(e as Error).message}`);
  }
  return parseKubeconfig(doc, dirname(path), opts.context, path);
}

/** The parsed kubeconfig document → credentials; `baseDir` resolves relative file paths. */
export function parseKubeconfig(doc: any, baseDir: string, contextName?: string, source = 'kubeconfig'): ClusterCredentials {
  if (!doc || typeof doc !== 'object') throw new Error(`${source}: not a kubeconfig document`);
  const name = contextName ?? doc['current-context'];
  const contexts: NamedEntry<{ cluster: string; user: string }>[] = doc.contexts ?? [];
  // A kubeconfig without current-context but with one context is still unambiguous.
  const ctx = name ? contexts.find((c) => c.name === name) : contexts.length === 1 ? contexts[0] : undefined;
  if (!ctx?.context) throw new Error(`${source}: context ${JSON.stringify(name ?? '')} not found`);
  const cluster = (doc.clusters as NamedEntry<Record<string, string>>[] | undefined)?.find((c) => c.name === ctx.context!.cluster)?.cluster;
  if (!cluster) throw new Error(`${source}: cluster ${JSON.stringify(ctx.context.cluster)} not found`);
  const user = (doc.users as NamedEntry<Record<string, string>>[] | undefined)?.find((u) => u.name === ctx.context!.user)?.user ?? {};
  if (!cluster.server) throw new Error(`${source}: cluster ${JSON.stringify(ctx.context.cluster)} has no server`);

  const material = (entry: Record<string, string>, field: string): string | undefined => {
    const data = entry[`${field}-data`];
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const file = entry[field];
    if (file) return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8');
    return undefined;
  };
  const ca = material(cluster, 'certificate-authority');
  if (!ca) throw new Error(`${source}: cluster ${JSON.stringify(ctx.context.cluster)} has no certificate-authority(-data)`);
  const creds: ClusterCredentials = { server: cluster.server, ca };
  const cert = material(user, 'client-certificate');
  const key = material(user, 'client-key');
  if (cert) creds.cert = cert;
  if (key) creds.key = key;
  const token = user.token ?? (user.tokenFile ? readFileSync(resolve(baseDir, user.tokenFile), 'utf8').trim() : undefined);
  if (token) creds.token = token;
  return creds;
}
