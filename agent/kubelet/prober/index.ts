// Probes: liveness, readiness and startup for every container that declares them.
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
