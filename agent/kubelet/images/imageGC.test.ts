import { describe, expect, it } from 'vitest';
import { bytesToFree, freeDiskSpaceFailedMessage, imageGCPolicy, imagesToDelete, parseGoDuration, updateImageRecords, type ImageRecord } from './imageGC.ts';

const MIN = 60_000;
const policy = imageGCPolicy(85, 80, '2m0s');

describe('image GC policy from flags', () => {
  it('reads Go durations', () => {
    expect(parseGoDuration('2m0s')).toBe(2 * MIN);
    expect(parseGoDuration('1h30m')).toBe(90 * MIN);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('0s')).toBe(0);
    expect(parseGoDuration('0')).toBe(0);
    expect(() => parseGoDuration('2 minutes')).toThrow('time: invalid duration "2 minutes"');
    expect(() => parseGoDuration('10')).toThrow('time: invalid duration');
  });

  it('checks the thresholds as upstream validation does', () => {
    expect(policy).toEqual({ highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 2 * MIN });
    expect(() => imageGCPolicy(101, 80, '2m')).toThrow('imageGCHighThresholdPercent (--image-gc-high-threshold) 101 must be between 0 and 100, inclusive');
    expect(() => imageGCPolicy(85, -1, '2m')).toThrow('imageGCLowThresholdPercent (--image-gc-low-threshold) -1 must be between 0 and 100, inclusive');
    expect(() => imageGCPolicy(80, 80, '2m')).toThrow('imageGCLowThresholdPercent (--image-gc-low-threshold) 80 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 80');
    expect(() => imageGCPolicy(85, 80, 'soon')).toThrow('invalid duration');
  });
});

describe('how many bytes to free', () => {
  it.each([
    ['under the high threshold: nothing', 1000, 200, 80, 0],
    ['at the high threshold: down to the low one', 1000, 150, 85, 50],
    ['over it', 1000, 100, 90, 100],
    ['available above capacity counts as capacity', 1000, 2000, 0, 0],
  ])('%s', (_, capacity, available, usage, amount) => {
    expect(bytesToFree(capacity, available, policy)).toEqual({ usagePercent: usage, amount });
  });

  it('a capacity of 0 is an error', () => {
    expect(() => bytesToFree(0, 0, policy)).toThrow('invalid capacity 0 on image filesystem');
  });
});

describe('which images to delete', () => {
  const now = 100 * MIN;
  const rec = (id: string, size: number, lastUsed: number, firstDetected = 0, pinned = false): ImageRecord => ({ id, size, lastUsed, firstDetected, pinned });

  it('least recently used first, then first detected; stops once enough is freed', () => {
    const records = [rec('recent', 10, 90 * MIN), rec('old', 10, 10 * MIN), rec('never-a', 10, 0, 5 * MIN), rec('never-b', 10, 0, 1 * MIN)];
    expect(imagesToDelete(records, new Set(), 25, now, 2 * MIN).images.map((r) => r.id)).toEqual(['never-b', 'never-a', 'old']);
    expect(imagesToDelete(records, new Set(), 1000, now, 2 * MIN)).toMatchObject({ bytes: 40 });
  });

  it('never images in use, pinned ones, or ones younger than the minimum age', () => {
    const records = [rec('used', 100, 0), rec('pinned', 100, 0, 0, true), rec('young', 100, 0, now - MIN), rec('free', 5, 0)];
    const chosen = imagesToDelete(records, new Set(['used']), 1000, now, 2 * MIN);
    expect(chosen.images.map((r) => r.id)).toEqual(['free']);
    expect(chosen.bytes).toBe(5);
    expect(freeDiskSpaceFailedMessage(1000, chosen.bytes)).toBe('Failed to garbage collect required amount of images. Attempted to free 1000 bytes, but only found 5 bytes eligible to free.');
  });

  it('with no minimum age an image just pulled can go', () => {
    expect(imagesToDelete([rec('new', 1, 0, now)], new Set(), 1, now, 0).images).toHaveLength(1);
  });
});

describe('image records', () => {
  it('remembers first detection, marks use, forgets images gone', () => {
    let records = updateImageRecords(new Map(), [{ id: 'a', size: 1, pinned: false }, { id: 'b', size: 2, pinned: true }], new Set(['a']), 0, 1000);
    expect(records.get('a')).toEqual({ id: 'a', size: 1, pinned: false, firstDetected: 0, lastUsed: 1000 });
    expect(records.get('b')).toEqual({ id: 'b', size: 2, pinned: true, firstDetected: 0, lastUsed: 0 });
    records = updateImageRecords(records, [{ id: 'a', size: 1, pinned: false }, { id: 'c', size: 3, pinned: false }], new Set(), 2000, 2000);
    expect(records.get('a')).toMatchObject({ firstDetected: 0, lastUsed: 1000 });
    expect(records.get('c')).toMatchObject({ firstDetected: 2000, lastUsed: 0 });
    expect(records.has('b')).toBe(false);
  });
});
