// `k8ts proxy`: the node's Service proxy (upstream cmd/kube-proxy). Informers on Services,
// EndpointSlices and this Node feed one level-triggered sync: rebuild the model from the caches,
// find the Services that changed since the last successful sync, and hand both to the backend of
// the chosen mode. Handlers only ask the bounded-frequency runner for a sync.
import type { Service, Node } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { findResource } from '../../controlplane/api/resources.ts';
import { allowManyListeners, connectComponent } from '../../controlplane/client/component.ts';
import { buildEndpointsMap } from './endpointsMap.ts';
import { buildServiceMap } from './serviceMap.ts';
import { cleanupModes } from './cleanup.ts';
import { createCommandRunner, type CommandRunner } from './exec.ts';
import { ProxyStatus, startHealthServer } from './healthServer.ts';
import { IptablesProxier } from './iptables/iptablesProxier.ts';
import { NftablesProxier } from './nftables/nftablesProxier.ts';
import { IpvsProxier } from './ipvs/ipvsProxier.ts';
import { checkIpvsSupport } from './ipvs/ipvsSupport.ts';
import { BoundedFrequencyRunner } from './syncRunner.ts';
import type { EndpointsMap, Logger, ProxyBackend, ProxyConfig, ProxyMode, ServicePortMap } from './types.ts';

// upstream defaults: --iptables-min-sync-period 1s, --iptables-sync-period 30s
export const DEFAULT_MIN_SYNC_PERIOD_MS = 1000;
export const DEFAULT_SYNC_PERIOD_MS = 30_000;
export const DEFAULT_HEALTHZ_BIND_ADDRESS = '0.0.0.0:10256';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

export interface ProxyOptions {
  kubeconfig: string;
  nodeName: string;
  /** The node's InternalIP; empty = read it from the Node object. */
  nodeIP: string;
  mode: ProxyMode;
  clusterCIDR: string;
  /** host:port for /healthz and /metrics, e.g. "0.0.0.0:10256" (port 0 picks one). */
  healthzBindAddress: string;
  signal: AbortSignal;
  log: Logger;
  serviceCIDR?: string;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  ipvsScheduler?: string;
  /** Write rules into this network namespace (name under /run/netns, or a path) via nsenter. */
  netns?: string;
  /** Called once /healthz listens, with its address. */
  onListening?(address: { address: string; port: number }): void;
}

/** `k8ts proxy --cleanup`: removes the rules of every mode and returns. */
export async function cleanupProxyRules(o: { log: Logger; netns?: string }): Promise<void> {
  await cleanupModes(createCommandRunner(o.netns), o.log);
}

async function chooseBackend(o: ProxyOptions, cfg: ProxyConfig, run: CommandRunner, log: Logger): Promise<ProxyBackend> {
  if (o.mode === 'nftables') return new NftablesProxier(cfg, run, log);
  if (o.mode === 'ipvs') {
    const support = await checkIpvsSupport(run);
    if (support.ok) return new IpvsProxier(cfg, run, log, o.ipvsScheduler);
    log.warn({ reason: support.reason }, "Can't use the IPVS proxier: falling back to iptables mode");
  }
  return new IptablesProxier(cfg, run, log);
}

export async function runProxy(o: ProxyOptions): Promise<void> {
  const log = o.log;
  allowManyListeners(o.signal);
  const run = createCommandRunner(o.netns);
  const conn = connectComponent(o.kubeconfig, 'kube-proxy', log);
  const services = conn.informers.informerFor(findResource('', 'v1', 'services')!);
  const slices = conn.informers.informerFor(findResource('discovery.k8s.io', 'v1', 'endpointslices')!);
  const nodes = conn.informers.informerFor(findResource('', 'v1', 'nodes')!);
  conn.informers.start(o.signal);
  await conn.informers.waitForSync(o.signal);

  let nodeIP = o.nodeIP;
  if (!nodeIP) {
    nodeIP = (nodes.lister.get(undefined, o.nodeName) as Node | undefined)?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    if (!nodeIP) throw new Error(`--node-ip is not set and Node ${o.nodeName} has no InternalIP`);
  }
  const cfg: ProxyConfig = { nodeName: o.nodeName, nodeIP, clusterCIDR: o.clusterCIDR, serviceCIDR: o.serviceCIDR ?? DEFAULT_SERVICE_CIDR };
  const backend = await chooseBackend(o, cfg, run, log);
  log.info({ mode: backend.mode, nodeName: o.nodeName, nodeIP, clusterCIDR: o.clusterCIDR }, 'using proxy mode');

  // Switching modes: the rules of the other modes go first (upstream cleans up on mode change).
  await cleanupModes(run, log, (['iptables', 'nftables', 'ipvs'] as ProxyMode[]).filter((m) => m !== backend.mode && !(backend.mode === 'ipvs' && m === 'iptables')));
  await backend.setup();

  const syncPeriod = o.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS;
  const status = new ProxyStatus(backend.mode, 2 * syncPeriod);
  let needFullSync = true;
  let lastFingerprints = new Map<string, string>();

  const sync = async (): Promise<boolean> => {
    const start = performance.now();
    const svcMap = buildServiceMap(services.lister.list() as unknown as Service[], log);
    const epMap = buildEndpointsMap(slices.lister.list() as unknown as EndpointSlice[], o.nodeName, log);
    const fingerprints = serviceFingerprints(svcMap, epMap);
    const changed = changedServices(lastFingerprints, fingerprints);
    const full = needFullSync;
    try {
      const result = await backend.sync({ services: svcMap, endpoints: epMap, changedServices: changed, full });
      needFullSync = false;
      lastFingerprints = fingerprints;
      const seconds = (performance.now() - start) / 1000;
      status.synced(full, seconds, result.ruleCounts);
      log.debug({ full, changed: changed.size, services: svcMap.size, seconds }, 'synced proxy rules');
      return true;
    } catch (e) {
      // Anything could be half-applied now: the next sync rewrites everything.
      needFullSync = true;
      status.failed();
      log.error({ err: (e as Error).message }, 'sync proxy rules failed');
      return false;
    }
  };

  const runner = new BoundedFrequencyRunner(sync, {
    minIntervalMs: o.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_PERIOD_MS,
    maxIntervalMs: syncPeriod,
    retryIntervalMs: o.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_PERIOD_MS,
  });
  const changedHandler = {
    onAdd: () => {
      status.queued();
      runner.run();
    },
    onUpdate: () => {
      status.queued();
      runner.run();
    },
    onDelete: () => {
      status.queued();
      runner.run();
    },
  };
  services.addEventHandler(changedHandler);
  slices.addEventHandler(changedHandler);

  const { server, address } = await startHealthServer(o.healthzBindAddress, status);
  o.onListening?.({ address: address.address, port: address.port });
  runner.start();

  await new Promise<void>((resolve) => {
    if (o.signal.aborted) return resolve();
    o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  runner.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  conn.client.close();
}

/** Per Service ("ns/name"): a string that changes whenever its ports or endpoints change. */
export function serviceFingerprints(services: ServicePortMap, endpoints: EndpointsMap): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const [name, svc] of services) {
    const key = `${svc.namespace}/${svc.service}`;
    const list = parts.get(key) ?? [];
    list.push(JSON.stringify([name, svc, endpoints.get(name) ?? []]));
    parts.set(key, list);
  }
  return new Map([...parts].map(([k, v]) => [k, v.sort().join('\n')]));
}

export function changedServices(prev: Map<string, string>, next: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of next) if (prev.get(k) !== v) out.add(k);
  for (const k of prev.keys()) if (!next.has(k)) out.add(k);
  return out;
}
