// Reads the protobuf wire format (https://protobuf.dev/programming-guides/encoding/): a message
// is a sequence of (tag, value) pairs, tag = field number << 3 | wire type. Kubernetes' objects
// use only three wire types: varint (ints, bools), length-delimited (strings, bytes, nested
// messages, map entries, packed repeats) and 64-bit (doubles). Everything else is read only to
// be skipped. Reading past the end or a malformed varint is a WireFormatError, never a crash:
// a request body is untrusted input.
//
// Why not protobufjs' Reader: int64 values come back as `Long` objects or lossy numbers
// depending on which optional package is installed; 80 lines give plain bigints and precise
// error messages.

export class WireFormatError extends Error {
  /** JSON field names from the object down to where the bytes went wrong, filled in by decoders. */
  readonly path: string[] = [];

  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

// A varint carries at most 64 bits: 10 bytes of 7 bits each.
const MAX_VARINT_BYTES = 10;

export interface Tag {
  field: number;
  wireType: number;
}

export class WireReader {
  private pos: number;

  constructor(private readonly buf: Buffer) {
    this.pos = 0;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  tag(): Tag {
    const at = this.pos;
    const value = this.varint();
    const field = Number(value >> 3n);
    if (field < 1 || field > 0x1fffffff) throw new WireFormatError(`invalid field number ${field} at byte ${at}`);
    return { field, wireType: Number(value & 7n) };
  }

  /** An unsigned varint, up to 64 bits. */
  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.buf.length) throw new WireFormatError('unexpected end of data inside a varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new WireFormatError('varint longer than 10 bytes');
  }

  /** proto int32: negative values are sign-extended to 64 bits on the wire. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  /** proto int64 as a JS number (exact up to 2^53, as JSON readers of the API see it anyway). */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  /** The payload of a length-delimited field (a view into the body, not a copy). */
  bytes(): Buffer {
    const length = this.varint();
    const remaining = this.buf.length - this.pos;
    if (length > BigInt(remaining)) throw new WireFormatError(`length ${length} runs past the end of the data (${remaining} bytes left)`);
    const start = this.pos;
    this.pos += Number(length);
    return this.buf.subarray(start, this.pos);
  }

  double(): number {
    return this.take(8).readDoubleLE(0);
  }

  /** Skips the value of a field this reader has no use for (an unknown or newer field). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.FIXED64:
        this.take(8);
        return;
      case WireType.LENGTH_DELIMITED:
        this.bytes();
        return;
      case WireType.FIXED32:
        this.take(4);
        return;
      default:
        // Groups (3, 4) were deprecated before Kubernetes existed; its encoder never writes them.
        throw new WireFormatError(`unsupported wire type ${wireType}`);
    }
  }

  private take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new WireFormatError(`unexpected end of data: needed ${n} bytes`);
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, this.pos);
  }
}
