// The query of GET /containerLogs/{ns}/{pod}/{container}: PodLogOptions as the kubelet decodes
// and validates them (pkg/kubelet/server/server.go getContainerLogs, then
// pkg/apis/core/validation ValidatePodLogOptions), turned into what the log reader needs
// (pkg/kubelet/kuberuntime/logs NewLogOptions: "since" becomes one absolute time).
import { ApiError } from '../../../controlplane/api/errors.ts';

export interface LogOptions {
  follow: boolean;
  /** Only the last N lines of the file; undefined = the whole file. */
  tailLines?: number;
  /** Prefix every line with its RFC3339Nano time from the log file. */
  timestamps: boolean;
  /** The previous instance of the container (restartCount - 1). */
  previous: boolean;
  /** Skip lines written before this time (ms since the epoch). */
  sinceMs?: number;
  /** Stop after this many bytes. */
  limitBytes?: number;
}

/** Go's strconv.ParseBool, which the query decoder uses for bool fields. */
function parseBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(value)) return false;
  throw decodeError(name, value);
}

function parseInt64(name: string, value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw decodeError(name, value);
  return Number(value);
}

function decodeError(name: string, value: string): ApiError {
  return new ApiError(400, 'BadRequest', `Unable to decode query: invalid value ${JSON.stringify(value)} for ${name}`);
}

function invalid(field: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `Invalid request: ${field}: ${message}`);
}

/**
 * Decodes and validates the query. `now` (ms) turns sinceSeconds into an absolute time, as
 * upstream's NewLogOptions does once per request.
 */
export function parseLogOptions(query: URLSearchParams, now: number): LogOptions {
  const get = (k: string) => query.get(k);
  // Older clients say ?tail=N (or tail=all): the kubelet still honours it.
  let tail = get('tailLines');
  const legacyTail = get('tail');
  if (legacyTail !== null && legacyTail !== '') tail = legacyTail === 'all' ? null : legacyTail;

  const opts: LogOptions = {
    follow: parseBool('follow', get('follow') ?? ''),
    timestamps: parseBool('timestamps', get('timestamps') ?? ''),
    previous: parseBool('previous', get('previous') ?? ''),
  };
  if (tail !== null && tail !== '') {
    opts.tailLines = parseInt64('tailLines', tail);
    if (opts.tailLines < 0) throw invalid('tailLines', 'must be greater than or equal to 0');
  }
  const limit = get('limitBytes');
  if (limit !== null && limit !== '') {
    opts.limitBytes = parseInt64('limitBytes', limit);
    if (opts.limitBytes < 1) throw invalid('limitBytes', 'must be greater than 0');
  }
  const sinceSeconds = get('sinceSeconds');
  const sinceTime = get('sinceTime');
  const hasSeconds = sinceSeconds !== null && sinceSeconds !== '';
  const hasTime = sinceTime !== null && sinceTime !== '';
  if (hasSeconds && hasTime) throw invalid('sinceSeconds', 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (hasSeconds) {
    const seconds = parseInt64('sinceSeconds', sinceSeconds);
    if (seconds < 1) throw invalid('sinceSeconds', 'must be greater than 0');
    opts.sinceMs = now - seconds * 1000;
  }
  if (hasTime) {
    // metav1.Time: RFC3339 with second precision.
    const ms = Date.parse(sinceTime);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(sinceTime) || Number.isNaN(ms)) throw decodeError('sinceTime', sinceTime);
    opts.sinceMs = ms;
  }
  return opts;
}
