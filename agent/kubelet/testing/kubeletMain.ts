// Runs the kubelet as its own process from command-line flags, the way `k8ts kubelet` does, for
// tests that start it inside a node's network namespace:
//
//   nsenter --net=/run/netns/NODE node --import tsx agent/kubelet/testing/kubeletMain.ts \
//     --kubeconfig K --hostname-override NODE --node-ip IP --container-runtime-endpoint SOCK ...
//
// SIGTERM/SIGINT stop it (pods keep running); it prints "kubelet started" once the pod loop runs.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { runKubelet } from '../run.ts';

const { values: v } = parseArgs({
  args: process.argv.slice(2),
  options: {
    kubeconfig: { type: 'string' },
    'hostname-override': { type: 'string' },
    'node-ip': { type: 'string' },
    'container-runtime-endpoint': { type: 'string' },
    'root-dir': { type: 'string' },
    'pod-logs-dir': { type: 'string' },
    'cni-conf-dir': { type: 'string' },
    'cni-data-dir': { type: 'string' },
    'cluster-cidr': { type: 'string', default: '10.244.0.0/16' },
    'cluster-dns': { type: 'string' },
    'cluster-domain': { type: 'string' },
    'resolv-conf': { type: 'string' },
    'cgroup-root': { type: 'string' },
    master: { type: 'boolean' },
    port: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});

const required = (name: string): string => {
  const value = v[name as keyof typeof v];
  if (typeof value !== 'string' || !value) throw new Error(`--${name} is required`);
  return value;
};

const controller = new AbortController();
const log = pino({ name: 'kubelet', level: String(v['log-level']) });
const done = runKubelet({
  kubeconfig: required('kubeconfig'),
  nodeName: required('hostname-override'),
  nodeIP: required('node-ip'),
  containerdEndpoint: required('container-runtime-endpoint'),
  rootDir: v['root-dir'],
  podLogsDir: v['pod-logs-dir'],
  cniConfDir: v['cni-conf-dir'],
  cniDataDir: v['cni-data-dir'],
  clusterCIDR: String(v['cluster-cidr']),
  clusterDNS: v['cluster-dns'] ? v['cluster-dns'].split(',') : undefined,
  clusterDomain: v['cluster-domain'],
  resolvConf: v['resolv-conf'],
  cgroupRoot: v['cgroup-root'],
  master: v.master,
  port: v.port ? Number(v.port) : undefined,
  signal: controller.signal,
  log,
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
done.then(
  () => process.exit(0),
  (err: Error) => {
    log.error({ err: err.message }, 'kubelet failed');
    process.exit(1);
  },
);
