import { describe, expect, it } from 'vitest';
import { validatePayloadPath } from './atomicWriter.ts';
import { configMapPayload, secretPayload } from './payload.ts';

const text = (p: Map<string, { data: Buffer; mode: number }>) => Object.fromEntries([...p].map(([k, v]) => [k, [v.data.toString(), v.mode.toString(8)]]));

describe('configMap and secret payloads (upstream makePayload)', () => {
  const cm = { data: { 'nginx.conf': 'server {}', mode: 'x' }, binaryData: { 'logo.bin': Buffer.from([1, 2]).toString('base64') } };
  it('projects every key with the default mode 0644 when there are no items', () => {
    expect(text(configMapPayload(cm, undefined, undefined, false))).toEqual({ 'nginx.conf': ['server {}', '644'], mode: ['x', '644'], 'logo.bin': ['\x01\x02', '644'] });
  });
  it('projects only the listed items at their paths, item mode over defaultMode', () => {
    const p = configMapPayload(cm, [{ key: 'nginx.conf', path: 'conf.d/default.conf', mode: 0o600 }, { key: 'mode', path: 'm' }], 0o440, false);
    expect(text(p)).toEqual({ 'conf.d/default.conf': ['server {}', '600'], m: ['x', '440'] });
  });
  it('a missing key fails unless the volume is optional', () => {
    expect(() => configMapPayload(cm, [{ key: 'nope', path: 'n' }], undefined, false)).toThrow('configmap references non-existent config key: nope');
    expect(text(configMapPayload(cm, [{ key: 'nope', path: 'n' }], undefined, true))).toEqual({});
  });
  it('decodes secret data from base64', () => {
    const secret = { data: { password: Buffer.from('s3cret').toString('base64') } };
    expect(text(secretPayload(secret, undefined, 0o400, false))).toEqual({ password: ['s3cret', '400'] });
    expect(() => secretPayload(secret, [{ key: 'user', path: 'u' }], undefined, false)).toThrow('references non-existent secret key: user');
  });
});

describe('payload paths (upstream atomic_writer validatePath)', () => {
  const cases: [string, string | undefined][] = [
    ['key', undefined],
    ['dir/key', undefined],
    ['.hidden', undefined],
    ['..x/../y', "invalid path: must not contain '..': ..x/../y"],
    ['', 'invalid path: must not be empty: ""'],
    ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
    ['a/../../etc', "invalid path: must not contain '..': a/../../etc"],
    ['..data', "invalid path: must not start with '..': ..data"],
    ['..', "invalid path: must not contain '..': .."],
    ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
    [('y'.repeat(200) + '/').repeat(21), 'invalid path: must be less than or equal to 4096 characters'],
  ];
  for (const [p, want] of cases) {
    it(`${JSON.stringify(p.slice(0, 30))} → ${want ?? 'valid'}`, () => expect(validatePayloadPath(p)).toBe(want));
  }
});
