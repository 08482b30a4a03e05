import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from './cronSchedule.ts';

describe('parseCronSchedule', () => {
  it('expands ranges, steps, lists and names', () => {
    const r = parseCronSchedule('*/15 2-4 1,15 jan-mar mon-fri');
    expect(r).toEqual({
      ok: true,
      fields: {
        minute: [0, 15, 30, 45], hour: [2, 3, 4], dayOfMonth: [1, 15], month: [1, 2, 3], dayOfWeek: [1, 2, 3, 4, 5],
        dayOfMonthStar: false, dayOfWeekStar: false,
      },
    });
  });

  it('marks starred day fields, which change how days combine', () => {
    const r = parseCronSchedule('0 0 * * 0');
    expect(r.ok && 'fields' in r && [r.fields.dayOfMonthStar, r.fields.dayOfWeekStar]).toEqual([true, false]);
  });

  it('reads "N/step" as from N to the maximum', () => {
    const r = parseCronSchedule('50/5 * * * *');
    expect(r.ok && 'fields' in r && r.fields.minute).toEqual([50, 55]);
  });

  it.each([['@hourly'], ['@daily'], ['@weekly'], ['@monthly'], ['@yearly'], ['TZ=UTC 0 * * * *']])('accepts %s', (s) => {
    expect(parseCronSchedule(s).ok).toBe(true);
  });

  it('reads @every durations in seconds', () => {
    expect(parseCronSchedule('@every 1h30m')).toEqual({ ok: true, everySeconds: 5400 });
  });

  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['@reboot', 'unrecognized descriptor: @reboot'],
    ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
  ])('rejects %j with robfig/cron\'s words', (s, error) => {
    expect(parseCronSchedule(s)).toEqual({ ok: false, error });
  });
});
