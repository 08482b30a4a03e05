import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { decodeProtobufObject } from './decode.ts';
import { PROTOBUF_MAGIC, writeEnvelope } from './envelope.ts';
import { WireWriter } from './wireWriter.ts';

const TESTDATA = new URL('./testdata/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, TESTDATA));
const w = () => new WireWriter();
const meta = (name: string) => (m: WireWriter) => m.string(1, name).string(2, '').string(3, '').varint(7, 0).bytes(8, Buffer.alloc(0));

function decodeError(body: Buffer): ApiError {
  try {
    decodeProtobufObject(body);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

describe('bodies captured from kubectl 1.32 decode to the JSON kubectl would have sent', () => {
  const cases = readdirSync(TESTDATA).filter((f) => f.endsWith('.pb') && readdirSync(TESTDATA).includes(f.replace(/\.pb$/, '.json')));
  it('has the captured cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(13);
  });
  it.each(cases)('%s', (file) => {
    expect(decodeProtobufObject(read(file))).toStrictEqual(JSON.parse(read(file.replace(/\.pb$/, '.json')).toString()));
  });
});

describe('decodeProtobufObject', () => {
  it('decodes a Deployment with the fields a real manifest uses', () => {
    const container = (c: WireWriter) =>
      c.string(1, 'web').string(2, 'nginx:1.22.1').string(3, 'nginx').string(4, '-g')
        .message(6, (p) => p.string(1, 'http').varint(2, 0).varint(3, 80).string(4, 'TCP').string(5, ''))
        .message(7, (e) => e.string(1, 'MODE').string(2, 'prod'))
        .message(7, (e) => e.string(1, 'LEVEL').string(2, '').message(3, (s) => s.message(3, (k) => k.message(1, (l) => l.string(1, 'cfg')).string(2, 'level'))))
        .message(8, (r) => r.message(1, (e) => e.string(1, 'memory').message(2, (q) => q.string(1, '128Mi'))).message(2, (e) => e.string(1, 'cpu').message(2, (q) => q.string(1, '100m'))))
        .message(9, (m) => m.string(1, 'conf').varint(2, true).string(3, '/etc/nginx/conf.d').string(4, ''))
        .message(11, (p) => p.message(1, (h) => h.message(2, (g) => g.string(1, '/healthz').message(2, (port) => port.varint(1, 1).string(3, 'http')))).varint(3, 5))
        .string(14, 'IfNotPresent').varint(16, false);
    const spec = (s: WireWriter) =>
      s.varint(1, 0) // replicas: 0 is a pointer, so it stays
        .message(2, (sel) => sel.mapEntry(1, 'app', 'web'))
        .message(3, (t) => t.message(1, (m) => m.bytes(8, Buffer.alloc(0)).mapEntry(11, 'app', 'web')).message(2, (p) =>
          p.message(1, (v) => v.string(1, 'conf').message(2, (src) => src.message(19, (cm) => cm.message(1, (l) => l.string(1, 'nginx-conf')).varint(3, 0o644))))
            .message(2, container).string(3, 'Always').varint(25, -5)))
        .message(4, (st) => st.string(1, 'RollingUpdate').message(2, (ru) => ru.message(1, (i) => i.varint(1, 0).varint(2, 0)).message(2, (i) => i.varint(1, 1).string(3, '25%'))))
        .varint(5, 0) // minReadySeconds: omitempty, left out
        .varint(7, false); // paused: omitempty, left out
    const raw = w().message(1, meta('web')).message(2, spec).message(3, () => {}).finish();

    expect(decodeProtobufObject(writeEnvelope('apps/v1', 'Deployment', raw))).toStrictEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [{ name: 'conf', configMap: { name: 'nginx-conf', defaultMode: 420 } }],
            containers: [{
              name: 'web',
              image: 'nginx:1.22.1',
              command: ['nginx'],
              args: ['-g'],
              ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'MODE', value: 'prod' }, { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } }],
              resources: { limits: { memory: '128Mi' }, requests: { cpu: '100m' } },
              volumeMounts: [{ name: 'conf', readOnly: true, mountPath: '/etc/nginx/conf.d' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 5 },
              imagePullPolicy: 'IfNotPresent',
            }],
            restartPolicy: 'Always',
            priority: -5,
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      },
      status: {},
    });
  });

  it('writes bytes as base64 and keeps string data as it is (Secret, ConfigMap)', () => {
    const secret = w().message(1, meta('s'))
      .mapEntry(2, 'bin', Buffer.from([0x00, 0xff, 0x10]))
      .mapEntry(4, 'plain', 'text')
      .string(3, 'Opaque')
      .varint(5, false) // immutable is a pointer: false stays
      .finish();
    expect(decodeProtobufObject(writeEnvelope('v1', 'Secret', secret))).toStrictEqual({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: null },
      data: { bin: 'AP8Q' }, stringData: { plain: 'text' }, type: 'Opaque', immutable: false,
    });
    const configMap = w().message(1, meta('c')).mapEntry(2, 'a', 'b').mapEntry(3, 'blob', Buffer.from('hi')).varint(4, true).finish();
    expect(decodeProtobufObject(writeEnvelope('v1', 'ConfigMap', configMap))).toMatchObject({ data: { a: 'b' }, binaryData: { blob: 'aGk=' }, immutable: true });
  });

  it('decodes metadata: times, owner references, managed fields', () => {
    const raw = w().message(1, (m) =>
      m.string(1, 'p').string(3, 'default').string(5, 'uid-1').string(6, '42').varint(7, 3)
        .message(8, (t) => t.varint(1, 1700000000))
        .message(13, (o) => o.string(1, 'ReplicaSet').string(3, 'web-1').string(4, 'uid-0').string(5, 'apps/v1').varint(6, true).varint(7, false))
        .string(14, 'example.com/guard')
        .message(17, (f) => f.string(1, 'kubectl').string(2, 'Update').string(3, 'v1').message(4, (t) => t.varint(1, 1700000000)).string(6, 'FieldsV1')
          .message(7, (r) => r.string(1, '{"f:spec":{}}')).string(8, ''))).finish();
    expect(decodeProtobufObject(writeEnvelope('v1', 'Pod', raw)).metadata).toStrictEqual({
      name: 'p', namespace: 'default', uid: 'uid-1', resourceVersion: '42', generation: 3,
      creationTimestamp: '2023-11-14T22:13:20Z',
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1', uid: 'uid-0', apiVersion: 'apps/v1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['example.com/guard'],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:20Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    });
  });

  it('formats events.k8s.io eventTime with microseconds', () => {
    const raw = w().message(1, meta('e')).message(2, (t) => t.varint(1, 1700000000).varint(2, 5000)).string(4, 'kubelet').string(7, 'Pulled').finish();
    expect(decodeProtobufObject(writeEnvelope('events.k8s.io/v1', 'Event', raw))).toMatchObject({
      eventTime: '2023-11-14T22:13:20.000005Z', reportingController: 'kubelet', reason: 'Pulled',
    });
  });

  it('reads repeated varints both unpacked and packed', () => {
    const podSecurity = (sc: WireWriter) => sc.varint(4, 1000).varint(4, 2000);
    const packed = (sc: WireWriter) => sc.bytes(4, Buffer.from([0xe8, 0x07, 0xd0, 0x0f]));
    for (const build of [podSecurity, packed]) {
      const raw = w().message(2, (s) => s.message(14, build)).finish();
      expect(decodeProtobufObject(writeEnvelope('v1', 'Pod', raw)).spec).toStrictEqual({ securityContext: { supplementalGroups: [1000, 2000] } });
    }
  });

  it('skips fields it does not know and merges a message field sent twice', () => {
    const raw = w().message(1, (m) => m.string(1, 'ns').string(99, 'from a newer release').varint(100, 7))
      .message(2, (s) => s.string(1, 'kubernetes'))
      .message(2, (s) => s.string(1, 'example.com/extra'))
      .finish();
    expect(decodeProtobufObject(writeEnvelope('v1', 'Namespace', raw))).toStrictEqual({
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' }, spec: { finalizers: ['kubernetes', 'example.com/extra'] },
    });
  });

  it('keeps a map key named __proto__ as plain data', () => {
    const raw = w().message(1, (m) => m.string(1, 'ns').mapEntry(11, '__proto__', 'x').mapEntry(11, 'app', 'web')).finish();
    const labels = decodeProtobufObject(writeEnvelope('v1', 'Namespace', raw)).metadata.labels;
    expect(Object.keys(labels)).toEqual(['__proto__', 'app']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(labels).toEqual(JSON.parse('{"__proto__":"x","app":"web"}'));
  });

  it('reads DeleteOptions in whatever group version the client put it', () => {
    const raw = w().varint(1, 0).string(4, 'Foreground').string(5, 'All').finish();
    expect(decodeProtobufObject(writeEnvelope('apps/v1', 'DeleteOptions', raw))).toStrictEqual({
      apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'],
    });
  });
});

describe('decodeProtobufObject rejects bad bodies with a Status, never a crash', () => {
  const service = (port: (p: WireWriter) => WireWriter) => writeEnvelope('v1', 'Service', w().message(2, (s) => s.message(1, port)).finish());
  it.each([
    { name: 'JSON under the protobuf content type', body: Buffer.from('{"kind":"Namespace"}'), code: 400, message: /does not appear to be a protobuf message/ },
    { name: 'random bytes after the magic', body: Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0xff, 0xff, 0xff])]), code: 400, message: /unable to decode/ },
    { name: 'a payload cut short', body: writeEnvelope('v1', 'Namespace', w().message(1, meta('x')).finish().subarray(0, 5)), code: 400, message: /metadata: .*past the end/ },
    { name: 'a number where the schema has a string', body: service((p) => p.varint(1, 5)), code: 400, message: /spec\.ports\.name: wire type 0/ },
    { name: 'a group in a field it would skip', body: writeEnvelope('v1', 'Namespace', Buffer.from([0x53])), code: 400, message: /unsupported wire type 3/ },
    { name: 'an envelope without a kind', body: writeEnvelope('v1', '', Buffer.alloc(0)), code: 400, message: /Kind' is missing/ },
    { name: 'a kind the server does not serve', body: read('kubectl-create-role.pb'), code: 415, message: /no protobuf schema is served for kind "Role"/ },
    { name: 'a message name posing as a kind', body: writeEnvelope('v1', 'PodSpec', Buffer.alloc(0)), code: 415, message: /kind "PodSpec"/ },
  ])('$name → $code', ({ body, code, message }) => {
    const err = decodeError(body);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('refuses a compressed payload', () => {
    const unknown = w().message(1, (t) => t.string(1, 'v1').string(2, 'Namespace')).bytes(2, Buffer.alloc(0)).string(3, 'gzip').finish();
    expect(decodeError(Buffer.concat([PROTOBUF_MAGIC, unknown])).message).toMatch(/content encoding "gzip"/);
  });
});

describe('decodeProtobufObject on arbitrary bytes', () => {
  const isApiErrorOrObject = (body: Buffer) => {
    try {
      return typeof decodeProtobufObject(body) === 'object';
    } catch (e) {
      return e instanceof ApiError && (e.code === 400 || e.code === 415);
    }
  };

  it('answers a Status for any payload of a served kind', () => {
    const kinds = fc.constantFrom(['v1', 'Pod'], ['apps/v1', 'Deployment'], ['v1', 'Service'], ['batch/v1', 'CronJob'], ['v1', 'Secret']);
    fc.assert(fc.property(kinds, fc.uint8Array({ maxLength: 200 }), ([apiVersion, kind], raw) =>
      isApiErrorOrObject(writeEnvelope(apiVersion, kind, Buffer.from(raw)))));
  });

  it('answers a Status for a kubectl body with bytes changed', () => {
    const original = read('kubectl-create-cronjob.pb');
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const body = Buffer.from(original);
      for (const [at, byte] of edits) body[at] = byte;
      return isApiErrorOrObject(body);
    }));
  });
});
