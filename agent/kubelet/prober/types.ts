// The prober's vocabulary: probe kinds, what one probe attempt returns (upstream pkg/probe
// Result + output + error), and what it needs from the rest of the kubelet.
import type { Pod } from 'kubernetes-types/core/v1.js';

/** Which probe of a container (upstream probeType). */
export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** How the kind is named in events: "Liveness probe failed: …". */
export const PROBE_KIND_TITLE: Record<ProbeKind, string> = {
  liveness: 'Liveness',
  readiness: 'Readiness',
  startup: 'Startup',
};

/**
 * One probe attempt (upstream pkg/probe.Result and its output). A failed probe is a value, not an
 * exception: `failure` with the output users see in the Unhealthy event. `error` is set only when
 * the probe could not be run at all (a named port that does not exist, a runtime error) — upstream
 * retries those and reports "errored and resulted in unknown state".
 */
export interface ProbeOutcome {
  result: 'success' | 'warning' | 'failure' | 'unknown';
  output: string;
  error?: string;
}

/** What CRI ExecSync answers (upstream's ExecSync, exit code and both streams). */
export interface ExecSyncResult {
  exitCode: number;
  stdout: Buffer | string;
  stderr: Buffer | string;
}

/**
 * Runs a command in a container and waits for it, for at most timeoutSeconds. Throws
 * ExecTimeoutError when the runtime reports the deadline was exceeded; any other throw is a
 * runtime error (the probe "errored").
 */
export type ExecSync = (containerId: string, cmd: string[], timeoutSeconds: number) => Promise<ExecSyncResult>;

/** The runtime gave up on an exec at its deadline (upstream utilexec TimeoutError). */
export class ExecTimeoutError extends Error {
  override readonly name = 'ExecTimeoutError';
  constructor(cmd: string[], readonly timeoutSeconds: number) {
    // The wording of upstream's remote runtime client: command "sh -c …" timed out.
    super(`command ${JSON.stringify(cmd.join(' '))} timed out`);
  }
}

/** Events the prober records against a pod's container (the runtime's PodEventRecorder shape). */
export interface ProbeEventRecorder {
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}
