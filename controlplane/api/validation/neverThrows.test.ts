// Property: defaulting and validation survive any JSON a client can send, for every kind.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDefaults, prepareForCreate } from '../defaults/index.ts';
import { RESOURCES } from '../resources.ts';
import { validateCreate, validateUpdate } from './index.ts';
import { ALL_MANIFESTS } from './manifests.fixture.ts';

type Json = Record<string, unknown>;

function run(obj: unknown, old: unknown): void {
  for (const r of RESOURCES) {
    const copy = structuredClone(obj);
    applyDefaults(r.kind, r.group, copy);
    prepareForCreate(r.kind, r.group, copy);
    const causes = validateCreate(r, copy);
    for (const c of causes) expect(typeof c.message).toBe('string');
    validateUpdate(r, copy, old);
  }
}

/** Replaces the value at a random path inside `obj` with `value`. */
function plant(obj: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || typeof obj !== 'object' || obj === null) return value;
  const keys = Object.keys(obj);
  if (keys.length === 0) return obj;
  const key = keys[path[0] % keys.length];
  const o = obj as Json;
  o[key] = plant(o[key], path.slice(1), value);
  return obj;
}

describe('defaulting and validation never throw', () => {
  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (obj, old) => run(obj, old)), { numRuns: 300 });
  });

  it('on realistic manifests with one value replaced by arbitrary JSON', () => {
    const manifest = fc.constantFrom(...ALL_MANIFESTS).map((make) => make());
    fc.assert(
      fc.property(manifest, fc.array(fc.nat(), { maxLength: 8 }), fc.jsonValue(), (obj, path, value) => {
        const old = structuredClone(obj);
        run(plant(obj, path, value), old);
      }),
      { numRuns: 500 },
    );
  });

  it('on objects whose fields are all of the wrong type', () => {
    const garbage = { metadata: 'x', spec: { containers: {}, replicas: 'three', selector: [], template: 1, ports: 'x', volumes: [null, 1] }, data: [] };
    expect(() => run(garbage, garbage)).not.toThrow();
  });
});
