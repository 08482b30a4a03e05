// The few Kubernetes types whose protobuf message and JSON form differ in shape. Each has a
// hand-written Marshal/MarshalJSON pair upstream; these functions turn the message into what
// MarshalJSON would have written.

import { WireFormatError, WireReader, WireType } from './wireReader.ts';

export type WellKnownType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'FieldsV1' | 'RawExtension';

export const WELL_KNOWN_TYPES: readonly WellKnownType[] = ['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1', 'RawExtension'];

/** Decodes an embedded envelope (a RawExtension may hold a protobuf object). */
export type NestedObjectDecoder = (bytes: Buffer) => unknown;

export function decodeWellKnown(type: WellKnownType, bytes: Buffer, decodeNested: NestedObjectDecoder): unknown {
  switch (type) {
    case 'Time':
      return decodeTime(bytes);
    case 'MicroTime':
      return decodeMicroTime(bytes);
    case 'Quantity':
      return decodeQuantity(bytes);
    case 'IntOrString':
      return decodeIntOrString(bytes);
    case 'FieldsV1':
      return decodeFieldsV1(bytes);
    case 'RawExtension':
      return decodeRawExtension(bytes, decodeNested);
  }
}

/** Reads a message whose fields are all scalars: field number → the reader positioned on its value. */
function readFields(bytes: Buffer, read: (field: number, wireType: number, r: WireReader) => boolean): void {
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (!read(field, wireType, r)) r.skip(wireType);
  }
}

function readSecondsAndNanos(bytes: Buffer): { seconds: number; nanos: number } {
  let seconds = 0;
  let nanos = 0;
  readFields(bytes, (field, wireType, r) => {
    if (wireType !== WireType.VARINT) return false;
    if (field === 1) seconds = r.int64();
    else if (field === 2) nanos = r.int32();
    else return false;
    return true;
  });
  return { seconds, nanos };
}

// Time.MarshalJSON refuses years outside 0000-9999 (RFC 3339 has four-digit years).
const MIN_SECONDS = -62167219200; // 0000-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

function isoSeconds(seconds: number): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new WireFormatError(`timestamp ${seconds}s is outside the years 0000-9999`);
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/**
 * metav1.Time: Timestamp { seconds = 1, nanos = 2 }. The zero time is written as an empty message
 * and reads back as null (Time.MarshalJSON of the zero value). JSON carries whole seconds only,
 * so upstream ignores nanos when unmarshalling (time_proto.go); so does this.
 */
export function decodeTime(bytes: Buffer): string | null {
  if (bytes.length === 0) return null;
  return `${isoSeconds(readSecondsAndNanos(bytes).seconds)}Z`;
}

/** metav1.MicroTime: the same message, formatted as RFC3339 with microseconds (RFC3339Micro). */
export function decodeMicroTime(bytes: Buffer): string | null {
  if (bytes.length === 0) return null;
  const { seconds, nanos } = readSecondsAndNanos(bytes);
  const micros = String(Math.floor(Math.max(0, nanos) / 1000)).padStart(6, '0');
  return `${isoSeconds(seconds)}.${micros}Z`;
}

/** resource.Quantity: { string = 1 } holding the canonical text, e.g. "100m" or "1Gi". */
export function decodeQuantity(bytes: Buffer): string {
  let text = '0'; // the zero Quantity marshals as "0"
  readFields(bytes, (field, wireType, r) => {
    if (field !== 1 || wireType !== WireType.LENGTH_DELIMITED) return false;
    text = r.bytes().toString('utf8');
    return true;
  });
  return text;
}

/** intstr.IntOrString: { type = 1 (0 int, 1 string), intVal = 2, strVal = 3 } → a JSON number or string. */
export function decodeIntOrString(bytes: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WireType.VARINT) type = r.int64();
    else if (field === 2 && wireType === WireType.VARINT) intVal = r.int32();
    else if (field === 3 && wireType === WireType.LENGTH_DELIMITED) strVal = r.bytes().toString('utf8');
    else return false;
    return true;
  });
  return type === 1 ? strVal : intVal;
}

function readRaw(bytes: Buffer): Buffer | undefined {
  let raw: Buffer | undefined;
  readFields(bytes, (field, wireType, r) => {
    if (field !== 1 || wireType !== WireType.LENGTH_DELIMITED) return false;
    raw = r.bytes();
    return true;
  });
  return raw;
}

function parseJSON(raw: Buffer, what: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new WireFormatError(`${what} does not hold JSON: ${(e as Error).message}`);
  }
}

/** metav1.FieldsV1: { Raw = 1 } whose bytes are the JSON of the managed-fields set. */
export function decodeFieldsV1(bytes: Buffer): unknown {
  const raw = readRaw(bytes);
  return raw === undefined || raw.length === 0 ? null : parseJSON(raw, 'FieldsV1');
}

/**
 * runtime.RawExtension: { raw = 1 }. MarshalJSON writes raw as it is, so it must be JSON;
 * a client may also have put a protobuf object (with its envelope) there.
 */
export function decodeRawExtension(bytes: Buffer, decodeNested: NestedObjectDecoder): unknown {
  const raw = readRaw(bytes);
  if (raw === undefined || raw.length === 0) return null;
  if (raw[0] === 0x6b /* "k" of the envelope magic */ && raw.subarray(0, 3).toString() === 'k8s') return decodeNested(raw);
  return parseJSON(raw, 'RawExtension');
}
