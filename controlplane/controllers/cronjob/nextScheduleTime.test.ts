import { describe, expect, it } from 'vitest';
import { formatRFC3339, instantsOfWall, nextScheduleTime, parseSchedule } from './nextScheduleTime.ts';

const next = (schedule: string, after: string, tz?: string) => nextScheduleTime(schedule, new Date(after), tz)?.toISOString();

describe('next schedule time (UTC)', () => {
  it.each([
    { name: 'every minute: the next whole minute', s: '* * * * *', after: '2025-06-01T12:00:00Z', want: '2025-06-01T12:01:00.000Z' },
    { name: 'strictly after, even mid-minute', s: '* * * * *', after: '2025-06-01T12:00:30Z', want: '2025-06-01T12:01:00.000Z' },
    { name: '*/5 rounds up to a multiple of five', s: '*/5 * * * *', after: '2025-06-01T12:03:00Z', want: '2025-06-01T12:05:00.000Z' },
    { name: '*/5 at a firing time goes to the next', s: '*/5 * * * *', after: '2025-06-01T12:05:00Z', want: '2025-06-01T12:10:00.000Z' },
    { name: '*/5 wraps the hour', s: '*/5 * * * *', after: '2025-06-01T12:58:00Z', want: '2025-06-01T13:00:00.000Z' },
    { name: 'N/step starts at N', s: '50/5 * * * *', after: '2025-06-01T12:00:00Z', want: '2025-06-01T12:50:00.000Z' },
    { name: 'ranges: 9-17 hours on the half hour', s: '30 9-17 * * *', after: '2025-06-01T17:45:00Z', want: '2025-06-02T09:30:00.000Z' },
    { name: 'lists of minutes', s: '0,20,40 * * * *', after: '2025-06-01T12:21:00Z', want: '2025-06-01T12:40:00.000Z' },
    { name: 'ranges with steps', s: '0 6-16/4 * * *', after: '2025-06-01T10:00:00Z', want: '2025-06-01T14:00:00.000Z' },
    { name: 'month names', s: '0 0 1 jan,jul *', after: '2025-02-01T00:00:00Z', want: '2025-07-01T00:00:00.000Z' },
    { name: 'day names: weekdays only (2025-06-07 is a Saturday)', s: '0 8 * * mon-fri', after: '2025-06-06T09:00:00Z', want: '2025-06-09T08:00:00.000Z' },
    { name: 'Sunday is 0', s: '0 0 * * 0', after: '2025-06-02T00:00:00Z', want: '2025-06-08T00:00:00.000Z' },
    { name: 'day of month with a star in day of week: the 15th only', s: '0 0 15 * *', after: '2025-06-01T00:00:00Z', want: '2025-06-15T00:00:00.000Z' },
    // robfig: when neither day field is a star, either may match (the 13th, or any Friday).
    { name: 'both day fields restricted: either matches', s: '0 0 13 * 5', after: '2025-06-01T00:00:00Z', want: '2025-06-06T00:00:00.000Z' },
    { name: 'day of week with a star in day of month: only that weekday', s: '0 0 * * 5', after: '2025-06-07T00:00:00Z', want: '2025-06-13T00:00:00.000Z' },
    { name: 'the 31st skips short months', s: '0 0 31 * *', after: '2025-04-01T00:00:00Z', want: '2025-05-31T00:00:00.000Z' },
    { name: 'February 29th waits for a leap year', s: '0 0 29 2 *', after: '2025-03-01T00:00:00Z', want: '2028-02-29T00:00:00.000Z' },
    { name: '@hourly', s: '@hourly', after: '2025-06-01T12:00:01Z', want: '2025-06-01T13:00:00.000Z' },
    { name: '@weekly is Sunday midnight', s: '@weekly', after: '2025-06-02T00:00:00Z', want: '2025-06-08T00:00:00.000Z' },
    { name: '@every adds the interval to the whole second', s: '@every 90s', after: '2025-06-01T12:00:00.700Z', want: '2025-06-01T12:01:30.000Z' },
  ])('$name', ({ s, after, want }) => {
    expect(next(s, after)).toBe(want);
  });

  it('a schedule that can never fire has no next time', () => {
    expect(next('0 0 30 2 *', '2025-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('next schedule time in a time zone', () => {
  it('fires at the wall-clock time of the zone', () => {
    // Berlin is UTC+2 in summer: 08:00 there is 06:00 UTC.
    expect(next('0 8 * * *', '2025-06-01T07:00:00Z', 'Europe/Berlin')).toBe('2025-06-02T06:00:00.000Z');
    expect(next('0 8 * * *', '2025-06-01T05:00:00Z', 'Europe/Berlin')).toBe('2025-06-01T06:00:00.000Z');
  });

  it('a TZ= prefix in the schedule wins over spec.timeZone', () => {
    expect(next('TZ=America/New_York 0 8 * * *', '2025-06-01T00:00:00Z', 'Europe/Berlin')).toBe('2025-06-01T12:00:00.000Z');
  });

  it('skips a wall time that does not exist when clocks spring forward', () => {
    // Berlin 2025-03-30: 02:00 jumps to 03:00, so 02:30 does not exist that day.
    expect(next('30 2 * * *', '2025-03-29T12:00:00Z', 'Europe/Berlin')).toBe('2025-03-31T00:30:00.000Z');
    expect(instantsOfWall(Date.UTC(2025, 2, 30, 2, 30), 'Europe/Berlin')).toEqual([]);
  });

  it('fires once for a wall time that exists twice when clocks fall back', () => {
    // Berlin 2025-10-26: 03:00 goes back to 02:00; 02:30 happens at 00:30Z and again at 01:30Z.
    expect(instantsOfWall(Date.UTC(2025, 9, 26, 2, 30), 'Europe/Berlin')).toEqual([Date.parse('2025-10-26T00:30:00Z'), Date.parse('2025-10-26T01:30:00Z')]);
    expect(next('30 2 * * *', '2025-10-25T12:00:00Z', 'Europe/Berlin')).toBe('2025-10-26T00:30:00.000Z');
    expect(next('30 2 * * *', '2025-10-26T00:30:00Z', 'Europe/Berlin')).toBe('2025-10-27T01:30:00.000Z');
  });

  it('rejects unknown zones', () => {
    expect(() => parseSchedule('* * * * *', 'Mars/Olympus')).toThrow('unknown time zone Mars/Olympus');
    expect(parseSchedule('* * * * *', 'UTC')).toMatchObject({ kind: 'fields', timeZone: undefined });
  });

  it('formats the scheduled-timestamp annotation as Go RFC3339 in the zone', () => {
    expect(formatRFC3339(new Date('2025-06-01T06:00:00Z'), 'Europe/Berlin')).toBe('2025-06-01T08:00:00+02:00');
    expect(formatRFC3339(new Date('2025-06-01T06:00:00Z'), 'America/New_York')).toBe('2025-06-01T02:00:00-04:00');
    expect(formatRFC3339(new Date('2025-06-01T06:00:00Z'), undefined)).toBe('2025-06-01T06:00:00Z');
  });
});
