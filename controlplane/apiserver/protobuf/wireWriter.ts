// Writes the protobuf wire format: the mirror of wireReader.ts. The tests build request bodies
// with it, field by field, the way client-go's generated Marshal code lays them out.

import { WireType } from './wireReader.ts';

export class WireWriter {
  private readonly chunks: Buffer[] = [];

  /** A varint field (int32, int64, bool, enum). Negative numbers take ten bytes, as in proto int32/int64. */
  varint(field: number, value: number | bigint | boolean): this {
    const n = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    this.tag(field, WireType.VARINT);
    this.rawVarint(BigInt.asUintN(64, n));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Buffer | Uint8Array): this {
    this.tag(field, WireType.LENGTH_DELIMITED);
    this.rawVarint(BigInt(value.length));
    this.chunks.push(Buffer.from(value));
    return this;
  }

  /** A nested message, built by `build` on a fresh writer. */
  message(field: number, build: (w: WireWriter) => void): this {
    const inner = new WireWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** One entry of a map<string, string> field. */
  mapEntry(field: number, key: string, value: string | Buffer): this {
    return this.message(field, (e) => {
      e.string(1, key);
      if (typeof value === 'string') e.string(2, value);
      else e.bytes(2, value);
    });
  }

  double(field: number, value: number): this {
    this.tag(field, WireType.FIXED64);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.chunks.push(b);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint((BigInt(field) << 3n) | BigInt(wireType));
  }

  private rawVarint(n: bigint): void {
    const out: number[] = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) byte |= 0x80;
      out.push(byte);
    } while (n > 0n);
    this.chunks.push(Buffer.from(out));
  }
}
