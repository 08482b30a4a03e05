// `k8ts proxy`: the node's Service proxy (upstream cmd/kube-proxy). Informers on Services and
// EndpointSlices feed the change trackers (upstream serviceChanges / endpointsChanges) and ask
// the bounded-frequency runner for a sync; a sync applies the recorded changes, learns which
// Services really changed, and hands the model plus that set to the backend of the chosen mode.
// A full sync (start-up, after any failure, and once per fullSyncPeriod) first refills the
// trackers from the informer caches — the level-triggered safety net — and rewrites everything.
import type { Service, Node } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { findResource } from '../../controlplane/api/resources.ts';
import { allowManyListeners, connectComponent } from '../../controlplane/client/component.ts';
import { EndpointsChangeTracker } from './endpointsChangeTracker.ts';
import { ServiceChangeTracker } from './serviceChangeTracker.ts';
import { cleanupModes } from './cleanup.ts';
import { createCommandRunner, type CommandRunner } from './exec.ts';
import { ProxyStatus, startHealthServer } from './healthServer.ts';
import { IptablesProxier } from './iptables/iptablesProxier.ts';
import { NftablesProxier } from './nftables/nftablesProxier.ts';
import { IpvsProxier } from './ipvs/ipvsProxier.ts';
import { checkIpvsSupport } from './ipvs/ipvsSupport.ts';
import { BoundedFrequencyRunner } from './syncRunner.ts';
import type { Logger, ProxyBackend, ProxyConfig, ProxyMode } from './types.ts';

// upstream defaults: --iptables-min-sync-period 1s, --iptables-sync-period 30s
export const DEFAULT_MIN_SYNC_PERIOD_MS = 1000;
export const DEFAULT_SYNC_PERIOD_MS = 30_000;
// upstream proxyutil.FullSyncPeriod: syncs in between rewrite only what changed.
export const DEFAULT_FULL_SYNC_PERIOD_MS = 3_600_000;
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
  /** A sync this long after the last full one is full again (default 1 h, as upstream). */
  fullSyncPeriodMs?: number;
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
  const fullSyncPeriod = o.fullSyncPeriodMs ?? DEFAULT_FULL_SYNC_PERIOD_MS;
  const serviceChanges = new ServiceChangeTracker(log);
  const endpointsChanges = new EndpointsChangeTracker(o.nodeName, log);
  let needFullSync = true;
  let lastFullSync = -Infinity;

  const sync = async (): Promise<boolean> => {
    const start = performance.now();
    const full = needFullSync || Date.now() - lastFullSync >= fullSyncPeriod;
    if (full) {
      serviceChanges.replaceAll(services.lister.list() as unknown as Service[]);
      endpointsChanges.replaceAll(slices.lister.list() as unknown as EndpointSlice[]);
    }
    const svcUpdate = serviceChanges.update();
    const epUpdate = endpointsChanges.update();
    const changed = new Set([...svcUpdate.changed, ...epUpdate.changed]);
    try {
      const result = await backend.sync({ services: svcUpdate.services, endpoints: epUpdate.endpoints, changedServices: changed, full });
      needFullSync = false;
      if (full) lastFullSync = Date.now();
      const seconds = (performance.now() - start) / 1000;
      status.synced(full, seconds, result.ruleCounts);
      log.debug({ full, changed: changed.size, services: svcUpdate.services.size, seconds }, 'synced proxy rules');
      return true;
    } catch (e) {
      // The trackers' changes are applied already and the kernel may hold half of them: the
      // next sync rewrites everything (upstream sets needFullSync on any failure).
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
  const queue = () => {
    status.queued();
    runner.run();
  };
  services.addEventHandler({
    onAdd: (obj) => (serviceChanges.onChange(undefined, obj as unknown as Service), queue()),
    onUpdate: (prev, cur) => (serviceChanges.onChange(prev as unknown as Service, cur as unknown as Service), queue()),
    onDelete: (obj) => (serviceChanges.onChange(obj as unknown as Service, undefined), queue()),
  });
  slices.addEventHandler({
    onAdd: (obj) => (endpointsChanges.onChange(undefined, obj as unknown as EndpointSlice), queue()),
    onUpdate: (prev, cur) => (endpointsChanges.onChange(prev as unknown as EndpointSlice, cur as unknown as EndpointSlice), queue()),
    onDelete: (obj) => (endpointsChanges.onChange(obj as unknown as EndpointSlice, undefined), queue()),
  });

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
