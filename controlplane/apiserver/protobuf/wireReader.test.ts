import { describe, expect, it } from 'vitest';
import { WireFormatError, WireReader, WireType } from './wireReader.ts';
import { WireWriter } from './wireWriter.ts';

const bytes = (...b: number[]) => Buffer.from(b);

describe('WireReader varints', () => {
  it.each([
    { name: 'one byte', input: bytes(0x01), int64: 1 },
    { name: '300 spans two bytes (the protobuf docs example)', input: bytes(0xac, 0x02), int64: 300 },
    { name: 'int32 -1 is sign-extended to ten bytes', input: bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), int64: -1, int32: -1 },
    { name: '2^53 - 1 stays exact', input: bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f), int64: Number.MAX_SAFE_INTEGER },
  ])('reads $name', ({ input, int64, int32 }) => {
    expect(new WireReader(input).int64()).toBe(int64);
    if (int32 !== undefined) expect(new WireReader(input).int32()).toBe(int32);
  });

  it.each([
    { name: 'a varint cut short', input: bytes(0x80) },
    { name: 'a varint of eleven bytes', input: bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01) },
  ])('rejects $name', ({ input }) => {
    expect(() => new WireReader(input).varint()).toThrow(WireFormatError);
  });
});

describe('WireReader fields', () => {
  it('reads a tag, a length-delimited value and a double', () => {
    const r = new WireReader(new WireWriter().string(2, 'nginx').double(3, 1.5).finish());
    expect(r.tag()).toEqual({ field: 2, wireType: WireType.LENGTH_DELIMITED });
    expect(r.bytes().toString()).toBe('nginx');
    expect(r.tag()).toEqual({ field: 3, wireType: WireType.FIXED64 });
    expect(r.double()).toBe(1.5);
    expect(r.done).toBe(true);
  });

  it.each([
    { name: 'varint', wireType: WireType.VARINT, input: bytes(0x96, 0x01, 0x07) },
    { name: 'fixed64', wireType: WireType.FIXED64, input: bytes(1, 2, 3, 4, 5, 6, 7, 8, 9) },
    { name: 'length-delimited', wireType: WireType.LENGTH_DELIMITED, input: bytes(0x02, 0x61, 0x62, 0x09) },
    { name: 'fixed32', wireType: WireType.FIXED32, input: bytes(1, 2, 3, 4, 5) },
  ])('skips a $name value and nothing more', ({ wireType, input }) => {
    const r = new WireReader(input);
    r.skip(wireType);
    expect(r.done).toBe(false);
    r.skip(WireType.VARINT);
    expect(r.done).toBe(true);
  });

  it.each([
    { name: 'a length past the end', input: bytes(0x05, 0x61), read: (r: WireReader) => r.bytes() },
    { name: 'a double cut short', input: bytes(1, 2, 3), read: (r: WireReader) => r.double() },
    { name: 'field number 0', input: bytes(0x02), read: (r: WireReader) => r.tag() },
    { name: 'a group', input: bytes(), read: (r: WireReader) => r.skip(WireType.START_GROUP) },
  ])('rejects $name', ({ input, read }) => {
    expect(() => read(new WireReader(input))).toThrow(WireFormatError);
  });
});
