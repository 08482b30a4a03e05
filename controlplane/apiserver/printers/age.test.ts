import { describe, expect, it } from 'vitest';
import { humanDuration, translateTimestampSince } from './age.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration', () => {
  it.each([
    [-3 * s, '<invalid>', 'more than a second of clock skew is invalid'],
    [-1999, '0s', 'under two seconds in the future reads as now'],
    [0, '0s', 'zero'],
    [1 * s, '1s', 'seconds'],
    [119 * s + 999, '119s', 'seconds up to two minutes, truncated'],
    [120 * s, '2m', 'whole minutes drop the seconds'],
    [190 * s, '3m10s', 'minutes and seconds under ten minutes'],
    [10 * m + 30 * s, '10m', 'minutes only from ten minutes'],
    [179 * m, '179m', 'minutes up to three hours'],
    [3 * h, '3h', 'whole hours'],
    [3 * h + 30 * m, '3h30m', 'hours and minutes under eight hours'],
    [8 * h + 30 * m, '8h', 'hours only from eight hours'],
    [47 * h, '47h', 'hours up to two days'],
    [48 * h, '2d', 'whole days'],
    [49 * h, '2d1h', 'days and hours under eight days'],
    [8 * d + 2 * h, '8d', 'days only from eight days'],
    [367 * d, '367d', 'days up to two years'],
    [2 * 365 * d + 25 * h, '2y1d', 'years and days under eight years'],
    [3 * 365 * d, '3y', 'whole years'],
    [8 * 365 * d + 2 * h, '8y', 'years only from eight years'],
  ])('%d ms → %s (%s)', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('translateTimestampSince', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  it('measures from the timestamp to now', () => {
    expect(translateTimestampSince('2024-06-01T11:55:00Z', now)).toBe('5m');
  });
  it('reads an unset or unparsable timestamp as <unknown>', () => {
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>');
    expect(translateTimestampSince('', now)).toBe('<unknown>');
    expect(translateTimestampSince('yesterday-ish', now)).toBe('<unknown>');
  });
});
