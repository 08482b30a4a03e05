// `k8ts <component> [flags]`: one command for every component, like k3s. Each component has
// --help. `server` runs the whole control plane in one process, each part started when what it
// depends on is ready (storage → apiserver → the rest); if one part dies, the process exits.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Flags = Record<string, string | boolean | string[] | undefined>;

/** One command-line flag: how node:util parseArgs reads it, and its line in --help. */
interface Flag {
  type: 'string' | 'boolean';
  default?: string | boolean;
  multiple?: boolean;
  help: string;
}
type FlagTable = Record<string, Flag>;

interface Component {
  summary: string;
  flags: FlagTable;
  run?: (values: Record<string, string | boolean | string[] | undefined>) => Promise<void>;
}

const apiserverFlags: FlagTable = {
  'data-dir': { type: 'string', default: '/var/lib/k8ts', help: 'directory for the SQLite store, certificates and admin.kubeconfig' },
  'bind-address': { type: 'string', default: '0.0.0.0', help: 'address to serve HTTPS on' },
  'secure-port': { type: 'string', default: '6443', help: 'HTTPS port (0 picks a free one)' },
  'advertise-address': { type: 'string', help: 'address other components and the kubernetes Service use to reach this server' },
  storage: { type: 'string', default: 'sqlite', help: 'sqlite (embedded, default) or etcd' },
  'etcd-servers': { type: 'string', help: 'comma-separated etcd client URLs, with --storage etcd' },
  'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12', help: 'CIDR Service cluster IPs are allocated from' },
  'service-node-port-range': { type: 'string', default: '30000-32767', help: 'range NodePorts are allocated from' },
  'token-auth-file': { type: 'string', help: 'CSV file of bearer tokens: token,user,uid,"group1,group2"' },
  'tls-san': { type: 'string', multiple: true, help: 'extra DNS name or IP for the serving certificate (repeatable)' },
  'log-level': { type: 'string', default: 'info', help: 'pino log level (debug, info, warn, error)' },
  'compaction-interval': { type: 'string', default: '300', help: 'seconds between storage compactions (0: never)' },
  'compaction-retain': { type: 'string', default: '1000', help: 'revisions kept by each compaction; watches older than that get 410 Gone' },
  'watch-bookmark-interval': { type: 'string', default: '60', help: 'seconds between BOOKMARK events on watches that allow them' },
};


function numberFlag(v: Flags, name: string): number {
  const n = Number(v[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, not ${JSON.stringify(v[name])}`);
  return n;
}

function apiServerConfig(v: Flags) {
  const storage = v.storage === 'etcd' ? 'etcd' : v.storage === 'sqlite' ? 'sqlite' : undefined;
  if (!storage) throw new Error(`--storage must be sqlite or etcd, not ${v.storage}`);
  if (storage === 'etcd' && !v['etcd-servers']) throw new Error('--storage etcd needs --etcd-servers');
  return {
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
  } as const;
}

function controllerManagerConfig(v: Flags) {
  return {
    clusterCIDR: String(v['cluster-cidr']),
    nodeMonitorGracePeriodMs: numberFlag(v, 'node-monitor-grace-period') * 1000,
    controllers: v.controllers ? String(v.controllers).split(',').map((c) => c.trim()).filter(Boolean) : undefined,
  };
}

/** Stops on SIGINT/SIGTERM, and exits non-zero when a component stops on its own. */
function superviseUntilSignal(stop: () => Promise<void>, done?: Promise<void>): void {
  const exit = async (why: string, code: number) => {
    process.stderr.write(`k8ts: ${why}, stopping\n`);
    await stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void exit('SIGINT', 0));
  process.once('SIGTERM', () => void exit('SIGTERM', 0));
  done?.catch((err: Error) => void exit(err.message, 1));
}

async function runApiServerOnly(v: Flags): Promise<void> {
  const { runApiServer } = await import('../controlplane/apiserver/run.ts');
  const api = await runApiServer(apiServerConfig(v));
  superviseUntilSignal(() => api.stop());
  // Ready line for scripts and tests that start the server and wait for it.
  process.stdout.write(`k8ts: apiserver ready at ${api.url} (kubeconfig ${api.kubeconfigPath})\n`);
}

async function runWholeControlPlane(v: Flags): Promise<void> {
  const { runServer } = await import('../controlplane/components.ts');
  const disable = (v.disable as string[] | undefined)?.flatMap((d) => d.split(','));
  for (const d of disable ?? []) if (d !== 'scheduler' && d !== 'controller-manager') throw new Error(`--disable takes scheduler or controller-manager, not ${d}`);
  const server = await runServer({ ...apiServerConfig(v), ...controllerManagerConfig(v), disable: disable as ('scheduler' | 'controller-manager')[] | undefined });
  superviseUntilSignal(() => server.stop(), server.done);
  process.stdout.write(`k8ts: apiserver ready at ${server.api.url} (kubeconfig ${server.api.kubeconfigPath})\n`);
}

async function runComponent(v: Flags, which: 'scheduler' | 'controller-manager'): Promise<void> {
  if (!v.kubeconfig) throw new Error('--kubeconfig is required');
  const { runSchedulerComponent, runControllerManagerComponent } = await import('../controlplane/components.ts');
  const { default: pino } = await import('pino');
  const controller = new AbortController();
  const common = { kubeconfig: String(v.kubeconfig), leaderElect: v['leader-elect'] !== 'false', signal: controller.signal, log: pino({ name: which, level: String(v['log-level']) }) };
  const done = which === 'scheduler' ? runSchedulerComponent(common) : runControllerManagerComponent({ ...common, ...controllerManagerConfig(v) });
  superviseUntilSignal(async () => {
    controller.abort();
    await done.catch(() => undefined);
  }, done.then(() => {
    if (!controller.signal.aborted) throw new Error(`${which} stopped`);
  }));
}

async function runProxyComponent(v: Flags): Promise<void> {
  const { runProxy, cleanupProxyRules } = await import('../agent/proxy/index.ts');
  const { default: pino } = await import('pino');
  const { hostname } = await import('node:os');
  const log = pino({ name: 'proxy', level: String(v['log-level']) });
  if (v.cleanup) {
    await cleanupProxyRules({ log });
    return;
  }
  if (!v.kubeconfig) throw new Error('--kubeconfig is required');
  const mode = String(v['proxy-mode']);
  if (mode !== 'iptables' && mode !== 'nftables' && mode !== 'ipvs') throw new Error(`--proxy-mode must be iptables, nftables or ipvs, not ${mode}`);
  const controller = new AbortController();
  const done = runProxy({
    kubeconfig: String(v.kubeconfig),
    nodeName: String(v['hostname-override'] || hostname()),
    nodeIP: String(v['node-ip'] ?? ''),
    mode,
    clusterCIDR: String(v['cluster-cidr']),
    serviceCIDR: String(v['service-cluster-ip-range']),
    healthzBindAddress: String(v['healthz-bind-address']),
    minSyncPeriodMs: numberFlag(v, 'min-sync-period') * 1000,
    syncPeriodMs: numberFlag(v, 'sync-period') * 1000,
    ipvsScheduler: String(v['ipvs-scheduler']),
    signal: controller.signal,
    log,
  });
  superviseUntilSignal(async () => {
    controller.abort();
    await done.catch(() => undefined);
  }, done.then(() => {
    if (!controller.signal.aborted) throw new Error('proxy stopped');
  }));
}

async function runKubeletComponent(v: Flags): Promise<void> {
  const { runKubelet } = await import('../agent/kubelet/index.ts');
  const { default: pino } = await import('pino');
  const { hostname } = await import('node:os');
  const { readFileSync } = await import('node:fs');
  if (!v.kubeconfig) throw new Error('--kubeconfig is required');
  if (!v['node-ip']) throw new Error('--node-ip is required: nodes often have several addresses, and the wrong InternalIP breaks logs and exec');
  const file = (name: string) => (v[name] ? readFileSync(String(v[name]), 'utf8') : undefined);
  const cert = file('tls-cert-file');
  const key = file('tls-private-key-file');
  const controller = new AbortController();
  const log = pino({ name: 'kubelet', level: String(v['log-level']) });
  const done = runKubelet({
    kubeconfig: String(v.kubeconfig),
    nodeName: String(v['hostname-override'] || hostname()),
    nodeIP: String(v['node-ip']),
    containerdEndpoint: String(v['container-runtime-endpoint']).replace(/^unix:\/\//, ''),
    rootDir: String(v['root-dir']),
    podLogsDir: String(v['pod-logs-dir']),
    cniConfDir: String(v['cni-conf-dir']),
    cniDataDir: String(v['cni-data-dir']),
    clusterCIDR: String(v['cluster-cidr']),
    clusterDNS: String(v['cluster-dns']).split(',').filter(Boolean),
    clusterDomain: String(v['cluster-domain']),
    resolvConf: String(v['resolv-conf']),
    cgroupRoot: v['cgroup-root'] as string | undefined,
    master: Boolean(v.master),
    port: numberFlag(v, 'port'),
    address: String(v.address),
    tls: cert && key ? { cert, key, clientCA: file('client-ca-file') } : undefined,
    containerLogMaxSize: String(v['container-log-max-size']),
    containerLogMaxFiles: numberFlag(v, 'container-log-max-files'),
    imageGCHighThresholdPercent: numberFlag(v, 'image-gc-high-threshold'),
    imageGCLowThresholdPercent: numberFlag(v, 'image-gc-low-threshold'),
    minimumImageGCAge: String(v['minimum-image-gc-age']),
    signal: controller.signal,
    log,
  });
  superviseUntilSignal(async () => {
    controller.abort();
    await done.catch(() => undefined);
  }, done.then(() => {
    if (!controller.signal.aborted) throw new Error('kubelet stopped');
  }));
}

const controllerManagerFlags: FlagTable = {
  'cluster-cidr': { type: 'string', default: '10.244.0.0/16', help: 'CIDR each node gets a /24 podCIDR from' },
  'node-monitor-grace-period': { type: 'string', default: '40', help: 'seconds without a Lease renewal before a node is NotReady' },
  controllers: { type: 'string', help: 'comma-separated controllers to run (default: all)' },
};
const componentFlags: FlagTable = {
  kubeconfig: { type: 'string', help: 'kubeconfig to reach the API server (k8ts server writes DATA_DIR/<component>.kubeconfig)' },
  'leader-elect': { type: 'string', default: 'true', help: 'hold a Lease in kube-system so only one instance acts (true/false)' },
  'log-level': { type: 'string', default: 'info', help: 'pino log level' },
};

const COMPONENTS: Record<string, Component> = {
  server: {
    summary: 'the whole control plane in one process (storage → apiserver → scheduler, controllers)',
    flags: { ...apiserverFlags, ...controllerManagerFlags, disable: { type: 'string', multiple: true, help: 'do not run scheduler or controller-manager (repeatable)' } },
    run: runWholeControlPlane,
  },
  apiserver: { summary: 'the Kubernetes API server on SQLite or etcd', flags: apiserverFlags, run: runApiServerOnly },
  scheduler: { summary: 'assigns pods to nodes', flags: componentFlags, run: (v) => runComponent(v, 'scheduler') },
  'controller-manager': {
    summary: 'runs the controllers (deployment, replicaset, namespace, nodes, ...)',
    flags: { ...componentFlags, ...controllerManagerFlags },
    run: (v) => runComponent(v, 'controller-manager'),
  },
  kubelet: {
    summary: 'the node agent: runs the pods bound to its Node on containerd over CRI',
    flags: {
      kubeconfig: { type: 'string', help: 'kubeconfig to reach the API server' },
      'hostname-override': { type: 'string', help: 'the Node name (default: this host name)' },
      'node-ip': { type: 'string', help: 'the InternalIP the API server and other nodes reach this node at (required)' },
      'container-runtime-endpoint': { type: 'string', default: 'unix:///run/containerd/containerd.sock', help: "containerd's CRI socket" },
      'root-dir': { type: 'string', default: '/var/lib/kubelet', help: 'pod directories and volumes' },
      'pod-logs-dir': { type: 'string', default: '/var/log/pods', help: 'container log files (CRI format)' },
      'cni-conf-dir': { type: 'string', default: '/etc/cni/net.d', help: "where the node's CNI conflist is written (containerd's cni conf_dir)" },
      'cni-data-dir': { type: 'string', default: '/var/lib/cni/networks', help: 'host-local IPAM state' },
      'cluster-cidr': { type: 'string', default: '10.244.0.0/16', help: 'pod CIDR of the cluster; pod traffic leaving it is masqueraded' },
      'cluster-dns': { type: 'string', default: '10.96.0.10', help: 'DNS Service address(es) for dnsPolicy ClusterFirst' },
      'cluster-domain': { type: 'string', default: 'cluster.local', help: 'cluster DNS domain' },
      'resolv-conf': { type: 'string', default: '/etc/resolv.conf', help: "the node's resolver configuration" },
      'cgroup-root': { type: 'string', help: 'cgroup parent of the pods' },
      master: { type: 'boolean', help: 'register as the control-plane node (role label and NoSchedule taint)' },
      port: { type: 'string', default: '10250', help: 'HTTPS port of the kubelet server (logs, exec, port-forward)' },
      address: { type: 'string', default: '0.0.0.0', help: 'address the kubelet server listens on' },
      'tls-cert-file': { type: 'string', help: 'serving certificate (default: a self-signed one)' },
      'tls-private-key-file': { type: 'string', help: 'key of the serving certificate' },
      'client-ca-file': { type: 'string', help: 'CA that signs the API server client certificate (default: the kubeconfig CA)' },
      'container-log-max-size': { type: 'string', default: '10Mi', help: 'a container log is rotated when it reaches this size (a quantity: 10Mi)' },
      'container-log-max-files': { type: 'string', default: '5', help: 'log files kept per container, the current one included (at least 2)' },
      'image-gc-high-threshold': { type: 'string', default: '85', help: 'image filesystem usage (percent) from which unused images are removed (100 disables)' },
      'image-gc-low-threshold': { type: 'string', default: '80', help: 'image filesystem usage (percent) image garbage collection brings it down to' },
      'minimum-image-gc-age': { type: 'string', default: '2m0s', help: 'an unused image is not removed before it is this old (Go duration: 2m0s)' },
      'log-level': { type: 'string', default: 'info', help: 'pino log level' },
    },
    run: runKubeletComponent,
  },
  proxy: {
    summary: 'Service rules with iptables, nftables or IPVS',
    flags: {
      kubeconfig: { type: 'string', help: 'kubeconfig to reach the API server' },
      'hostname-override': { type: 'string', help: 'the Node name (default: this host name)' },
      'node-ip': { type: 'string', help: "the node's address for NodePorts (default: the Node's InternalIP)" },
      'proxy-mode': { type: 'string', default: 'iptables', help: 'iptables, nftables or ipvs (falls back to iptables without the ip_vs module)' },
      'cluster-cidr': { type: 'string', default: '10.244.0.0/16', help: 'pod CIDR of the cluster, for masquerading traffic from outside it' },
      'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12', help: 'Service cluster IP range' },
      'healthz-bind-address': { type: 'string', default: '0.0.0.0:10256', help: 'host:port of /healthz and /metrics' },
      'min-sync-period': { type: 'string', default: '1', help: 'seconds between rule syncs at the most often' },
      'sync-period': { type: 'string', default: '30', help: 'seconds between full resyncs' },
      'ipvs-scheduler': { type: 'string', default: 'rr', help: 'IPVS scheduler (rr, lc, ...)' },
      cleanup: { type: 'boolean', help: "remove every mode's rules and exit" },
      'log-level': { type: 'string', default: 'info', help: 'pino log level' },
    },
    run: runProxyComponent,
  },
  // Listed for the overview; `k8ts lab …` is dispatched to lab/cli.ts before flags are parsed.
  lab: { summary: 'the three-node lab on this machine: k8ts lab up | down | status | exec NODE -- CMD | kubeconfig', flags: {} },
};

/** The flag table without its help texts, as node:util parseArgs takes it. */
function parseArgsOptions(flags: FlagTable): Options {
  return Object.fromEntries(Object.entries(flags).map(([name, { help: _help, ...spec }]) => [name, spec])) as Options;
}

function usage(): string {
  const lines = ['Usage: k8ts <component> [flags]', '', 'Components:'];
  for (const [name, c] of Object.entries(COMPONENTS)) lines.push(`  ${name.padEnd(20)} ${c.summary}`);
  lines.push('', 'Run `k8ts <component> --help` for its flags.');
  return lines.join('\n');
}

function componentHelp(name: string, c: Component): string {
  const lines = [`Usage: k8ts ${name} [flags]`, '', c.summary, '', 'Flags:'];
  for (const [flag, spec] of Object.entries(c.flags)) {
    const def = spec.default !== undefined ? ` (default ${JSON.stringify(spec.default)})` : '';
    lines.push(`  --${flag.padEnd(28)} ${spec.help}${def}`);
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
  // The lab has subcommands (up, down, status, exec NODE -- CMD, kubeconfig): its own parser.
  if (name === 'lab') {
    const { runLabCommand } = await import('../lab/cli.ts');
    process.exit(await runLabCommand(rest));
  }
  const c = COMPONENTS[name];
  if (!c) {
    process.stderr.write(`k8ts: unknown component "${name}"\n\n${usage()}\n`);
    process.exit(2);
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: { ...parseArgsOptions(c.flags), help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
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
