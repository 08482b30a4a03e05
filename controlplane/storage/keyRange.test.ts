import { describe, expect, it } from 'vitest';
import { prefixEndBytes, prefixRange } from './keyRange.ts';

describe('prefixEndBytes', () => {
  it('increments the last byte', () => {
    expect(prefixEndBytes(Buffer.from('/registry/pods/')).toString()).toBe('/registry/pods0');
  });
  it('drops trailing 0xff bytes before incrementing', () => {
    expect([...prefixEndBytes(Buffer.from([0x61, 0xff, 0xff]))]).toEqual([0x62]);
  });
  it('returns "\\0" (the whole keyspace) for an empty prefix', () => {
    expect([...prefixEndBytes(Buffer.alloc(0))]).toEqual([0]);
  });
});

describe('prefixRange', () => {
  it('covers keys under the prefix and excludes a sibling that shares its text', () => {
    const { start, end } = prefixRange('/registry/pods/');
    const inside = (k: string) => k >= start && k < end;
    expect(inside('/registry/pods/default/a')).toBe(true);
    expect(inside('/registry/podsx/default/a')).toBe(false);
    expect(inside('/registry/pod')).toBe(false);
  });
  it('covers every key for an empty prefix', () => {
    const { start, end } = prefixRange('');
    expect('' >= start && '/zzz' < end).toBe(true);
  });
});
