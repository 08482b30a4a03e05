// What a test file that drives real tools needs on this machine. A file whose needs are missing
// is skipped with one line saying why, so a run on a machine without them is visibly partial.
import { spawnSync } from 'node:child_process';

export interface Requirements {
  /** Why root is needed (network namespaces, rules, mounts), when it is. */
  root?: string;
  /** Commands that must be on PATH. */
  tools?: string[];
}

/** '' when the test can run here, else why not (and that reason is printed once). */
export function skipReason(testFile: string, needs: Requirements): string {
  const missingTools = (needs.tools ?? []).filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
  const reason =
    needs.root && process.getuid?.() !== 0 ? `needs root (${needs.root})` : missingTools.length ? `needs ${missingTools.join(', ')} installed` : '';
  if (reason) console.warn(`${testFile}: skipped: ${reason}`);
  return reason;
}
