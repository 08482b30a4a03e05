// Reads a container's log file in the CRI format the runtime writes
// (`<RFC3339Nano time> <stdout|stderr> <F|P>[:tags] <text>\n`, one record per line; P = partial,
// the line continues in the next record) and writes what `kubectl logs` shows: tail, since,
// timestamps, limitBytes, and follow until the container stops — across log rotations.
// Upstream: pkg/kubelet/kuberuntime/logs/logs.go (ReadLogs, parseCRILog, tail, logWriter, waitLogs).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/** Read size, and the block size the tail search walks backwards by (upstream blockSize 1 KiB; larger reads are cheaper here). */
const READ_CHUNK_BYTES = 64 * 1024;
/** While following, how often to look again without a file event (upstream logForceCheckPeriod). */
export const LOG_FORCE_CHECK_PERIOD_MS = 1000;

const NEWLINE = 0x0a;
const SPACE = 0x20;

export interface CriLogRecord {
  /** The time exactly as written in the file (kept for `timestamps`: RFC3339Nano, no precision lost). */
  timestamp: string;
  /** Milliseconds since the epoch, for `since`. */
  timeMs: number;
  stream: 'stdout' | 'stderr';
  /** A P record: the line goes on in the next record. */
  partial: boolean;
  /** The text; a full record keeps its trailing newline, a partial one has none. */
  content: Buffer;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Parses one record (with or without its trailing newline); throws on a malformed one. */
export function parseCriLogRecord(line: Buffer): CriLogRecord {
  const first = line.indexOf(SPACE);
  if (first < 0) throw new Error('timestamp is not found');
  const timestamp = line.subarray(0, first).toString('latin1');
  const m = RFC3339.exec(timestamp);
  if (!m) throw new Error(`unexpected timestamp format ${JSON.stringify(timestamp)}`);
  // JavaScript dates hold milliseconds: keep three fractional digits for the comparison.
  const timeMs = Date.parse(`${m[1]}${(m[2] ?? '').slice(0, 4)}${m[3]}`);
  const second = line.indexOf(SPACE, first + 1);
  if (second < 0) throw new Error('stream type is not found');
  const stream = line.subarray(first + 1, second).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') throw new Error(`unexpected stream type ${JSON.stringify(stream)}`);
  const third = line.indexOf(SPACE, second + 1);
  if (third < 0) throw new Error('log tag is not found');
  // Tags are ':'-separated for forward compatibility; the first says partial or full.
  const partial = line.subarray(second + 1, third).toString('latin1').split(':')[0] === 'P';
  let content = line.subarray(third + 1);
  if (partial && content.length > 0 && content[content.length - 1] === NEWLINE) content = content.subarray(0, content.length - 1);
  return { timestamp, timeMs, stream, partial, content };
}

/**
 * Where the last `n` newline-terminated lines start (a trailing line without its newline is not
 * counted, as upstream's tail). n undefined: the start of the file.
 */
export async function tailStart(file: FileHandle, size: number, n: number | undefined): Promise<number> {
  if (n === undefined) return 0;
  let count = 0;
  let right = size;
  const buf = Buffer.alloc(READ_CHUNK_BYTES);
  while (right > 0) {
    const left = Math.max(0, right - READ_CHUNK_BYTES);
    const { bytesRead } = await file.read(buf, 0, right - left, left);
    // Walk this block from its end; the (n+1)-th newline from the end closes the line before ours.
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== NEWLINE) continue;
      count++;
      if (count > n) return left + i + 1;
    }
    right = left;
  }
  return 0;
}

export interface LogWriterOptions {
  timestamps: boolean;
  sinceMs?: number;
  limitBytes?: number;
}

/**
 * Writes records the way upstream's logWriter does: skips those before `since`, prefixes the
 * time at the start of each logical line, and cuts at `limitBytes`. `write` returns false once
 * the limit is reached.
 */
export class LogWriter {
  private remaining: number;
  private atLineStart = true;

  constructor(
    private readonly opts: LogWriterOptions,
    private readonly sink: (chunk: Buffer) => void | Promise<void>,
  ) {
    this.remaining = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  async write(record: CriLogRecord): Promise<boolean> {
    const newLine = this.atLineStart;
    this.atLineStart = !record.partial;
    if (this.opts.sinceMs !== undefined && record.timeMs < this.opts.sinceMs) return true;
    let line = record.content;
    if (this.opts.timestamps && newLine) line = Buffer.concat([Buffer.from(`${record.timestamp} `, 'latin1'), line]);
    if (line.length > this.remaining) line = line.subarray(0, this.remaining);
    if (line.length > 0) await this.sink(line);
    this.remaining -= line.length;
    return this.remaining > 0;
  }
}

export interface ReadLogsOptions extends LogWriterOptions {
  tailLines?: number;
  follow: boolean;
  /** Whether the container still runs (CRI ContainerStatus): following ends once it does not. */
  isRunning?: () => Promise<boolean>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /** Malformed records are skipped and reported here (upstream logs and continues). */
  onParseError?: (err: Error, line: Buffer) => void;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * The file that took the place of the open one at `path` after a rotation (the kubelet renamed
 * the log and the runtime reopened it at the same path), once the runtime has written to it;
 * undefined while the path still names the open file, names nothing yet, or a new file that is
 * still empty. Waiting for the first write matters: the runtime creates the new file before it
 * stops writing to the old one, and writes to the new one only after that.
 */
async function openReplacement(path: string, current: Stats): Promise<{ file: FileHandle; stats: Stats } | undefined> {
  const atPath = await stat(path).catch(() => undefined);
  if (!atPath || sameFile(atPath, current) || atPath.size === 0) return undefined;
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return undefined;
  // Looked at again through the handle: the path may have changed between stat and open.
  const stats = await file.stat();
  if (sameFile(stats, current) || stats.size === 0) {
    await file.close();
    return undefined;
  }
  return { file, stats };
}

/**
 * Copies the log file at `path` into `sink`. With `follow`, keeps reading as the file grows —
 * and, when the log is rotated, finishes the old file and goes on from the start of the new one
 * at `path` (upstream reopens the path when the file it follows was replaced) — and returns once
 * the container is no longer running and everything it wrote has been read, or when `signal`
 * aborts.
 */
export async function readCriLog(path: string, opts: ReadLogsOptions, sink: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  let file = await open(path, 'r');
  let stats = await file.stat();
  // Found at the end of the old file; switched to after one more read of the old one.
  let next: { file: FileHandle; stats: Stats } | undefined;
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    const writer = new LogWriter(opts, sink);
    let position = await tailStart(file, stats.size, opts.tailLines);
    let pending = Buffer.alloc(0);
    // Set once the container was seen stopped: one more read to the end, then done.
    let lastRead = false;
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    const emit = async (line: Buffer): Promise<boolean> => {
      let record: CriLogRecord;
      try {
        record = parseCriLogRecord(line);
      } catch (err) {
        opts.onParseError?.(err as Error, line);
        return true;
      }
      return writer.write(record);
    };

    for (;;) {
      if (opts.signal?.aborted) return;
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        pending = pending.length ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : Buffer.from(chunk.subarray(0, bytesRead));
        let start = 0;
        for (let nl = pending.indexOf(NEWLINE); nl >= 0; nl = pending.indexOf(NEWLINE, start)) {
          if (!(await emit(pending.subarray(start, nl + 1)))) return;
          start = nl + 1;
        }
        pending = pending.subarray(start);
        continue;
      }
      // End of the file.
      if (!opts.follow) {
        // A last record without its newline is still shown (upstream: "Incomplete line in log file").
        if (pending.length > 0) await emit(pending);
        return;
      }
      if (next) {
        // The old file is read to its end after the runtime moved on: nothing more comes to it.
        if (pending.length > 0 && !(await emit(pending))) return;
        pending = Buffer.alloc(0);
        await file.close();
        ({ file, stats } = next);
        next = undefined;
        position = 0;
        continue;
      }
      next = await openReplacement(path, stats);
      // Rotated: read the old file once more, for what was written to it before the new one.
      if (next) continue;
      if (lastRead) return;
      if (!(await (opts.isRunning?.() ?? Promise.resolve(false)))) {
        lastRead = true;
        continue;
      }
      // Wait for the runtime to write more: an event in the log's directory (a write, or the
      // new file of a rotation), or the periodic look.
      if (!watcher) {
        watcher = watch(dirname(path), () => wake?.());
        // The directory going away (the pod's logs removed) ends the events, not the reader:
        // the periodic look goes on.
        watcher.on('error', () => watcher?.close());
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, LOG_FORCE_CHECK_PERIOD_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    watcher?.close();
    await next?.file.close();
    await file.close();
  }
}
