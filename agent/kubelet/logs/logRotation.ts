// Pure rules of container log rotation (upstream pkg/kubelet/logs/container_log_manager.go):
// which rotated files are leftovers, which are in excess, what a rotated file is called. The
// manager (containerLogManager.ts) applies them to the files of each running container.
import { parseQuantity } from '../../../controlplane/api/validation/quantity.ts';

/** Upstream defaults: --container-log-max-size 10Mi, --container-log-max-files 5. */
export const DEFAULT_CONTAINER_LOG_MAX_SIZE = '10Mi';
export const DEFAULT_CONTAINER_LOG_MAX_FILES = 5;
/** Upstream ContainerLogMonitorInterval default: how often log sizes are checked. */
export const DEFAULT_LOG_MONITOR_INTERVAL_MS = 10_000;

/** Suffixes of compressed and half-written files (upstream compressSuffix, tmpSuffix). */
export const COMPRESS_SUFFIX = '.gz';
export const TMP_SUFFIX = '.tmp';

export interface LogRotationPolicy {
  maxSizeBytes: number;
  maxFiles: number;
}

/**
 * The policy from the kubelet's flags, checked as upstream NewContainerLogManager checks it:
 * a quantity for the size (≥ 0), at least 2 files (the current one and one rotated).
 */
export function logRotationPolicy(maxSize: string, maxFiles: number | string): LogRotationPolicy {
  const size = parseQuantity(maxSize);
  if (size === undefined) throw new Error(`invalid --container-log-max-size ${JSON.stringify(maxSize)}: not a quantity (e.g. 10Mi)`);
  if (size < 0) throw new Error(`invalid --container-log-max-size ${maxSize}: must be >= 0`);
  const files = Number(maxFiles);
  if (!Number.isInteger(files) || files <= 1) throw new Error(`invalid --container-log-max-files ${maxFiles}: must be an integer > 1`);
  return { maxSizeBytes: Math.floor(size), maxFiles: files };
}

/** Upstream's rotated name: the log path plus the time in Go's "20060102-150405" layout (UTC here). */
export function rotatedLogName(logPath: string, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${logPath}.${stamp}`;
}

/**
 * Upstream isInUse: temporary files never are; compressed files always are; an uncompressed
 * file whose compressed copy exists is a leftover of an interrupted compression.
 */
export function isLogInUse(file: string, all: string[]): boolean {
  if (file.endsWith(TMP_SUFFIX)) return false;
  if (file.endsWith(COMPRESS_SUFFIX)) return true;
  return !all.includes(file + COMPRESS_SUFFIX);
}

/** Upstream filterUnusedLogs: the rotated files to keep and those to delete. */
export function splitUnusedLogs(rotated: string[]): { inUse: string[]; unused: string[] } {
  const inUse: string[] = [];
  const unused: string[] = [];
  for (const f of rotated) (isLogInUse(f, rotated) ? inUse : unused).push(f);
  return { inUse, unused };
}

/**
 * Upstream removeExcessLogs: besides the current file and the one about to be rotated, at most
 * maxFiles-2 rotated files stay; the oldest go first (names sort by time), so a `kubectl logs`
 * reading the newest is not disturbed.
 */
export function excessLogs(rotated: string[], maxFiles: number): { remove: string[]; keep: string[] } {
  const sorted = [...rotated].sort();
  const keepCount = Math.max(maxFiles - 2, 0);
  const cut = Math.max(sorted.length - keepCount, 0);
  return { remove: sorted.slice(0, cut), keep: sorted.slice(cut) };
}

/** Rotated files still uncompressed: all get compressed before the current file is rotated. */
export function logsToCompress(rotated: string[]): string[] {
  return rotated.filter((f) => !f.endsWith(COMPRESS_SUFFIX));
}
