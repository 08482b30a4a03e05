// Broken manifests and requests: every one gets a 4xx Kubernetes Status with the matching code,
// the server keeps serving, and no stored object is damaged.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';
import { rawClient, type RawClient, type RawResponse } from './support/rawClient.ts';

let cp: ControlPlane;
let api: RawClient;
let sentinel: any;

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

beforeAll(async () => {
  cp = await startControlPlane();
  api = rawClient(cp.url, cp.dataDir);
  const res = await api.request('POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sentinel' }, data: { keep: 'me' } }));
  expect(res.status).toBe(201);
  sentinel = res.json();
});
afterAll(async () => {
  api?.close();
  await cp?.stop();
});

function expectStatus(res: RawResponse, code: number, what: string): void {
  expect(res.status, `${what}: ${res.body.slice(0, 300)}`).toBe(code);
  const body = res.json();
  expect(body.kind, what).toBe('Status');
  expect(body.status, what).toBe('Failure');
  expect(body.code, what).toBe(code);
  expect(typeof body.message, what).toBe('string');
}

const deployment = (spec: unknown, name = 'bad') => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec });
const goodTemplate = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };

const CASES: [string, string, string, string | Buffer | undefined, number, Record<string, string>?][] = [
  ['truncated JSON', 'POST', CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":', 400],
  ['a JSON array', 'POST', CM, '[1,2,3]', 400],
  ['a JSON number', 'POST', CM, '42', 400],
  ['empty body', 'POST', CM, '', 400],
  ['binary garbage', 'POST', CM, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]), 400],
  ['broken YAML', 'POST', CM, 'apiVersion: v1\nkind: [ConfigMap\n', 400, { 'Content-Type': 'application/yaml' }],
  ['unknown content type', 'POST', CM, '{}', 415, { 'Content-Type': 'text/plain' }],
  ['wrong kind for the path', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }), 400],
  ['wrong apiVersion', 'POST', CM, JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 400],
  ['namespace mismatch', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } }), 400],
  ['replicas as a string', 'POST', DEPLOY, JSON.stringify(deployment({ replicas: 'three', selector: { matchLabels: { app: 'x' } }, template: goodTemplate })), 400],
  ['containers as an object', 'POST', DEPLOY, JSON.stringify(deployment({ selector: { matchLabels: { app: 'x' } }, template: { ...goodTemplate, spec: { containers: {} } } })), 400],
  ['unknown field, strict', 'POST', `${DEPLOY}?fieldValidation=Strict`, JSON.stringify(deployment({ foo: 1, selector: { matchLabels: { app: 'x' } }, template: goodTemplate })), 400],
  ['metadata as a string', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' }), 400],
  ['invalid name', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } }), 422],
  ['missing name', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), 422],
  ['selector not matching template', 'POST', DEPLOY, JSON.stringify(deployment({ selector: { matchLabels: { app: 'y' } }, template: goodTemplate })), 422],
  ['no containers', 'POST', DEPLOY, JSON.stringify(deployment({ selector: { matchLabels: { app: 'x' } }, template: { ...goodTemplate, spec: { containers: [] } } })), 422],
  ['existing object', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sentinel' } }), 409],
  ['unknown resource', 'GET', '/api/v1/namespaces/default/widgets', undefined, 404],
  ['unknown group', 'GET', '/apis/example.com/v1/things', undefined, 404],
  ['missing object', 'GET', `${CM}/nope`, undefined, 404],
  ['missing namespace', 'POST', '/api/v1/namespaces/nowhere/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 404],
  ['bad label selector', 'GET', `${CM}?labelSelector=a%20in%20(b`, undefined, 400],
  ['unsupported field selector', 'GET', `${CM}?fieldSelector=spec.nodeName%3Dx`, undefined, 400],
  ['garbage continue token', 'GET', `${CM}?limit=1&continue=garbage`, undefined, 400],
  ['bad dryRun', 'POST', `${CM}?dryRun=Some`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 400],
  ['merge patch that is not JSON', 'PATCH', `${CM}/sentinel`, '{nope', 400, { 'Content-Type': 'application/merge-patch+json' }],
  ['json patch that is not a list', 'PATCH', `${CM}/sentinel`, '{"op":"add"}', 400, { 'Content-Type': 'application/json-patch+json' }],
  ['json patch with an unknown op', 'PATCH', `${CM}/sentinel`, '[{"op":"explode","path":"/data"}]', 422, { 'Content-Type': 'application/json-patch+json' }],
  ['json patch test that fails', 'PATCH', `${CM}/sentinel`, '[{"op":"test","path":"/data/keep","value":"other"}]', 422, { 'Content-Type': 'application/json-patch+json' }],
  ['patch changing the name', 'PATCH', `${CM}/sentinel`, '{"metadata":{"name":"other"}}', 400, { 'Content-Type': 'application/merge-patch+json' }],
  ['update with a stale resourceVersion', 'PUT', `${CM}/sentinel`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sentinel', resourceVersion: '1' }, data: {} }), 409],
  ['truncated protobuf body', 'POST', CM, Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x09]), 400, { 'Content-Type': 'application/vnd.kubernetes.protobuf' }],
  ['protobuf that is really JSON', 'POST', CM, '{"kind":"ConfigMap"}', 400, { 'Content-Type': 'application/vnd.kubernetes.protobuf' }],
  ['a body over 3 MiB', 'POST', CM, Buffer.alloc(3 * 1024 * 1024 + 10, 0x20), 413],
  ['delete with a bad propagationPolicy', 'DELETE', `${CM}/sentinel?propagationPolicy=Sideways`, undefined, 400],
  ['method on a discovery path', 'POST', '/api/v1', '{}', 405],
];

describe('bad requests get a Status with the right code', () => {
  for (const [what, method, path, body, code, headers] of CASES) {
    it(what, async () => {
      expectStatus(await api.request(method, path, body, headers), code, what);
    });
  }

  it('anonymous requests are 401 (health and version stay public)', async () => {
    const anon = rawClient(cp.url, cp.dataDir, { anonymous: true });
    try {
      expectStatus(await anon.request('GET', '/api/v1/namespaces'), 401, 'anonymous list');
      expect((await anon.request('GET', '/version')).status).toBe(200);
      expect((await anon.request('GET', '/healthz')).status).toBe(200);
    } finally {
      anon.close();
    }
  });

  it('generated garbage manifests: always a 4xx Status, never a 5xx', async () => {
    const specArb = fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('replicas', 'selector', 'template', 'strategy', 'foo'), fc.anything()));
    await fc.assert(
      fc.asyncProperty(specArb, fc.constantFrom(CM, DEPLOY), async (spec, path) => {
        const kind = path === CM ? { apiVersion: 'v1', kind: 'ConfigMap', data: spec } : deployment(spec);
        const res = await api.request('POST', path, JSON.stringify({ ...kind, metadata: { generateName: 'gen-' } }));
        if (res.status === 201) return; // some garbage is a valid object
        expect(res.status, res.body).toBeGreaterThanOrEqual(400);
        expect(res.status, res.body).toBeLessThan(500);
        expect(res.json().kind).toBe('Status');
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('the server still serves and the sentinel is untouched', async () => {
    const res = await api.request('GET', `${CM}/sentinel`);
    expect(res.status).toBe(200);
    const now = res.json();
    expect(now.data).toEqual({ keep: 'me' });
    expect(now.metadata.resourceVersion).toBe(sentinel.metadata.resourceVersion);
  });
});
