// The envelope around every Kubernetes protobuf body (k8s.io/apimachinery/pkg/runtime/serializer/
// protobuf/protobuf.go): four magic bytes "k8s\0", then a runtime.Unknown message
// (k8s.io/apimachinery/pkg/runtime/types_proto.go) that says what the payload is:
//
//   Unknown { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2, contentEncoding = 3, contentType = 4 }
//
// `raw` is the object's own message (a Deployment, a ConfigMap ...), without apiVersion and kind:
// protobuf messages have no room for them, so the envelope carries them instead.

import { WireFormatError, WireReader, WireType } from './wireReader.ts';
import { WireWriter } from './wireWriter.ts';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

export function hasProtobufMagic(body: Buffer): boolean {
  return body.length >= PROTOBUF_MAGIC.length && body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC);
}

/** Splits a body into its type and payload. Throws WireFormatError when the bytes are not an envelope. */
export function readEnvelope(body: Buffer): Envelope {
  if (!hasProtobufMagic(body)) {
    // Upstream's message, word for word (protobuf.go, errNotMarked).
    throw new WireFormatError(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  const envelope: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '', contentType: '' };
  const r = new WireReader(body.subarray(PROTOBUF_MAGIC.length));
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field > 4 || wireType !== WireType.LENGTH_DELIMITED) {
      r.skip(wireType);
      continue;
    }
    const value = r.bytes();
    if (field === 1) readTypeMeta(value, envelope);
    else if (field === 2) envelope.raw = value;
    else if (field === 3) envelope.contentEncoding = value.toString('utf8');
    else envelope.contentType = value.toString('utf8');
  }
  return envelope;
}

function readTypeMeta(bytes: Buffer, into: Envelope): void {
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if ((field === 1 || field === 2) && wireType === WireType.LENGTH_DELIMITED) {
      const text = r.bytes().toString('utf8');
      if (field === 1) into.apiVersion = text;
      else into.kind = text;
    } else {
      r.skip(wireType);
    }
  }
}

/** Wraps an object's message in the envelope, as client-go's protobuf serializer does. */
export function writeEnvelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const unknown = new WireWriter()
    .message(1, (t) => t.string(1, apiVersion).string(2, kind))
    .bytes(2, raw)
    .string(3, '')
    .string(4, '')
    .finish();
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}
