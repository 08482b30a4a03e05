// Adapts the CRI client's ExecSync to the exec probe's ExecSync: a deadline the runtime reports
// (gRPC DEADLINE_EXCEEDED) becomes ExecTimeoutError, which the exec probe counts as a failure,
// as upstream's remote runtime client does.
import { ExecTimeoutError, type ExecSync } from './types.ts';

/** The one CRI call exec probes make (agent/kubelet/cri CriClient.execSync). */
export interface CriExecSync {
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exit_code: number }>;
}

export function criExecSync(cri: CriExecSync): ExecSync {
  return async (containerId, cmd, timeoutSeconds) => {
    try {
      const res = await cri.execSync(containerId, cmd, timeoutSeconds);
      return { exitCode: res.exit_code, stdout: res.stdout ?? Buffer.alloc(0), stderr: res.stderr ?? Buffer.alloc(0) };
    } catch (err) {
      if ((err as { code?: unknown })?.code === 'DeadlineExceeded') throw new ExecTimeoutError(cmd, timeoutSeconds);
      throw err;
    }
  };
}
