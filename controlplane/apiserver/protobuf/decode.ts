// Turns a Kubernetes protobuf request body (Content-Type: application/vnd.kubernetes.protobuf)
// into the JSON object the same request would have carried as application/json. kubectl's
// generator commands (`kubectl create deployment|service|configmap|secret|job|cronjob|namespace
// |serviceaccount`) and client-go's typed clients send only protobuf, so the API server reads it
// and hands the rest of the request path the same JSON it always works with.
//
// Upstream decodes into the Go struct and the struct is the object; here the schema tables
// (schema.ts) say for each field number which JSON field it fills and how.

import { ApiError, errors } from '../../api/errors.ts';
import { readEnvelope } from './envelope.ts';
import { messageForKind, messageSchema, type FieldSpec, type ScalarType } from './schema.ts';
import { decodeWellKnown } from './wellKnown.ts';
import { WireFormatError, WireReader, WireType } from './wireReader.ts';

type JSONObject = Record<string, any>;

// Kubernetes' types nest a dozen levels at most (CronJob → Job → Pod → Container → Probe ...);
// the bound only guards against a body that nests RawExtensions in RawExtensions.
const MAX_DEPTH = 64;

/**
 * Decodes a protobuf request body into its JSON object, apiVersion and kind first.
 * Malformed bytes are a 400 BadRequest; a kind without a protobuf schema is a 415.
 */
export function decodeProtobufObject(body: Buffer): JSONObject {
  try {
    return decodeEnvelopedObject(body, 0);
  } catch (e) {
    throw asBadRequest(e);
  }
}

function decodeEnvelopedObject(body: Buffer, depth: number): JSONObject {
  const envelope = readEnvelope(body);
  const { apiVersion, kind } = envelope;
  if (envelope.contentEncoding !== '') {
    throw errors.badRequest(`unsupported protobuf content encoding "${envelope.contentEncoding}"`);
  }
  if (envelope.contentType !== '' && envelope.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw errors.badRequest(`unsupported content type "${envelope.contentType}" inside the protobuf envelope`);
  }
  if (!kind) throw errors.badRequest("Object 'Kind' is missing in the protobuf envelope");
  const message = messageForKind(apiVersion, kind);
  if (!message) {
    // Custom resources have no protobuf form upstream either: the client must send JSON.
    throw new ApiError(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - no protobuf schema is served for kind "${kind}" in version "${apiVersion}"; send it as application/json`);
  }
  const object: JSONObject = { apiVersion, kind };
  decodeMessageInto(envelope.raw, message, object, depth);
  return object;
}

/** Decodes one message's bytes into a new JSON object (exported for tests of single messages). */
export function decodeMessage(bytes: Buffer, message: string): JSONObject {
  try {
    const out: JSONObject = {};
    decodeMessageInto(bytes, message, out, 0);
    return out;
  } catch (e) {
    throw asBadRequest(e);
  }
}

function decodeMessageInto(bytes: Buffer, message: string, into: JSONObject, depth: number): void {
  if (depth > MAX_DEPTH) throw new WireFormatError(`messages nest deeper than ${MAX_DEPTH} levels`);
  const schema = messageSchema(message);
  if (!schema) throw new Error(`protobuf schema has no message ${message}`); // a bug in the tables, not in the body
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag();
    const spec = schema.get(field);
    if (!spec) {
      r.skip(wireType); // a field newer than these tables: dropped, as an unknown JSON field would be
      continue;
    }
    try {
      decodeField(r, wireType, spec, into, depth);
    } catch (e) {
      if (e instanceof WireFormatError && !spec.inline) e.path.unshift(spec.json);
      throw e;
    }
  }
}

function decodeField(r: WireReader, wireType: number, spec: FieldSpec, into: JSONObject, depth: number): void {
  const { json, value, shape } = spec;
  if (shape === 'map') {
    expectWireType(wireType, WireType.LENGTH_DELIMITED);
    const [key, entryValue] = decodeMapEntry(r.bytes(), spec, depth);
    const map = isObject(into[json]) ? into[json] : (into[json] = {});
    // An own property even for a key like "__proto__", as JSON.parse would make it.
    Object.defineProperty(map, key, { value: entryValue, enumerable: true, writable: true, configurable: true });
    return;
  }
  if (shape === 'repeated') {
    const list: unknown[] = Array.isArray(into[json]) ? into[json] : (into[json] = []);
    if (value.kind === 'scalar' && isVarintScalar(value.scalar) && wireType === WireType.LENGTH_DELIMITED) {
      // A packed repeated varint: proto3 writers pack, Kubernetes' proto2 encoder does not.
      const packed = new WireReader(r.bytes());
      while (!packed.done) list.push(readScalar(packed, WireType.VARINT, value.scalar));
      return;
    }
    list.push(readValue(r, wireType, spec, undefined, depth));
    return;
  }
  if (spec.inline && value.kind === 'message') {
    expectWireType(wireType, WireType.LENGTH_DELIMITED);
    decodeMessageInto(r.bytes(), value.name, into, depth + 1);
    return;
  }
  const decoded = readValue(r, wireType, spec, into[json], depth);
  if (!spec.keepZero && value.kind === 'scalar' && isZero(decoded)) {
    delete into[json]; // omitempty: Go's JSON would not have the field
    return;
  }
  into[json] = decoded;
}

/** One value of a field: a scalar, a well-known type or a nested message (merged into `existing`). */
function readValue(r: WireReader, wireType: number, spec: FieldSpec, existing: unknown, depth: number): unknown {
  const { value } = spec;
  if (value.kind === 'scalar') return readScalar(r, wireType, value.scalar);
  expectWireType(wireType, WireType.LENGTH_DELIMITED);
  const bytes = r.bytes();
  if (value.kind === 'wellKnown') return decodeWellKnown(value.name, bytes, (nested) => decodeEnvelopedObject(nested, depth + 1));
  // A message field that occurs twice merges, as protobuf specifies.
  const target: JSONObject = isObject(existing) ? existing : {};
  decodeMessageInto(bytes, value.name, target, depth + 1);
  return target;
}

/** map<string, T> travels as repeated entries { key = 1, value = 2 }. */
function decodeMapEntry(bytes: Buffer, spec: FieldSpec, depth: number): [string, unknown] {
  const r = new WireReader(bytes);
  let key = '';
  let value: unknown;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      key = readScalar(r, wireType, 'string') as string;
    } else if (field === 2) {
      value = readValue(r, wireType, spec, value, depth);
    } else {
      r.skip(wireType);
    }
  }
  return [key, value ?? zeroValue(spec)];
}

function zeroValue(spec: FieldSpec): unknown {
  const { value } = spec;
  if (value.kind === 'scalar') return value.scalar === 'string' || value.scalar === 'bytes' ? '' : value.scalar === 'bool' ? false : 0;
  if (value.kind === 'wellKnown') return value.name === 'Quantity' ? '0' : null;
  return {};
}

function readScalar(r: WireReader, wireType: number, scalar: ScalarType): unknown {
  switch (scalar) {
    case 'string':
      expectWireType(wireType, WireType.LENGTH_DELIMITED);
      return r.bytes().toString('utf8');
    case 'bytes':
      expectWireType(wireType, WireType.LENGTH_DELIMITED);
      return r.bytes().toString('base64'); // []byte is base64 in JSON (encoding/json)
    case 'int32':
      expectWireType(wireType, WireType.VARINT);
      return r.int32();
    case 'int64':
      expectWireType(wireType, WireType.VARINT);
      return r.int64();
    case 'bool':
      expectWireType(wireType, WireType.VARINT);
      return r.bool();
    case 'double':
      expectWireType(wireType, WireType.FIXED64);
      return r.double();
  }
}

/** A WireFormatError becomes a 400 naming the field, e.g. "spec.template.spec.containers.image: ...". */
function asBadRequest(e: unknown): unknown {
  if (!(e instanceof WireFormatError)) return e;
  const where = e.path.length > 0 ? `${e.path.join('.')}: ` : '';
  return errors.badRequest(`unable to decode the protobuf body: ${where}${e.message}`);
}

function isVarintScalar(scalar: ScalarType): boolean {
  return scalar === 'int32' || scalar === 'int64' || scalar === 'bool';
}

function expectWireType(got: number, want: number): void {
  if (got !== want) throw new WireFormatError(`wire type ${got} where the schema expects ${want}`);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
