// Starts the API server component: storage first, then certificates and the HTTPS server, then
// the bootstrap objects; writes DIR/admin.kubeconfig for the real kubectl.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createBackend } from '../storage/index.ts';
import type { Backend } from '../storage/types.ts';
import { Authenticator } from './authn.ts';
import { bootstrapCluster } from './bootstrap.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { ensurePki, signLeaf, type PemPair } from './pki.ts';
import { ObjectStore } from './registry/store.ts';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR, firstServiceIP, Mutex, parseCidr } from './registry/serviceAllocators.ts';
import { startApiServer, type RunningApiServer } from './server.ts';
import { setKubeletClientCredentials } from './handlers/nodeProxy.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface ApiServerConfig {
  dataDir: string;
  bindAddress: string;
  securePort: number;
  advertiseAddress?: string;
  storage: 'sqlite' | 'etcd';
  etcdServers?: string[];
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
  tokenAuthFile?: string;
  /** Extra names and addresses for the serving certificate. */
  tlsSans?: string[];
  logLevel?: string;
  /** Storage compaction period in seconds (upstream --etcd-compaction-interval, default 5 min) and revisions kept. */
  compactionIntervalSeconds?: number;
  compactionRetain?: number;
  /** Seconds between watch bookmarks (upstream: about a minute). */
  watchBookmarkIntervalSeconds?: number;
}

export interface RunningControlPlaneApi extends RunningApiServer {
  backend: Backend;
  store: ObjectStore;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

function parsePortRange(s: string | undefined): [number, number] {
  if (!s) return DEFAULT_NODE_PORT_RANGE;
  const m = s.match(/^(\d+)-(\d+)$/);
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`invalid --service-node-port-range ${s}: want FROM-TO`);
  return [Number(m[1]), Number(m[2])];
}

/** A client certificate kept in pkiDir as NAME.crt/NAME.key, issued once. */
async function clientPair(pkiDir: string, ca: PemPair, name: string, commonName: string, organizations: string[] = []): Promise<PemPair> {
  const cert = join(pkiDir, `${name}.crt`);
  const key = join(pkiDir, `${name}.key`);
  if (existsSync(cert) && existsSync(key)) return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  const pair = await signLeaf(ca, { commonName, organizations, client: true });
  writeFileSync(cert, pair.cert);
  writeFileSync(key, pair.key, { mode: 0o600 });
  return pair;
}

// The identities upstream gives the control-plane components (kubeadm's kubeconfig files).
const COMPONENT_IDENTITIES = [
  { file: 'scheduler', commonName: 'system:kube-scheduler' },
  { file: 'controller-manager', commonName: 'system:kube-controller-manager' },
];

export async function runApiServer(c: ApiServerConfig): Promise<RunningControlPlaneApi> {
  const log = pino({ name: 'apiserver', level: c.logLevel ?? process.env.K8TS_LOG_LEVEL ?? 'info' });
  mkdirSync(c.dataDir, { recursive: true });
  const backend = createBackend({
    storage: c.storage,
    dataDir: c.dataDir,
    etcdServers: c.etcdServers,
    logger: log,
    compactIntervalMs: c.compactionIntervalSeconds === undefined ? undefined : c.compactionIntervalSeconds * 1000,
    compactRetain: c.compactionRetain,
  });
  await backend.start();
  log.info({ storage: backend.name }, 'storage ready');

  const advertise = c.advertiseAddress ?? (c.bindAddress === '0.0.0.0' ? '127.0.0.1' : c.bindAddress);
  const serviceCidr = parseCidr(c.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR);
  const kubernetesIP = firstServiceIP(serviceCidr);
  const hosts = [...new Set(['127.0.0.1', 'localhost', advertise, kubernetesIP, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...(c.tlsSans ?? [])])];
  if (c.bindAddress !== '0.0.0.0') hosts.push(c.bindAddress);
  const pkiDir = join(c.dataDir, 'pki');
  const pki = await ensurePki(pkiDir, [...new Set(hosts)]);
  setKubeletClientCredentials(await clientPair(pkiDir, pki.ca, 'apiserver-kubelet-client', 'kube-apiserver-kubelet-client', ['system:masters']));

  const store = new ObjectStore(backend);
  const ctx = {
    store,
    serviceCidr,
    nodePortRange: parsePortRange(c.serviceNodePortRange),
    allocation: new Mutex(),
    kubeletPort: 10250,
    watchBookmarkIntervalMs: (c.watchBookmarkIntervalSeconds ?? 60) * 1000,
    log,
  };
  const running = await startApiServer({ ctx, pki, authenticator: new Authenticator({ tokenFile: c.tokenAuthFile }), bindAddress: c.bindAddress, port: c.securePort, advertiseAddress: advertise });
  await bootstrapCluster(store, { firstServiceIP: kubernetesIP, advertiseAddress: advertise, securePort: running.port });

  const kubeconfigPath = join(c.dataDir, 'admin.kubeconfig');
  const serverHost = c.bindAddress === '0.0.0.0' ? advertise : c.bindAddress;
  const server = `https://${serverHost}:${running.port}`;
  writeKubeconfig(kubeconfigPath, { server, caCert: pki.ca.cert, client: pki.admin });
  // Each control-plane component gets its own identity and kubeconfig, as with kubeadm.
  for (const id of COMPONENT_IDENTITIES) {
    const client = await clientPair(pkiDir, pki.ca, id.file, id.commonName);
    writeKubeconfig(join(c.dataDir, `${id.file}.kubeconfig`), { server, caCert: pki.ca.cert, client, user: id.commonName });
  }
  log.info({ url: running.url, kubeconfig: kubeconfigPath }, 'apiserver serving');
  return {
    ...running,
    backend,
    store,
    kubeconfigPath,
    async stop() {
      await running.close();
      await backend.close();
    },
  };
}
