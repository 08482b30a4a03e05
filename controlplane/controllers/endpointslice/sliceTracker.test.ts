import { describe, expect, it } from 'vitest';
import { EndpointSliceTracker } from './sliceTracker.ts';
import { TriggerTimeTracker, formatTriggerTime } from './triggerTimeTracker.ts';
import { testPod, testService } from './testFixtures.ts';

const slice = (uid: string, rv: number) => ({ metadata: { name: `s-${uid}`, uid, resourceVersion: String(rv) } });
const KEY = 'default/nginx-service';

describe('EndpointSliceTracker', () => {
  it('an untracked Service is never stale', () => {
    expect(new EndpointSliceTracker().staleSlices(KEY, [slice('a', 1)])).toBe(false);
  });

  const cases: [string, (t: EndpointSliceTracker) => void, { metadata: { name: string; uid: string; resourceVersion: string } }[], boolean][] = [
    ['the cache shows what we wrote', (t) => t.update(KEY, slice('a', 5)), [slice('a', 5)], false],
    ['the cache shows a later write', (t) => t.update(KEY, slice('a', 5)), [slice('a', 7)], false],
    ['the cache has an older revision than we wrote', (t) => t.update(KEY, slice('a', 5)), [slice('a', 4)], true],
    ['the cache lacks a slice we created', (t) => t.update(KEY, slice('a', 5)), [], true],
    ['the cache still has a slice we deleted', (t) => t.expectDeletion(KEY, slice('a', 5)), [slice('a', 5)], true],
    ['a slice we deleted is gone from the cache', (t) => t.expectDeletion(KEY, slice('a', 5)), [], false],
  ];
  it.each(cases)('stale check: %s', (_n, setup, cached, want) => {
    const t = new EndpointSliceTracker();
    setup(t);
    expect(t.staleSlices(KEY, cached)).toBe(want);
  });

  it('our own writes do not trigger a sync; others\' do', () => {
    const t = new EndpointSliceTracker();
    t.update(KEY, slice('a', 5));
    expect(t.shouldSync(KEY, slice('a', 5))).toBe(false);
    expect(t.shouldSync(KEY, slice('a', 6))).toBe(true);
    expect(t.shouldSync(KEY, slice('b', 1))).toBe(true);
  });

  it('a deletion we expected triggers no sync; an unexpected one does', () => {
    const t = new EndpointSliceTracker();
    t.expectDeletion(KEY, slice('a', 5));
    t.update(KEY, slice('b', 6));
    expect(t.handleDeletion(KEY, slice('a', 5))).toBe(false);
    expect(t.handleDeletion(KEY, slice('b', 6))).toBe(true);
    expect(t.staleSlices(KEY, [])).toBe(false);
  });
});

describe('TriggerTimeTracker', () => {
  const svc = testService();
  it('reports the Service creation until a sync was written', () => {
    const t = new TriggerTimeTracker();
    const pods = [testPod('a', { ip: '10.244.1.5' })];
    expect(t.compute(KEY, svc, pods)).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(t.compute(KEY, svc, pods)).toBe(Date.parse('2024-01-01T00:00:00Z'));
    t.remember(KEY, svc, pods);
    expect(t.compute(KEY, svc, pods)).toBeUndefined();
  });
  it('then the earliest readiness change since the last written sync, or nothing', () => {
    const t = new TriggerTimeTracker();
    t.remember(KEY, svc, [testPod('a', { readySince: '2024-01-01T00:00:30Z' })]);
    expect(t.compute(KEY, svc, [testPod('a', { readySince: '2024-01-01T00:00:30Z' })])).toBeUndefined();
    const changed = [testPod('a', { readySince: '2024-01-01T00:02:00Z' }), testPod('b', { readySince: '2024-01-01T00:01:00Z' })];
    expect(t.compute(KEY, svc, changed)).toBe(Date.parse('2024-01-01T00:01:00Z'));
  });
  it('formats as Go\'s RFC3339Nano', () => {
    expect(formatTriggerTime(Date.parse('2024-01-01T00:00:30.000Z'))).toBe('2024-01-01T00:00:30Z');
    expect(formatTriggerTime(Date.parse('2024-01-01T00:00:30.120Z'))).toBe('2024-01-01T00:00:30.12Z');
  });
});
