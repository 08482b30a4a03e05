import { describe, expect, it } from 'vitest';
import { parseMountInfo } from './mounts.ts';
import { pathWithinBase } from './podDirs.ts';

describe('parseMountInfo (proc(5) mountinfo)', () => {
  it('reads mount point, fs type and source, unescaping octal', () => {
    const text = [
      '24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k',
      '300 26 0:99 / /var/lib/kubelet/pods/u1/volumes/kubernetes.io~empty-dir/with\\040space rw,relatime shared:5 - tmpfs tmpfs rw,size=1024k',
      '301 26 254:0 /data /var/lib/kubelet/pods/u1/volume-subpaths/v/c/0 rw - ext4 /dev/vda rw',
      '',
    ].join('\n');
    expect(parseMountInfo(text)).toEqual([
      { mountPoint: '/dev/shm', fsType: 'tmpfs', source: 'tmpfs' },
      { mountPoint: '/var/lib/kubelet/pods/u1/volumes/kubernetes.io~empty-dir/with space', fsType: 'tmpfs', source: 'tmpfs' },
      { mountPoint: '/var/lib/kubelet/pods/u1/volume-subpaths/v/c/0', fsType: 'ext4', source: '/dev/vda' },
    ]);
  });
});

describe('pathWithinBase', () => {
  const cases: [string, string, boolean][] = [
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/ab', '/a', false],
    ['/a/../etc', '/a', false],
    ['/etc', '/a', false],
    ['/a/..b', '/a', true],
  ];
  for (const [p, base, want] of cases) it(`${p} within ${base}: ${want}`, () => expect(pathWithinBase(p, base)).toBe(want));
});
