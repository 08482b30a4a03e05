// The kubelet: the node agent that makes the pods bound to its Node real containers.
//
//   runKubelet(options)      `k8ts kubelet`: node status, network, pod loop, server (run.ts)
//   Kubelet                  the pod loop: sources → pod workers → runtime; status; housekeeping (kubelet.ts)
//   podworkers/              one serialized worker per pod: syncing → terminating → terminated
//   status/                  the status manager: versioned pod statuses, sent only when changed
//   runtime/ cri/            the runtime manager over CRI, and the CRI client
//   node/ prober/ volumes/ server/   the Node and its Lease, probes, volumes, the :10250 server
export {
  runKubelet,
  runtimeHealth,
  DEFAULT_ROOT_DIR,
  DEFAULT_POD_LOGS_DIR,
  DEFAULT_KUBELET_PORT,
  DEFAULT_ADDRESS,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_CNI_CONF_DIR,
  DEFAULT_CNI_DATA_DIR,
  DEFAULT_RESOLV_CONF,
  type RunKubeletOptions,
  type KubeletTls,
} from './run.ts';
export { Kubelet, POD_RESYNC_PERIOD_MS, HOUSEKEEPING_PERIOD_MS, type KubeletOptions, type KubeletProber } from './kubelet.ts';
export { PodWorkers, WORKER_BACKOFF_MS, type PodSyncer, type PodUpdate, type WorkerPhase } from './podworkers/podWorkers.ts';
export { StatusManager, STATUS_SYNC_PERIOD_MS, type PodStatusApi } from './status/statusManager.ts';
export { nodePodsInformer, apiObjectLookup, apiPodStatusApi } from './podSource.ts';
