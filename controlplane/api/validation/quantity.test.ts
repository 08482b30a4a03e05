import { describe, expect, it } from 'vitest';
import { parseQuantity } from './quantity.ts';

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['1', 1],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1k', 1000],
    ['1M', 1e6],
    ['1E', 1e18],
    ['1e3', 1000],
    ['5E-2', 0.05],
    ['100u', 1e-4],
    ['-1', -1],
    ['+3', 3],
    [250, 250],
  ])('reads %j as %d base units', (q, want) => {
    expect(parseQuantity(q)).toBeCloseTo(want, 12);
  });

  it.each<[unknown, string]>([['', 'empty'], ['abc', 'no digits'], ['1Qi', 'unknown suffix'], ['1 Gi', 'inner space'], ['1.2.3', 'two dots'], ['Mi', 'suffix only'], [null, 'null'], [{}, 'an object']])(
    'rejects %j (%s)',
    (q: unknown) => {
      expect(parseQuantity(q)).toBeUndefined();
    },
  );
});
