import { describe, expect, it } from 'vitest';
import { decodeFieldsV1, decodeIntOrString, decodeMicroTime, decodeQuantity, decodeRawExtension, decodeTime } from './wellKnown.ts';
import { WireFormatError } from './wireReader.ts';
import { WireWriter } from './wireWriter.ts';

const w = () => new WireWriter();
const noNested = () => {
  throw new Error('not nested');
};

describe('Time and MicroTime', () => {
  it.each([
    { name: 'the zero time (empty message) is null', bytes: w().finish(), time: null, micro: null },
    { name: 'the epoch', bytes: w().varint(1, 0).finish(), time: '1970-01-01T00:00:00Z', micro: '1970-01-01T00:00:00.000000Z' },
    {
      name: 'nanos: dropped by Time, microseconds kept by MicroTime',
      bytes: w().varint(1, 1700000000).varint(2, 123456789).finish(),
      time: '2023-11-14T22:13:20Z',
      micro: '2023-11-14T22:13:20.123456Z',
    },
  ])('$name', ({ bytes, time, micro }) => {
    expect(decodeTime(bytes)).toBe(time);
    expect(decodeMicroTime(bytes)).toBe(micro);
  });

  it('refuses a year past 9999, as Time.MarshalJSON does', () => {
    expect(() => decodeTime(w().varint(1, 253402300800).finish())).toThrow(WireFormatError);
  });
});

describe('IntOrString and Quantity', () => {
  it.each([
    { name: 'an int', bytes: w().varint(1, 0).varint(2, 8080).string(3, '').finish(), want: 8080 },
    { name: 'a string', bytes: w().varint(1, 1).varint(2, 0).string(3, 'http').finish(), want: 'http' },
    { name: 'a percentage', bytes: w().varint(1, 1).string(3, '25%').finish(), want: '25%' },
    { name: 'an empty message (int 0)', bytes: w().finish(), want: 0 },
  ])('IntOrString holding $name', ({ bytes, want }) => {
    expect(decodeIntOrString(bytes)).toBe(want);
  });

  it.each([
    { bytes: w().string(1, '100m').finish(), want: '100m' },
    { bytes: w().string(1, '1Gi').finish(), want: '1Gi' },
    { bytes: w().finish(), want: '0' },
  ])('Quantity $want', ({ bytes, want }) => {
    expect(decodeQuantity(bytes)).toBe(want);
  });
});

describe('FieldsV1 and RawExtension hold JSON', () => {
  it('parses the managed-fields set', () => {
    expect(decodeFieldsV1(w().string(1, '{"f:metadata":{"f:labels":{}}}').finish())).toEqual({ 'f:metadata': { 'f:labels': {} } });
  });

  it('parses a raw JSON object', () => {
    expect(decodeRawExtension(w().string(1, '{"spec":{"replicas":2}}').finish(), noNested)).toEqual({ spec: { replicas: 2 } });
  });

  it('hands an enveloped protobuf object to the nested decoder', () => {
    const nested = Buffer.from('k8s\0rest');
    expect(decodeRawExtension(w().bytes(1, nested).finish(), (b) => b.toString('latin1'))).toBe('k8s\0rest');
  });

  it.each([
    { name: 'FieldsV1', decode: (b: Buffer) => decodeFieldsV1(b) },
    { name: 'RawExtension', decode: (b: Buffer) => decodeRawExtension(b, noNested) },
  ])('$name that is not JSON is a WireFormatError', ({ decode }) => {
    expect(() => decode(w().string(1, '{not json').finish())).toThrow(WireFormatError);
  });
});
