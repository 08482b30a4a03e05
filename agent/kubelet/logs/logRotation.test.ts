import { describe, expect, it } from 'vitest';
import { excessLogs, isLogInUse, logRotationPolicy, logsToCompress, rotatedLogName, splitUnusedLogs } from './logRotation.ts';

const LOG = '/var/log/pods/ns_web_u1/main/0.log';

describe('container log rotation rules', () => {
  it('reads the flags as upstream: a quantity and at least two files', () => {
    expect(logRotationPolicy('10Mi', 5)).toEqual({ maxSizeBytes: 10 * 1024 * 1024, maxFiles: 5 });
    expect(logRotationPolicy('100k', '2')).toEqual({ maxSizeBytes: 100_000, maxFiles: 2 });
    expect(() => logRotationPolicy('ten', 5)).toThrow('invalid --container-log-max-size "ten": not a quantity (e.g. 10Mi)');
    expect(() => logRotationPolicy('-1Mi', 5)).toThrow('must be >= 0');
    expect(() => logRotationPolicy('10Mi', 1)).toThrow('invalid --container-log-max-files 1: must be an integer > 1');
    expect(() => logRotationPolicy('10Mi', 'x')).toThrow('--container-log-max-files');
  });

  it('names a rotated file after the time, in Go layout 20060102-150405', () => {
    expect(rotatedLogName(LOG, new Date('2024-03-05T07:08:09.999Z'))).toBe(`${LOG}.20240305-070809`);
  });

  it('temporary files and uncompressed files whose .gz exists are leftovers', () => {
    const files = [`${LOG}.20240101-000001.gz`, `${LOG}.20240101-000002`, `${LOG}.20240101-000002.gz`, `${LOG}.20240101-000003`, `${LOG}.20240101-000004.tmp`];
    expect(isLogInUse(`${LOG}.20240101-000001.gz`, files)).toBe(true);
    expect(splitUnusedLogs(files)).toEqual({
      inUse: [`${LOG}.20240101-000001.gz`, `${LOG}.20240101-000002.gz`, `${LOG}.20240101-000003`],
      unused: [`${LOG}.20240101-000002`, `${LOG}.20240101-000004.tmp`],
    });
  });

  it.each([
    [5, 4, 3],
    [5, 3, 3],
    [3, 4, 1],
    [2, 2, 0],
  ])('maxFiles %i with %i rotated files keeps the newest %i', (maxFiles, count, kept) => {
    const rotated = Array.from({ length: count }, (_, i) => `${LOG}.2024010${i + 1}-000000${i === 0 ? '.gz' : ''}`).reverse();
    const { remove, keep } = excessLogs(rotated, maxFiles);
    expect(keep).toHaveLength(kept);
    expect(remove).toHaveLength(count - kept);
    // The oldest go first.
    expect([...remove, ...keep]).toEqual([...rotated].sort());
  });

  it('every rotated file not yet compressed gets compressed', () => {
    expect(logsToCompress([`${LOG}.20240101-000001.gz`, `${LOG}.20240101-000002`])).toEqual([`${LOG}.20240101-000002`]);
  });
});
