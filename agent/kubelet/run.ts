// `k8ts kubelet`: connects to the API server and containerd, then starts the kubelet's parts, each
// when what it needs is there (upstream cmd/kubelet → kubelet.Run → Kubelet.Run):
//
//   1. node status   register the Node, keep its status and heartbeat Lease (node/)
//   2. network       CNI config for the node's podCIDR, masquerade, routes to other nodes (agent/network)
//   3. pod loop      pod informer → pod workers → runtime manager; PLEG; status manager; prober
//   4. server        :10250 logs / exec / port-forward, which the API server proxies to (server/)
//
// On shutdown the kubelet stops its loops and leaves every pod running, as upstream does: a
// restarted kubelet finds them through the PLEG's first relist and adopts them.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { findResource } from '../../controlplane/api/resources.ts';
import { createClient, createEventRecorder, createInformerFactory, isNotFound, loadKubeconfig, type KubeObject } from '../../controlplane/client/index.ts';
import { allowManyListeners } from '../../controlplane/client/component.ts';
import { startNodeNetwork } from '../network/index.ts';
import { CriClient } from './cri/index.ts';
import type { RuntimeCondition } from './cri/criTypes.ts';
import { ImageGCManager } from './images/imageGCManager.ts';
import { DEFAULT_IMAGE_GC_HIGH_THRESHOLD, DEFAULT_IMAGE_GC_LOW_THRESHOLD, DEFAULT_MINIMUM_IMAGE_GC_AGE, imageGCPolicy } from './images/imageGC.ts';
import { Kubelet } from './kubelet.ts';
import { ContainerLogManager } from './logs/containerLogManager.ts';
import { DEFAULT_CONTAINER_LOG_MAX_FILES, DEFAULT_CONTAINER_LOG_MAX_SIZE, logRotationPolicy } from './logs/logRotation.ts';
import { startNodeStatus, type RuntimeHealth } from './node/index.ts';
import { apiObjectLookup, apiPodStatusApi, nodePodsInformer } from './podSource.ts';
import { criExecSync, ProbeManager } from './prober/index.ts';
import { KubeRuntimeManager, parseResolvConf, type PodEventRecorder, type ResolvConf } from './runtime/index.ts';
import { kubeletServingCertificate, startKubeletServer } from './server/index.ts';
import { RuntimeVolumes, VolumeManager } from './volumes/index.ts';

/** Upstream defaults (cmd/kubelet/app/options). */
export const DEFAULT_ROOT_DIR = '/var/lib/kubelet';
export const DEFAULT_POD_LOGS_DIR = '/var/log/pods';
export const DEFAULT_KUBELET_PORT = 10250;
export const DEFAULT_ADDRESS = '0.0.0.0';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** containerd's CRI defaults for cni.conf_dir, and host-local's default dataDir. */
export const DEFAULT_CNI_CONF_DIR = '/etc/cni/net.d';
export const DEFAULT_CNI_DATA_DIR = '/var/lib/cni/networks';
export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';

export interface KubeletTls {
  cert: string;
  key: string;
  /** CA that signs the clients allowed in (the API server's kubelet client certificate). */
  clientCA?: string;
}

export interface RunKubeletOptions {
  kubeconfig: string;
  nodeName: string;
  /** --node-ip: the address other nodes and the API server reach this node at. */
  nodeIP: string;
  /** containerd's CRI socket. */
  containerdEndpoint: string;
  rootDir?: string;
  podLogsDir?: string;
  cniConfDir?: string;
  cniDataDir?: string;
  /** --cluster-cidr: every pod address; traffic leaving it is masqueraded. */
  clusterCIDR: string;
  /** --cluster-dns: the DNS Service address(es) pods resolve with (ClusterFirst). */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** --resolv-conf: the node's resolver, for dnsPolicy Default and search paths. */
  resolvConf?: string;
  /** --cgroup-root for the pods' cgroups. */
  cgroupRoot?: string;
  /** The control-plane node: role label and NoSchedule taint. */
  master?: boolean;
  /** The kubelet server's port (reported in the Node's daemonEndpoints). */
  port?: number;
  /** --address the kubelet server listens on (upstream default 0.0.0.0). */
  address?: string;
  /**
   * The kubelet server's certificate; without one a self-signed certificate is made, as
   * upstream does. clientCA defaults to the CA of the kubeconfig (the cluster CA, which signs
   * the API server's kubelet client certificate).
   */
  tls?: KubeletTls;
  /** --container-log-max-size (a quantity, default 10Mi) and --container-log-max-files (default 5). */
  containerLogMaxSize?: string;
  containerLogMaxFiles?: number;
  /** How often log sizes are checked (upstream containerLogMonitorInterval, 10 s). */
  containerLogMonitorIntervalMs?: number;
  /** --image-gc-high-threshold (85), --image-gc-low-threshold (80), --minimum-image-gc-age (2m0s). */
  imageGCHighThresholdPercent?: number;
  imageGCLowThresholdPercent?: number;
  minimumImageGCAge?: string;
  signal: AbortSignal;
  log: Logger;
}

/** Upstream: the node is ready when the runtime reports RuntimeReady and NetworkReady. */
export function runtimeHealth(conditions: RuntimeCondition[]): RuntimeHealth {
  const notReady = ['RuntimeReady', 'NetworkReady'].map((type) => conditions.find((c) => c.type === type) ?? { type, status: false, reason: 'ConditionMissing', message: '' }).filter((c) => !c.status);
  if (notReady.length === 0) return { ok: true };
  const what = notReady.map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`).join(', ');
  return { ok: false, reason: notReady.some((c) => c.type === 'RuntimeReady') ? `container runtime is down: ${what}` : `container runtime network not ready: ${what}` };
}

function readResolvConf(file: string, log: Logger): ResolvConf {
  try {
    return parseResolvConf(readFileSync(file, 'utf8'));
  } catch (err) {
    log.warn({ file, err: (err as Error).message }, 'cannot read the node resolver; pods with dnsPolicy Default get none');
    return parseResolvConf('');
  }
}

/** Runs the kubelet until the signal aborts; rejects if a part fails to start. */
export async function runKubelet(o: RunKubeletOptions): Promise<void> {
  const log = o.log;
  const rootDir = o.rootDir ?? DEFAULT_ROOT_DIR;
  const port = o.port ?? DEFAULT_KUBELET_PORT;
  const podLogsDir = o.podLogsDir ?? DEFAULT_POD_LOGS_DIR;
  // Bad flags stop the kubelet before it does anything.
  const logPolicy = logRotationPolicy(o.containerLogMaxSize ?? DEFAULT_CONTAINER_LOG_MAX_SIZE, o.containerLogMaxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES);
  const gcPolicy = imageGCPolicy(
    o.imageGCHighThresholdPercent ?? DEFAULT_IMAGE_GC_HIGH_THRESHOLD,
    o.imageGCLowThresholdPercent ?? DEFAULT_IMAGE_GC_LOW_THRESHOLD,
    o.minimumImageGCAge ?? DEFAULT_MINIMUM_IMAGE_GC_AGE,
  );
  allowManyListeners(o.signal);
  // Step 0: the kubelet's directories (upstream setupDataDirs).
  for (const dir of [rootDir, join(rootDir, 'pods'), podLogsDir]) mkdirSync(dir, { recursive: true, mode: 0o750 });
  const credentials = loadKubeconfig(o.kubeconfig);
  const client = createClient(credentials, { userAgent: `kubelet/v1.32.4-k8ts (${o.nodeName})` });
  const informers = createInformerFactory(client, { logger: log });
  const events = createEventRecorder(client, { component: 'kubelet', host: o.nodeName }, { logger: log });
  const recorder: PodEventRecorder = { event: (pod, type, reason, message) => events.event(pod as KubeObject, type, reason, message) };
  const cri = new CriClient({ endpoint: o.containerdEndpoint });

  // Step 1: the Node, with the runtime's version, health and images.
  const node = startNodeStatus({
    client,
    nodeName: o.nodeName,
    nodeIP: o.nodeIP,
    master: o.master,
    kubeletPort: port,
    runtimeVersion: async () => {
      const v = await cri.version();
      return `${v.runtime_name}://${v.runtime_version}`;
    },
    runtimeReady: async () => runtimeHealth(await cri.status()),
    images: async () => (await cri.listImages()).map((i) => ({ repoTags: i.repo_tags, repoDigests: i.repo_digests, sizeBytes: Number(i.size) })),
    rootDir,
    signal: o.signal,
    log,
  });

  // Step 2: the pod network, once node IPAM gave the Node a podCIDR.
  const network = startNodeNetwork({
    client,
    nodeName: o.nodeName,
    cniConfDir: o.cniConfDir ?? DEFAULT_CNI_CONF_DIR,
    cniDataDir: o.cniDataDir ?? DEFAULT_CNI_DATA_DIR,
    clusterCIDR: o.clusterCIDR,
    signal: o.signal,
    log,
  });

  // Step 3: the pod loop.
  const memory = totalmem();
  const volumeManager = new VolumeManager({ rootDir, nodeAllocatableMemory: memory });
  const volumes = new RuntimeVolumes(volumeManager, {
    pvc: (ns, name) => getOrUndefined(() => client.resource<PersistentVolumeClaim & KubeObject>(findResource('', 'v1', 'persistentvolumeclaims')!, ns).get(name)),
    pv: (name) => getOrUndefined(() => client.resource<PersistentVolume & KubeObject>(findResource('', 'v1', 'persistentvolumes')!).get(name)),
  });
  const containerLogs = new ContainerLogManager({ cri, policy: logPolicy, log: log.child({ part: 'containerLogManager' }), monitorIntervalMs: o.containerLogMonitorIntervalMs });
  let kubelet: Kubelet | undefined;
  const prober = new ProbeManager({ execSync: criExecSync(cri), recorder, getPodStatus: (uid) => kubelet?.statusManager.getPodStatus(uid) });
  const runtime = new KubeRuntimeManager({
    cri,
    volumes,
    recorder,
    hostIPs: [o.nodeIP],
    kubeletRoot: rootDir,
    podLogsRoot: podLogsDir,
    cgroupRoot: o.cgroupRoot,
    clusterDNS: o.clusterDNS,
    clusterDomain: o.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    resolvConf: readResolvConf(o.resolvConf ?? DEFAULT_RESOLV_CONF, log),
    nodeAllocatable: { cpu: cpus().length, memory },
    memoryCapacity: memory,
    probes: prober.probeResults(),
    containerLogs,
  });
  const pods = nodePodsInformer(client, o.nodeName, log);
  kubelet = new Kubelet({
    nodeName: o.nodeName,
    cri,
    runtime,
    volumes,
    lookup: apiObjectLookup(client, informers),
    pods,
    statusApi: apiPodStatusApi(client, pods),
    prober,
    podDirs: volumeManager,
    recorder,
    log: log.child({ component: 'kubelet' }),
  });
  pods.run(o.signal);
  informers.start(o.signal);
  try {
    await informers.waitForSync(o.signal);
  } catch (err) {
    if (o.signal.aborted) return; // stopped while starting: the loops end with the signal
    throw err;
  }
  const podLoop = kubelet.run(o.signal);
  const logRotation = containerLogs.run(o.signal);
  const nodeRef = { apiVersion: 'v1', kind: 'Node', metadata: { name: o.nodeName, uid: o.nodeName } } as KubeObject;
  const imageGC = new ImageGCManager({
    cri,
    policy: gcPolicy,
    recorder: { nodeEvent: (type, reason, message) => events.event(nodeRef, type, reason, message) },
    log: log.child({ part: 'imageGCManager' }),
  }).run(o.signal);

  // Step 4: the kubelet server. Pods carry the status the kubelet last computed (container ids
  // for logs and exec), which may be newer than the API server's copy.
  const withStatus = (pod: Pod): Pod => ({ ...pod, status: kubelet!.statusManager.getPodStatus(pod.metadata?.uid ?? '') ?? pod.status });
  const serving = o.tls ?? (await kubeletServingCertificate({ nodeName: o.nodeName, hosts: [o.nodeIP] }));
  const server = await startKubeletServer({
    bindAddress: o.address ?? DEFAULT_ADDRESS,
    port,
    tls: { cert: serving.cert, key: serving.key, clientCA: o.tls?.clientCA ?? credentials.ca },
    cri,
    criEndpoint: o.containerdEndpoint,
    lookupPod: (ns, name) => {
      const pod = pods.lister.get(ns, name);
      return pod && withStatus(pod);
    },
    listPods: () => pods.lister.list().map(withStatus),
    runtimeStatus: (uid) => runtime.getPodStatus(uid),
    log,
  });
  log.info({ node: o.nodeName, nodeIP: o.nodeIP, containerd: o.containerdEndpoint, rootDir }, 'kubelet started');

  try {
    await Promise.all([podLoop, node.done, network.done, logRotation, imageGC]);
  } finally {
    await server.close().catch(() => undefined);
    await events.flush().catch(() => undefined);
    cri.close();
    client.close();
  }
}

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
