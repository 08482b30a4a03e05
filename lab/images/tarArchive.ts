// A small POSIX ustar writer, enough for the layers the lab makes by hand (pause, busybox) and for
// OCI archives that `ctr images import` reads. Fixed owner and mtime keep layers reproducible.
//
//   tarArchive(entries) → Buffer     (in memory: these archives are a few MB)
//   tarHeader(entry, size) → 512-byte header block

export type TarEntry =
  | { type: 'file'; path: string; data: Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string };

const BLOCK = 512;
/** 2000-01-01T00:00:00Z: a fixed time, so that equal inputs give equal digests. */
export const TAR_MTIME = 946684800;

const TYPE_FLAG = { file: '0', hardlink: '1', symlink: '2', dir: '5' } as const;

function octal(value: number, width: number): string {
  // width-1 octal digits, then NUL
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Splits a path longer than 100 bytes into ustar's prefix (≤155) and name (≤100) at a slash. */
export function splitUstarPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new Error(`path too long for ustar: ${path}`);
}

export function tarHeader(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const path = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const { prefix, name } = splitUstarPath(path);
  const defaultMode = entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644;
  const mode = 'mode' in entry && entry.mode !== undefined ? entry.mode : defaultMode;
  const uid = 'uid' in entry ? (entry.uid ?? 0) : 0;
  const gid = 'gid' in entry ? (entry.gid ?? 0) : 0;
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(uid, 8), 108, 8, 'ascii');
  h.write(octal(gid, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(TAR_MTIME, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
  h.write(TYPE_FLAG[entry.type], 156, 1, 'ascii');
  if (entry.type === 'symlink' || entry.type === 'hardlink') h.write(entry.target, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(uid === 0 ? 'root' : '', 265, 32, 'ascii');
  h.write(gid === 0 ? 'root' : '', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? entry.data : Buffer.alloc(0);
    parts.push(tarHeader(entry, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end of archive
  return Buffer.concat(parts);
}
