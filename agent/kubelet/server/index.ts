// The kubelet's HTTPS server (:10250): /healthz, /pods, /containerLogs, /exec, /portForward.
//
//   const server = await startKubeletServer({ bindAddress, port, tls, cri, criEndpoint, lookupPod, listPods, runtimeStatus, log });
//   await server.close();
export { startKubeletServer, DEFAULT_KUBELET_PORT, route, type KubeletServer, type KubeletServerOptions } from './kubeletServer.ts';
export { kubeletServingCertificate, type ServingCertificateOptions } from './servingCertificate.ts';
export { CriStreamingClient, type StreamingRuntime, type ExecRequest } from './criStreamingClient.ts';
export type { PodSource, ServerLog } from './types.ts';
export { readCriLog, parseCriLogRecord, LOG_FORCE_CHECK_PERIOD_MS } from './criLogReader.ts';
