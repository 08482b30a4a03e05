// `k8ts <component> [flags]`: one command for every component, like k3s. Each component has
// --help. `server` runs the whole control plane in one process, each part started when what it
// depends on is ready (storage → apiserver → the rest); if one part dies, the process exits.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Component {
  summary: string;
  options: Options;
  help: Record<string, string>;
  run?: (values: Record<string, string | boolean | string[] | undefined>) => Promise<void>;
}

const apiserverOptions: Options = {
  'data-dir': { type: 'string', default: '/var/lib/k8ts' },
  'bind-address': { type: 'string', default: '0.0.0.0' },
  'secure-port': { type: 'string', default: '6443' },
  'advertise-address': { type: 'string' },
  storage: { type: 'string', default: 'sqlite' },
  'etcd-servers': { type: 'string' },
  'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
  'service-node-port-range': { type: 'string', default: '30000-32767' },
  'token-auth-file': { type: 'string' },
  'tls-san': { type: 'string', multiple: true },
  'log-level': { type: 'string', default: 'info' },
  'compaction-interval': { type: 'string', default: '300' },
  'compaction-retain': { type: 'string', default: '1000' },
  'watch-bookmark-interval': { type: 'string', default: '60' },
};

const apiserverHelp: Record<string, string> = {
  'data-dir': 'directory for the SQLite store, certificates and admin.kubeconfig',
  'bind-address': 'address to serve HTTPS on',
  'secure-port': 'HTTPS port (0 picks a free one)',
  'advertise-address': 'address other components and the kubernetes Service use to reach this server',
  storage: 'sqlite (embedded, default) or etcd',
  'etcd-servers': 'comma-separated etcd client URLs, with --storage etcd',
  'service-cluster-ip-range': 'CIDR Service cluster IPs are allocated from',
  'service-node-port-range': 'range NodePorts are allocated from',
  'token-auth-file': 'CSV file of bearer tokens: token,user,uid,"group1,group2"',
  'tls-san': 'extra DNS name or IP for the serving certificate (repeatable)',
  'log-level': 'pino log level (debug, info, warn, error)',
  'compaction-interval': 'seconds between storage compactions (0: never)',
  'compaction-retain': 'revisions kept by each compaction; watches older than that get 410 Gone',
  'watch-bookmark-interval': 'seconds between BOOKMARK events on watches that allow them',
};

function numberFlag(v: Record<string, unknown>, name: string): number {
  const n = Number(v[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, not ${JSON.stringify(v[name])}`);
  return n;
}

async function runControlPlane(v: Record<string, string | boolean | string[] | undefined>): Promise<void> {
  const { runApiServer } = await import('../controlplane/apiserver/run.ts');
  const storage = v.storage === 'etcd' ? 'etcd' : v.storage === 'sqlite' ? 'sqlite' : undefined;
  if (!storage) throw new Error(`--storage must be sqlite or etcd, not ${v.storage}`);
  if (storage === 'etcd' && !v['etcd-servers']) throw new Error('--storage etcd needs --etcd-servers');
  const api = await runApiServer({
    dataDir: String(v['data-dir']),
    bindAddress: String(v['bind-address']),
    securePort: numberFlag(v, 'secure-port'),
    advertiseAddress: v['advertise-address'] as string | undefined,
    storage,
    etcdServers: v['etcd-servers'] ? String(v['etcd-servers']).split(',') : undefined,
    serviceClusterIPRange: String(v['service-cluster-ip-range']),
    serviceNodePortRange: String(v['service-node-port-range']),
    tokenAuthFile: v['token-auth-file'] as string | undefined,
    tlsSans: v['tls-san'] as string[] | undefined,
    logLevel: String(v['log-level']),
    compactionIntervalSeconds: numberFlag(v, 'compaction-interval'),
    compactionRetain: numberFlag(v, 'compaction-retain'),
    watchBookmarkIntervalSeconds: numberFlag(v, 'watch-bookmark-interval'),
  });
  const stop = async (signal: string) => {
    process.stderr.write(`k8ts: ${signal}, stopping\n`);
    await api.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // Ready line for scripts and tests that start the server and wait for it.
  process.stdout.write(`k8ts: apiserver ready at ${api.url} (kubeconfig ${api.kubeconfigPath})\n`);
}

const notYet = (what: string) => async () => {
  throw new Error(`${what} is not available in this version of k8ts yet`);
};

const COMPONENTS: Record<string, Component> = {
  server: {
    summary: 'the whole control plane in one process (storage → apiserver → scheduler, controllers)',
    options: apiserverOptions,
    help: apiserverHelp,
    run: runControlPlane,
  },
  apiserver: { summary: 'the Kubernetes API server on SQLite or etcd', options: apiserverOptions, help: apiserverHelp, run: runControlPlane },
  scheduler: { summary: 'assigns pods to nodes (not available yet)', options: { kubeconfig: { type: 'string' } }, help: { kubeconfig: 'kubeconfig to reach the API server' }, run: notYet('the scheduler') },
  'controller-manager': { summary: 'runs the controllers (not available yet)', options: { kubeconfig: { type: 'string' } }, help: { kubeconfig: 'kubeconfig to reach the API server' }, run: notYet('the controller-manager') },
  kubelet: { summary: 'the node agent driving containerd over CRI (not available yet)', options: {}, help: {}, run: notYet('the kubelet') },
  proxy: { summary: 'Service rules with iptables, nftables or IPVS (not available yet)', options: {}, help: {}, run: notYet('the proxy') },
  lab: { summary: 'the three-node lab on this machine (not available yet)', options: {}, help: {}, run: notYet('the lab') },
};

function usage(): string {
  const lines = ['Usage: k8ts <component> [flags]', '', 'Components:'];
  for (const [name, c] of Object.entries(COMPONENTS)) lines.push(`  ${name.padEnd(20)} ${c.summary}`);
  lines.push('', 'Run `k8ts <component> --help` for its flags.');
  return lines.join('\n');
}

function componentHelp(name: string, c: Component): string {
  const lines = [`Usage: k8ts ${name} [flags]`, '', c.summary, '', 'Flags:'];
  for (const [flag, spec] of Object.entries(c.options)) {
    const def = 'default' in spec && spec.default !== undefined ? ` (default ${JSON.stringify(spec.default)})` : '';
    lines.push(`  --${flag.padEnd(28)} ${c.help[flag] ?? ''}${def}`);
  }
  lines.push(`  --${'help'.padEnd(28)} show this help`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return;
  }
  const c = COMPONENTS[name];
  if (!c) {
    process.stderr.write(`k8ts: unknown component "${name}"\n\n${usage()}\n`);
    process.exit(2);
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: { ...c.options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    process.stderr.write(`k8ts ${name}: ${(e as Error).message}\n\n${componentHelp(name, c)}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(componentHelp(name, c) + '\n');
    return;
  }
  try {
    await c.run!(values);
  } catch (e) {
    process.stderr.write(`k8ts ${name}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
