// Projects a set of files into a volume directory so that readers never see a half-written update
// (upstream pkg/volume/util/atomic_writer.go). The layout:
//
//   <dir>/..2024_05_01_10_00_00.123456/   the real files, one directory per version
//   <dir>/..data -> ..2024_05_01_10_00_00.123456
//   <dir>/key     -> ..data/key           what users see: symlinks through ..data
//
// An update writes a new timestamped directory, points ..data_tmp at it and renames ..data_tmp over
// ..data — rename(2) is atomic, so every reader sees the old version or the new one, whole.
// Names starting with ".." are the writer's own.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DATA_DIR_NAME = '..data';
export const NEW_DATA_DIR_NAME = '..data_tmp';
/** upstream maxFileNameLength / maxPathLength. */
const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;
/** upstream newTimestampDir: 0755 so group and other can walk into the files. */
const TIMESTAMP_DIR_MODE = 0o755;

export interface FileProjection {
  data: Buffer;
  /** File mode bits, e.g. 0o644. */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

/** upstream validatePath: the reason a payload path is refused, or undefined. */
export function validatePayloadPath(target: string): string | undefined {
  if (target === '') return `invalid path: must not be empty: "${target}"`;
  if (path.isAbsolute(target)) return `invalid path: must be relative path: ${target}`;
  if (target.length > MAX_PATH_LENGTH) return `invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`;
  const items = target.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${target}`;
    if (item.length > MAX_FILE_NAME_LENGTH) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`;
  }
  if (items[0].startsWith('..') && items[0].length > 2) return `invalid path: must not start with '..': ${target}`;
  return undefined;
}

/** upstream validatePayload: every path checked, then cleaned ("a//b/" → "a/b"). */
export function cleanPayload(payload: Payload): Payload {
  const clean: Payload = new Map();
  for (const [p, file] of payload) {
    const reason = validatePayloadPath(p);
    if (reason) throw new Error(reason);
    clean.set(path.normalize(p).replace(/\/$/, ''), file);
  }
  return clean;
}

/** Every path of the payload and each of its parent directories: what an update must keep. */
function payloadPathsWithParents(payload: Payload): Set<string> {
  const keep = new Set<string>();
  for (const p of payload.keys()) {
    for (let sub = p; sub !== '.' && sub !== ''; sub = path.dirname(sub)) keep.add(sub);
  }
  return keep;
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    out.push(rel);
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), rel));
  }
  return out;
}

/** upstream timestamp directory name prefix: time.Now().UTC().Format("..2006_01_02_15_04_05."). */
export function timestampDirPrefix(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

function shouldWritePayload(payload: Payload, oldTsPath: string): boolean {
  for (const [p, file] of payload) {
    const onDisk = path.join(oldTsPath, p);
    if (!existsSync(onDisk)) return true;
    if (!readFileSync(onDisk).equals(file.data)) return true;
  }
  return false;
}

/**
 * Writes `payload` into `targetDir` atomically (upstream AtomicWriter.Write). Returns whether a
 * new version was written (false when the directory already holds exactly this payload).
 */
export function atomicWrite(targetDir: string, payload: Payload, now = new Date()): boolean {
  // (1) validate and clean the payload.
  const clean = cleanPayload(payload);

  // (2) the current version, if any.
  const dataDirPath = path.join(targetDir, DATA_DIR_NAME);
  let oldTsDir = '';
  try {
    oldTsDir = readlinkSync(dataDirPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const oldTsPath = path.join(targetDir, oldTsDir);

  // (3) paths of the old version the new one no longer has; (4) nothing to do when unchanged.
  let toRemove: string[] = [];
  if (oldTsDir) {
    const keep = payloadPathsWithParents(clean);
    toRemove = existsSync(oldTsPath) ? walk(oldTsPath).filter((p) => !keep.has(p)) : [];
    if (toRemove.length === 0 && !shouldWritePayload(clean, oldTsPath)) return false;
  }

  // (5) a new timestamped directory, (6) the payload written into it with exact modes (umask aside).
  const tsDir = mkdtempSync(path.join(targetDir, timestampDirPrefix(now)));
  chmodSync(tsDir, TIMESTAMP_DIR_MODE);
  try {
    for (const [p, file] of clean) {
      const full = path.join(tsDir, p);
      mkdirSync(path.dirname(full), { recursive: true, mode: TIMESTAMP_DIR_MODE });
      writeFileSync(full, file.data, { mode: file.mode });
      chmodSync(full, file.mode);
    }
    // (7) ..data_tmp → the new directory (a stale one from a crash is replaced), (8) renamed over ..data.
    const newDataDirPath = path.join(targetDir, NEW_DATA_DIR_NAME);
    rmSync(newDataDirPath, { force: true });
    symlinkSync(path.basename(tsDir), newDataDirPath);
    renameSync(newDataDirPath, dataDirPath);
  } catch (err) {
    rmSync(tsDir, { recursive: true, force: true });
    throw err;
  }

  // (9) user-visible symlinks for the top-level names: "a/b/c" needs only "a -> ..data/a".
  for (const p of clean.keys()) {
    const top = p.split('/')[0];
    const visible = path.join(targetDir, top);
    let present = true;
    try {
      lstatSync(visible);
    } catch {
      present = false;
    }
    if (!present) symlinkSync(path.join(DATA_DIR_NAME, top), visible);
  }

  // (10) user-visible names gone from the payload (only top-level ones are symlinks), (11) the old version.
  for (const p of toRemove) {
    if (!p.includes('/')) rmSync(path.join(targetDir, p), { force: true });
  }
  if (oldTsDir && oldTsDir !== path.basename(tsDir)) rmSync(oldTsPath, { recursive: true, force: true });
  return true;
}
