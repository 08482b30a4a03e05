import { describe, expect, it } from 'vitest';
import { runtimeHealth } from './run.ts';

describe('runtimeHealth (the Node Ready condition from CRI Status)', () => {
  it.each([
    ['both conditions true', [{ type: 'RuntimeReady', status: true }, { type: 'NetworkReady', status: true }], { ok: true }],
    [
      'no CNI config yet',
      [{ type: 'RuntimeReady', status: true }, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni plugin not initialized' }],
      { ok: false, reason: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized' },
    ],
    ['the runtime says nothing', [], { ok: false, reason: expect.stringMatching(/^container runtime is down: RuntimeReady=false reason:ConditionMissing/) }],
  ])('%s', (_, conditions, expected) => {
    expect(runtimeHealth(conditions.map((c) => ({ reason: '', message: '', ...c })))).toEqual(expected);
  });
});
