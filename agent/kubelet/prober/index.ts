// Probes: liveness, readiness and startup for every container that declares them
// (upstream pkg/kubelet/prober and pkg/probe). The parts, from the top:
//   proberManager.ts           one worker per (pod, container, kind); started/ready for the status
//   worker.ts                  the probe loop and its verdict: thresholds, delays, startup gating
//   results/resultsManager.ts  results by container id, and the change stream pod workers follow
//   prober.ts                  one probe run with retries, and the Unhealthy/ProbeWarning events
//   execProbe.ts tcpProbe.ts httpProbe.ts grpcProbe.ts   the four handlers
//   criExec.ts                 CRI ExecSync as the exec handler's ExecSync
//   clock.ts                   the clock workers wait on (FakeClock in tests)
export { ProbeManager, type ProbeManagerOptions, type ProbeUpdateListener } from './proberManager.ts';
export { ResultsManager, parseContainerId, type ProbeResult, type ResultUpdate, type ResultListener } from './results/resultsManager.ts';
export { Prober, probeTimings, PROBE_DEFAULTS, MAX_PROBE_RETRIES, EVENT_UNHEALTHY, EVENT_PROBE_WARNING, type ProbeVerdict } from './prober.ts';
export { ProbeWorker, INITIAL_RESULT } from './worker.ts';
export { criExecSync, type CriExecSync } from './criExec.ts';
export { execProbe, expandStaticCommand, MAX_EXEC_OUTPUT_BYTES } from './execProbe.ts';
export { httpProbe, buildHttpProbeRequest, PROBE_USER_AGENT, MAX_HTTP_BODY_BYTES } from './httpProbe.ts';
export { tcpProbe } from './tcpProbe.ts';
export { grpcProbe } from './grpcProbe.ts';
export { resolveContainerPort } from './containerPort.ts';
export { realClock, FakeClock, type Clock } from './clock.ts';
export { ExecTimeoutError, PROBE_KIND_TITLE, type ExecSync, type ExecSyncResult, type ProbeKind, type ProbeOutcome, type ProbeEventRecorder } from './types.ts';
