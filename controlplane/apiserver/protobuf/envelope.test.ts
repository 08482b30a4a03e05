import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOBUF_MAGIC, readEnvelope, writeEnvelope } from './envelope.ts';
import { WireFormatError } from './wireReader.ts';

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url));

describe('protobuf envelope', () => {
  it('reads the type and payload of a body kubectl sent', () => {
    const envelope = readEnvelope(testdata('kubectl-create-namespace.pb'));
    expect(envelope).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', contentEncoding: '', contentType: '' });
    expect(envelope.raw.length).toBeGreaterThan(0);
  });

  it('writes what kubectl writes, byte for byte', () => {
    const body = testdata('kubectl-create-namespace.pb');
    const { raw } = readEnvelope(body);
    expect(writeEnvelope('v1', 'Namespace', raw).equals(body)).toBe(true);
  });

  it.each([
    { name: 'JSON sent under the protobuf content type', body: Buffer.from('{"kind":"Namespace"}'), message: /expected prefix \[107 56 115 0\]/ },
    { name: 'a body shorter than the magic', body: Buffer.from('k8'), message: /does not appear to be a protobuf message/ },
    { name: 'an envelope cut inside the payload', body: Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x12, 0x10, 0x0a])]), message: /runs past the end/ },
  ])('rejects $name', ({ body, message }) => {
    expect(() => readEnvelope(body)).toThrow(WireFormatError);
    expect(() => readEnvelope(body)).toThrow(message);
  });
});
