import { describe, expect, it } from 'vitest';
import { WatchDecoder } from './watchDecoder.ts';

const line = (type: string, name: string) => JSON.stringify({ type, object: { metadata: { name } } }) + '\n';

describe('WatchDecoder', () => {
  it('joins an event split across chunks, including inside a multi-byte character', () => {
    const d = new WatchDecoder();
    const bytes = Buffer.from(line('ADDED', 'café') + line('DELETED', 'b'));
    const cut = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
    const first = d.push(bytes.subarray(0, cut));
    expect(first).toEqual([]);
    const rest = d.push(bytes.subarray(cut));
    expect(rest.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'café'],
      ['DELETED', 'b'],
    ]);
  });

  it('delivers a last event without a trailing newline at end of stream', () => {
    const d = new WatchDecoder();
    expect(d.push(Buffer.from(line('ADDED', 'a').trim()))).toEqual([]);
    expect(d.end().map((e) => e.object.metadata.name)).toEqual(['a']);
  });

  it('rejects a malformed line instead of skipping it', () => {
    const d = new WatchDecoder();
    expect(() => d.push(Buffer.from('{"type":"ADDED",\n'))).toThrow(/malformed event line/);
    expect(() => new WatchDecoder().push(Buffer.from('{"type":"NOPE","object":{}}\n'))).toThrow(/not a watch event/);
  });
});
