import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { applyPatch } from './index.ts';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, annotations: { a: '1' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.22' }] } } },
};

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('applyPatch with a JSON patch (RFC 6902)', () => {
  const ct = 'application/json-patch+json';
  const cases: { name: string; ops: unknown; check: (o: any) => void }[] = [
    { name: 'replace sets a value', ops: [{ op: 'replace', path: '/spec/replicas', value: 5 }], check: (o) => expect(o.spec.replicas).toBe(5) },
    { name: 'a passing test lets the rest apply', ops: [{ op: 'test', path: '/spec/replicas', value: 2 }, { op: 'remove', path: '/metadata/annotations' }], check: (o) => expect(o.metadata.annotations).toBeUndefined() },
    { name: 'add appends to a list with -', ops: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'b', image: 'b' } }], check: (o) => expect(o.spec.template.spec.containers).toHaveLength(2) },
    { name: 'escaped pointers reach keys with slashes', ops: [{ op: 'add', path: '/metadata/annotations/example.com~1x', value: 'y' }], check: (o) => expect(o.metadata.annotations['example.com/x']).toBe('y') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(deployment);
      c.check(applyPatch(ct, deployment, JSON.stringify(c.ops), 'Deployment'));
      expect(deployment).toEqual(before);
    });
  }

  it('a failed test is 422 Invalid, as upstream, and nothing applies', () => {
    const err = thrown(() => applyPatch(ct, deployment, JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 9 }]), 'Deployment'));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe('the server rejected our request due to an error in our request');
    expect(err.details?.causes?.[0].message).toBe('testing value /spec/replicas failed: test failed');
  });
  it('a path that does not exist is 422', () => {
    expect(thrown(() => applyPatch(ct, deployment, '[{"op":"replace","path":"/spec/nope/x","value":1}]', 'Deployment')).code).toBe(422);
  });
  it('an unknown op is 422', () => {
    expect(thrown(() => applyPatch(ct, deployment, '[{"op":"frobnicate","path":"/spec"}]', 'Deployment')).code).toBe(422);
  });
  it('a body that is not a list of operations is 400', () => {
    expect(thrown(() => applyPatch(ct, deployment, '{"op":"add"}', 'Deployment')).code).toBe(400);
  });
});

describe('applyPatch with a merge patch (RFC 7386)', () => {
  const ct = 'application/merge-patch+json';
  it('null removes a label; other labels stay (kubectl label app-)', () => {
    const out: any = applyPatch(ct, deployment, '{"metadata":{"labels":{"app":null}}}', 'Deployment');
    expect(out.metadata.labels).toEqual({ tier: 'front' });
  });
  it('lists are replaced whole, even lists strategic merge would merge', () => {
    const out: any = applyPatch(ct, deployment, '{"spec":{"template":{"spec":{"containers":[{"name":"x"}]}}}}', 'Deployment');
    expect(out.spec.template.spec.containers).toEqual([{ name: 'x' }]);
  });
  it('scale sends spec.replicas', () => {
    expect((applyPatch(ct, deployment, '{"spec":{"replicas":3}}', 'Deployment') as any).spec.replicas).toBe(3);
  });
  it('nulls inside a new map are dropped', () => {
    const out: any = applyPatch(ct, deployment, '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}', 'Deployment');
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });
  it('a null patch is 400', () => {
    expect(thrown(() => applyPatch(ct, deployment, 'null', 'Deployment')).code).toBe(400);
  });
});

describe('applyPatch content types and bodies', () => {
  it('strategic merge patch accepts a charset parameter and merges containers by name', () => {
    const out: any = applyPatch(
      'application/strategic-merge-patch+json; charset=utf-8',
      deployment,
      Buffer.from('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.26","name":"nginx"}]}}}}'),
      'Deployment',
    );
    expect(out.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.26' }]);
  });
  it('malformed JSON is 400 BadRequest', () => {
    const err = thrown(() => applyPatch('application/merge-patch+json', deployment, '{"spec":', 'Deployment'));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
  });
  it('any other content type is 415, apply included (it has its own entry point)', () => {
    for (const ct of ['application/json', 'text/plain', 'application/apply-patch+yaml']) {
      const err = thrown(() => applyPatch(ct, deployment, '{}', 'Deployment'));
      expect(err.code).toBe(415);
      expect(err.reason).toBe('UnsupportedMediaType');
    }
  });
});
