import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { podMemoryLimit, tmpfsMountOptions, tmpfsSizeBytes } from './emptyDirVolume.ts';

const Mi = 2 ** 20;
const pod = (limits: (string | undefined)[], initLimits: (string | undefined)[] = []): Pod => ({
  spec: {
    containers: limits.map((l, i) => ({ name: `c${i}`, resources: l ? { limits: { memory: l } } : {} })),
    initContainers: initLimits.map((l, i) => ({ name: `i${i}`, resources: l ? { limits: { memory: l } } : {} })),
  },
});

describe('memory-backed emptyDir size (upstream calculateEmptyDirMemorySize)', () => {
  const cases: { name: string; pod: Pod; sizeLimit?: string; allocatable?: number; want: number | undefined }[] = [
    { name: 'nothing known: the kernel default', pod: pod([undefined]), want: undefined },
    { name: 'node allocatable bounds it', pod: pod([undefined]), allocatable: 1024 * Mi, want: 1024 * Mi },
    { name: 'the pod limit when every container has one', pod: pod(['64Mi', '32Mi']), allocatable: 1024 * Mi, want: 96 * Mi },
    { name: 'no pod limit when one container lacks one', pod: pod(['64Mi', undefined]), allocatable: 1024 * Mi, want: 1024 * Mi },
    { name: 'the largest init container when above the sum', pod: pod(['64Mi'], ['128Mi']), want: 128 * Mi },
    { name: 'sizeLimit when smaller', pod: pod(['64Mi']), sizeLimit: '16Mi', allocatable: 1024 * Mi, want: 16 * Mi },
    { name: 'sizeLimit ignored when larger than the pod limit', pod: pod(['64Mi']), sizeLimit: '1Gi', want: 64 * Mi },
    { name: 'sizeLimit alone', pod: pod([undefined]), sizeLimit: '8Mi', want: 8 * Mi },
  ];
  for (const c of cases) {
    it(c.name, () => expect(tmpfsSizeBytes(c.pod, { medium: 'Memory', sizeLimit: c.sizeLimit }, c.allocatable)).toBe(c.want));
  }
  it('mount options carry size= only when a size is known', () => {
    expect(tmpfsMountOptions(undefined)).toEqual([]);
    expect(tmpfsMountOptions(16 * Mi)).toEqual([`size=${16 * Mi}`]);
  });
  it('pod memory limit is undefined without containers declaring one', () => {
    expect(podMemoryLimit(pod([]))).toBe(0);
    expect(podMemoryLimit(pod([undefined]))).toBeUndefined();
  });
});
