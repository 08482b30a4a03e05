// A minimal SPDY/3.1 framer: SYN_STREAM / SYN_REPLY with zlib-compressed headers, DATA, PING,
// RST_STREAM, GOAWAY. The exec bridge speaks it toward the runtime's stream server (spdyExecClient.ts);
// tests speak it as kubectl does. No flow control: the Kubernetes SPDY peers (moby/spdystream)
// neither send nor honour WINDOW_UPDATE.
// https://www.chromium.org/spdy/spdy-protocol/spdy-protocol-draft3-1/ (sections 2.2, 2.6, 2.6.10)
import zlib from 'node:zlib';

/** The header-block compression dictionary of SPDY/3 (section 2.6.10.1), 1423 bytes. */
export const SPDY_DICTIONARY = Buffer.from(
  'AAAAB29wdGlvbnMAAAAEaGVhZAAAAARwb3N0AAAAA3B1dAAAAAZkZWxldGUAAAAFdHJhY2UAAAAGYWNjZXB0AAAADmFjY2VwdC1jaGFyc2V0AAAAD2FjY2VwdC1lbmNvZGluZwAAAA9hY2NlcHQtbGFuZ3VhZ2UAAAANYWNjZXB0LXJhbmdlcwAAAANhZ2UAAAAFYWxsb3cAAAANYXV0aG9yaXphdGlvbgAAAA1jYWNoZS1jb250cm9sAAAACmNvbm5lY3Rpb24AAAAMY29udGVudC1iYXNlAAAAEGNvbnRlbnQtZW5jb2RpbmcAAAAQY29udGVudC1sYW5ndWFnZQAAAA5jb250ZW50LWxlbmd0aAAAABBjb250ZW50LWxvY2F0aW9uAAAAC2NvbnRlbnQtbWQ1AAAADWNvbnRlbnQtcmFuZ2UAAAAMY29udGVudC10eXBlAAAABGRhdGUAAAAEZXRhZwAAAAZleHBlY3QAAAAHZXhwaXJlcwAAAARmcm9tAAAABGhvc3QAAAAIaWYtbWF0Y2gAAAARaWYtbW9kaWZpZWQtc2luY2UAAAANaWYtbm9uZS1tYXRjaAAAAAhpZi1yYW5nZQAAABNpZi11bm1vZGlmaWVkLXNpbmNlAAAADWxhc3QtbW9kaWZpZWQAAAAIbG9jYXRpb24AAAAMbWF4LWZvcndhcmRzAAAABnByYWdtYQAAABJwcm94eS1hdXRoZW50aWNhdGUAAAATcHJveHktYXV0aG9yaXphdGlvbgAAAAVyYW5nZQAAAAdyZWZlcmVyAAAAC3JldHJ5LWFmdGVyAAAABnNlcnZlcgAAAAJ0ZQAAAAd0cmFpbGVyAAAAEXRyYW5zZmVyLWVuY29kaW5nAAAAB3VwZ3JhZGUAAAAKdXNlci1hZ2VudAAAAAR2YXJ5AAAAA3ZpYQAAAAd3YXJuaW5nAAAAEHd3dy1hdXRoZW50aWNhdGUAAAAGbWV0aG9kAAAAA2dldAAAAAZzdGF0dXMAAAAGMjAwIE9LAAAAB3ZlcnNpb24AAAAISFRUUC8xLjEAAAADdXJsAAAABnB1YmxpYwAAAApzZXQtY29va2llAAAACmtlZXAtYWxpdmUAAAAGb3JpZ2luMTAwMTAxMjAxMjAyMjA1MjA2MzAwMzAyMzAzMzA0MzA1MzA2MzA3NDAyNDA1NDA2NDA3NDA4NDA5NDEwNDExNDEyNDEzNDE0NDE1NDE2NDE3NTAyNTA0NTA1MjAzIE5vbi1BdXRob3JpdGF0aXZlIEluZm9ybWF0aW9uMjA0IE5vIENvbnRlbnQzMDEgTW92ZWQgUGVybWFuZW50bHk0MDAgQmFkIFJlcXVlc3Q0MDEgVW5hdXRob3JpemVkNDAzIEZvcmJpZGRlbjQwNCBOb3QgRm91bmQ1MDAgSW50ZXJuYWwgU2VydmVyIEVycm9yNTAxIE5vdCBJbXBsZW1lbnRlZDUwMyBTZXJ2aWNlIFVuYXZhaWxhYmxlSmFuIEZlYiBNYXIgQXByIE1heSBKdW4gSnVsIEF1ZyBTZXB0IE9jdCBOb3YgRGVjIDAwOjAwOjAwIE1vbiwgVHVlLCBXZWQsIFRodSwgRnJpLCBTYXQsIFN1biwgR01UY2h1bmtlZCx0ZXh0L2h0bWwsaW1hZ2UvcG5nLGltYWdlL2pwZyxpbWFnZS9naWYsYXBwbGljYXRpb24veG1sLGFwcGxpY2F0aW9uL3hodG1sK3htbCx0ZXh0L3BsYWluLHRleHQvamF2YXNjcmlwdCxwdWJsaWNwcml2YXRlbWF4LWFnZT1nemlwLGRlZmxhdGUsc2RjaGNoYXJzZXQ9dXRmLThjaGFyc2V0PWlzby04ODU5LTEsdXRmLSwqLGVucT0wLg==',
  'base64',
);

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export type Frame =
  | { kind: 'control'; type: number; flags: number; streamId?: number; headers?: Record<string, string>; payload: Buffer }
  | { kind: 'data'; streamId: number; flags: number; data: Buffer };

/** One zlib stream per direction for the life of the connection, flushed after each block. */
class HeaderCodec {
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY_DICTIONARY });
  private readonly inflate = zlib.createInflate({ dictionary: SPDY_DICTIONARY });
  private queue: Promise<unknown> = Promise.resolve();

  private run(stream: zlib.Deflate | zlib.Inflate, input: Buffer): Promise<Buffer> {
    const next = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const out: Buffer[] = [];
          const onData = (c: Buffer) => out.push(c);
          stream.on('data', onData);
          stream.once('error', reject);
          stream.write(input);
          stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            stream.off('data', onData);
            stream.off('error', reject);
            resolve(Buffer.concat(out));
          });
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async compress(headers: Record<string, string>): Promise<Buffer> {
    const parts: Buffer[] = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers)) {
      // SPDY header names are lowercase.
      const name = Buffer.from(k.toLowerCase());
      const value = Buffer.from(v);
      parts.push(u32(name.length), name, u32(value.length), value);
    }
    return this.run(this.deflate, Buffer.concat(parts));
  }

  async decompress(block: Buffer): Promise<Record<string, string>> {
    const plain = await this.run(this.inflate, block);
    const out: Record<string, string> = {};
    let off = 4;
    const count = plain.readUInt32BE(0);
    for (let i = 0; i < count; i++) {
      const nl = plain.readUInt32BE(off);
      const name = plain.subarray(off + 4, off + 4 + nl).toString();
      off += 4 + nl;
      const vl = plain.readUInt32BE(off);
      out[name] = plain.subarray(off + 4, off + 4 + vl).toString();
      off += 4 + vl;
    }
    return out;
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, data: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/** Encodes and decodes the frames of one connection (the header codec is per connection). */
export class SpdyFramer {
  private readonly codec = new HeaderCodec();
  private pending: Buffer = Buffer.alloc(0);

  async synStream(streamId: number, headers: Record<string, string>, flags = 0): Promise<Buffer> {
    const block = await this.codec.compress(headers);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
    fixed.writeUInt32BE(0, 4); // associated stream
    fixed.writeUInt16BE(0, 8); // priority 0, slot 0
    return controlFrame(ControlType.SynStream, flags, Buffer.concat([fixed, block]));
  }

  async synReply(streamId: number, headers: Record<string, string>, flags = 0): Promise<Buffer> {
    const block = await this.codec.compress(headers);
    return controlFrame(ControlType.SynReply, flags, Buffer.concat([u32(streamId & 0x7fffffff), block]));
  }

  ping(id: number): Buffer {
    return controlFrame(ControlType.Ping, 0, u32(id));
  }

  /** RST_STREAM with a status code (1 PROTOCOL_ERROR, 5 CANCEL, …; section 2.6.3). */
  rstStream(streamId: number, status: number): Buffer {
    return controlFrame(ControlType.RstStream, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(status)]));
  }

  /** GOAWAY naming the last stream the sender accepted; status 0 = OK (section 2.6.6). */
  goAway(lastGoodStreamId: number, status = 0): Buffer {
    return controlFrame(ControlType.GoAway, 0, Buffer.concat([u32(lastGoodStreamId & 0x7fffffff), u32(status)]));
  }

  /** Feeds bytes from the connection; returns the complete frames, header blocks decompressed in order. */
  async push(bytes: Buffer): Promise<Frame[]> {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const frames: Frame[] = [];
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4) & 0xffffff;
      if (this.pending.length < 8 + length) break;
      const flags = this.pending[4]!;
      const payload = Buffer.from(this.pending.subarray(8, 8 + length));
      const control = (this.pending[0]! & 0x80) !== 0;
      const first = this.pending.readUInt32BE(0);
      this.pending = this.pending.subarray(8 + length);
      if (!control) {
        frames.push({ kind: 'data', streamId: first & 0x7fffffff, flags, data: payload });
        continue;
      }
      const type = first & 0xffff;
      const frame: Frame = { kind: 'control', type, flags, payload };
      if (type === ControlType.SynStream) {
        frame.streamId = payload.readUInt32BE(0) & 0x7fffffff;
        frame.headers = await this.codec.decompress(payload.subarray(10));
      } else if (type === ControlType.SynReply || type === ControlType.Headers) {
        frame.streamId = payload.readUInt32BE(0) & 0x7fffffff;
        frame.headers = await this.codec.decompress(payload.subarray(4));
      } else if (type === ControlType.RstStream || type === ControlType.WindowUpdate) {
        frame.streamId = payload.readUInt32BE(0) & 0x7fffffff;
      }
      frames.push(frame);
    }
    return frames;
  }
}
