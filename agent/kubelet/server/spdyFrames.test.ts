import { describe, expect, it } from 'vitest';
import { ControlType, FLAG_FIN, SPDY_DICTIONARY, SpdyFramer, dataFrame } from './spdyFrames.ts';

describe('SPDY/3.1 frames', () => {
  it('the dictionary is the 1423 bytes of the spec, starting with "options"', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(SPDY_DICTIONARY.subarray(4, 11).toString()).toBe('options');
    expect(SPDY_DICTIONARY.subarray(-6).toString()).toBe('enq=0.');
  });

  it('round-trips SYN_STREAM, SYN_REPLY and DATA through one connection, split at any byte', async () => {
    const sender = new SpdyFramer();
    const receiver = new SpdyFramer();
    const bytes = Buffer.concat([
      await sender.synStream(1, { streamType: 'error', port: '8080', requestID: '0' }, FLAG_FIN),
      await sender.synStream(3, { streamType: 'data', port: '8080', requestID: '0' }),
      dataFrame(3, Buffer.from('hello'), FLAG_FIN),
      await sender.synReply(3, { ok: 'yes' }),
      sender.ping(7),
    ]);
    const frames = [];
    for (let i = 0; i < bytes.length; i += 5) frames.push(...(await receiver.push(bytes.subarray(i, i + 5))));
    expect(frames).toMatchObject([
      { kind: 'control', type: ControlType.SynStream, flags: FLAG_FIN, streamId: 1, headers: { streamtype: 'error', port: '8080', requestid: '0' } },
      { kind: 'control', type: ControlType.SynStream, flags: 0, streamId: 3, headers: { streamtype: 'data', port: '8080', requestid: '0' } },
      { kind: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.from('hello') },
      { kind: 'control', type: ControlType.SynReply, streamId: 3, headers: { ok: 'yes' } },
      { kind: 'control', type: ControlType.Ping, payload: Buffer.from([0, 0, 0, 7]) },
    ]);
  });

  it('control frames carry version 3 and the flags in the length word', async () => {
    const frame = await new SpdyFramer().synStream(5, { a: 'b' }, FLAG_FIN);
    expect(frame.readUInt16BE(0)).toBe(0x8003);
    expect(frame.readUInt16BE(2)).toBe(ControlType.SynStream);
    expect(frame[4]).toBe(FLAG_FIN);
    expect(frame.readUInt32BE(4) & 0xffffff).toBe(frame.length - 8);
  });
});
