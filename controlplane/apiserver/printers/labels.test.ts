import { describe, expect, it } from 'vitest';
import { formatLabels, formatLabelSelector, labelSelectorString } from './labels.ts';

describe('formatLabels', () => {
  it('sorts keys and joins key=value pairs', () => {
    expect(formatLabels({ tier: 'web', app: 'nginx' })).toBe('app=nginx,tier=web');
  });
  it('prints <none> for no labels', () => {
    expect(formatLabels(undefined)).toBe('<none>');
    expect(formatLabels({})).toBe('<none>');
  });
});

describe('labelSelectorString', () => {
  it.each([
    ['unset selector', undefined, ''],
    ['empty selector', {}, ''],
    ['matchLabels sorted by key', { matchLabels: { tier: 'web', app: 'nginx' } }, 'app=nginx,tier=web'],
    [
      'expressions with sorted values',
      {
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'dev'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'NotIn', values: ['b'] },
          { key: 'app', operator: 'Exists' },
        ],
      },
      'app,!canary,env in (dev,prod),zone notin (b)',
    ],
    ['unknown operator is invalid', { matchExpressions: [{ key: 'a', operator: 'Near' }] }, undefined],
    ['In without values is invalid', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, undefined],
    ['Exists with values is invalid', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, undefined],
  ])('%s', (_name, selector, want) => {
    expect(labelSelectorString(selector)).toBe(want);
  });
});

describe('formatLabelSelector', () => {
  it('prints <none> for an empty selector and <error> for an invalid one', () => {
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<error>');
    expect(formatLabelSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
  });
});
