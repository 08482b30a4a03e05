import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/types.ts';
import { evictionDecision, planEvictions, tolerates, type Taint, type Toleration } from './taints.ts';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-05-01T10:00:00Z' };
const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2024-05-01T10:00:00Z' };
const dedicated: Taint = { key: 'dedicated', value: 'db', effect: 'NoExecute', timeAdded: '2024-05-01T10:00:00Z' };

function pod(name: string, tolerations?: Toleration[], deleting = false): KubeObject {
  return { metadata: { name, namespace: 'default', ...(deleting ? { deletionTimestamp: '2024-05-01T10:00:00Z' } : {}) }, spec: { nodeName: 'n1', ...(tolerations ? { tolerations } : {}) } };
}

describe('tolerates', () => {
  it.each<[string, Toleration, Taint, boolean]>([
    ['Exists on the key', { key: 'dedicated', operator: 'Exists' }, dedicated, true],
    ['Equal with the same value', { key: 'dedicated', value: 'db', effect: 'NoExecute' }, dedicated, true],
    ['Equal with another value', { key: 'dedicated', value: 'web' }, dedicated, false],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, dedicated, false],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, unreachable, true],
    ['another key', { key: 'other', operator: 'Exists' }, dedicated, false],
  ])('%s', (_n, t, taint, want) => expect(tolerates(t, taint)).toBe(want));
});

describe('evictionDecision', () => {
  it.each<[string, Toleration[] | undefined, Taint[], ReturnType<typeof evictionDecision>]>([
    ['no NoExecute taints: stays', undefined, [{ key: 'x', effect: 'NoSchedule' }], { kind: 'keep' }],
    ['no toleration: the default 300 s from timeAdded', undefined, [unreachable], { kind: 'evict', atMs: T0 + 300_000 }],
    ['its own toleration seconds', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }], [unreachable], { kind: 'evict', atMs: T0 + 10_000 }],
    ['a toleration without seconds: forever', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }], [unreachable], { kind: 'keep' }],
    ['a taint it cannot tolerate: at once', undefined, [dedicated], { kind: 'evict', atMs: T0 + 5 }],
    ['the smallest seconds over all taints', [{ key: 'dedicated', operator: 'Exists', tolerationSeconds: 60 }], [unreachable, dedicated], { kind: 'evict', atMs: T0 + 60_000 }],
    ['negative seconds count as zero', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -5 }], [notReady], { kind: 'evict', atMs: T0 }],
  ])('%s', (_n, tolerations, taints, want) => {
    expect(evictionDecision(pod('p', tolerations), taints, T0 + 5)).toEqual(want);
  });

  it('counts from now when the taint has no timeAdded', () => {
    expect(evictionDecision(pod('p'), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], T0)).toEqual({ kind: 'evict', atMs: T0 + 300_000 });
  });
});

describe('planEvictions with an injected clock', () => {
  const pods = [
    pod('default-tolerations'),
    pod('short', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]),
    pod('forever', [{ operator: 'Exists' }]),
    pod('already-deleting', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }], true),
  ];
  it.each([
    ['right after the taint nobody goes; next check at 30 s', T0, [], T0 + 30_000],
    ['at 30 s the short toleration runs out', T0 + 30_000, ['short'], T0 + 300_000],
    ['at 300 s pods with the default toleration go too', T0 + 300_000, ['default-tolerations', 'short'], undefined],
  ])('%s', (_n, now, evicted, next) => {
    const plan = planEvictions(pods, [unreachable], now);
    expect(plan.evictNow.map((p) => p.metadata.name)).toEqual(evicted);
    expect(plan.nextAtMs).toBe(next);
  });
});
