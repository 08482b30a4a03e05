import { describe, expect, it } from 'vitest';
import { hostPathCheck, type ObservedPath } from './hostPathVolume.ts';

const missing: ObservedPath = { exists: false };
const dir: ObservedPath = { exists: true, type: 'Directory' };
const file: ObservedPath = { exists: true, type: 'File' };
const socket: ObservedPath = { exists: true, type: 'Socket' };
const chr: ObservedPath = { exists: true, type: 'CharDevice' };
const blk: ObservedPath = { exists: true, type: 'BlockDevice' };
const fifo: ObservedPath = { exists: true, type: undefined };

describe('hostPathCheck (upstream checkType)', () => {
  const cases: { name: string; path?: string; type: string; observed: ObservedPath; want: ReturnType<typeof hostPathCheck> }[] = [
    { name: 'unset type checks nothing, even a missing path', type: '', observed: missing, want: { ok: true } },
    { name: 'DirectoryOrCreate creates a missing directory', type: 'DirectoryOrCreate', observed: missing, want: { ok: false, create: 'directory' } },
    { name: 'DirectoryOrCreate accepts a directory', type: 'DirectoryOrCreate', observed: dir, want: { ok: true } },
    { name: 'DirectoryOrCreate refuses a file', type: 'DirectoryOrCreate', observed: file, want: { ok: false, error: "hostPath type check failed: /data/x is not a directory, it's a File" } },
    { name: 'Directory must exist', type: 'Directory', observed: missing, want: { ok: false, error: "hostPath /data/x doesn't exist" } },
    { name: 'Directory accepts a directory', type: 'Directory', observed: dir, want: { ok: true } },
    { name: 'Directory refuses a socket', type: 'Directory', observed: socket, want: { ok: false, error: "hostPath type check failed: /data/x is not a directory, it's a Socket" } },
    { name: 'FileOrCreate creates a missing file', type: 'FileOrCreate', observed: missing, want: { ok: false, create: 'file' } },
    { name: 'FileOrCreate refuses a directory', type: 'FileOrCreate', observed: dir, want: { ok: false, error: "hostPath type check failed: /data/x is not a file, it's a Directory" } },
    { name: 'File accepts a file', type: 'File', observed: file, want: { ok: true } },
    { name: 'File must exist', type: 'File', observed: missing, want: { ok: false, error: "hostPath /data/x doesn't exist" } },
    { name: 'Socket accepts a socket', type: 'Socket', observed: socket, want: { ok: true } },
    { name: 'Socket refuses a file', type: 'Socket', observed: file, want: { ok: false, error: "hostPath type check failed: /data/x is not a socket file, it's a File" } },
    { name: 'CharDevice accepts a character device', type: 'CharDevice', observed: chr, want: { ok: true } },
    { name: 'CharDevice refuses a block device', type: 'CharDevice', observed: blk, want: { ok: false, error: "hostPath type check failed: /data/x is not a character device, it's a BlockDevice" } },
    { name: 'BlockDevice accepts a block device', type: 'BlockDevice', observed: blk, want: { ok: true } },
    { name: 'BlockDevice refuses a character device', type: 'BlockDevice', observed: chr, want: { ok: false, error: "hostPath type check failed: /data/x is not a block device, it's a CharDevice" } },
    {
      name: 'a fifo has no type upstream recognises',
      type: 'File',
      observed: fifo,
      want: { ok: false, error: 'hostPath type check failed, /data/x is not a file, unable to determine its type: only recognise file, directory, socket, block device and character device' },
    },
    { name: 'an unknown type is invalid', type: 'Pipe', observed: file, want: { ok: false, error: 'Pipe is an invalid volume type' } },
    { name: "a path with '..' is refused before any check", path: '/data/../etc', type: '', observed: dir, want: { ok: false, error: "invalid HostPath `/data/../etc`: must not contain '..'" } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(hostPathCheck(c.path ?? '/data/x', c.type, c.observed)).toEqual(c.want);
    });
  }
});
