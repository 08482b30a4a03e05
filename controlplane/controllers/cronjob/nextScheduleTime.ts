// When does a cron schedule fire next? Upstream asks robfig/cron/v3 (SpecSchedule.Next and
// ConstantDelaySchedule.Next); this walks the same fields the API's parser produced
// (controlplane/api/validation/cronSchedule.ts), in the wall-clock time of the schedule's zone.
//
// The search runs on wall-clock time (calendar fields, no zone), skipping whole months, days and
// hours that cannot match, then turns the wall time back into an instant of the zone:
// - a wall time that does not exist (the hour skipped when clocks spring forward) is skipped, as
//   robfig's hour stepping in absolute time skips it;
// - a wall time that exists twice (clocks falling back) fires once, at its first occurrence.
import { parseCronSchedule, type CronFields } from '../../api/validation/cronSchedule.ts';

/** robfig gives up after five years without a match ("0 0 30 2 *" never fires). */
const SEARCH_YEARS = 5;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export type ParsedSchedule = { kind: 'fields'; fields: CronFields; timeZone?: string } | { kind: 'every'; seconds: number };

/**
 * Parses a CronJob schedule with its spec.timeZone (upstream formatSchedule + cron.ParseStandard):
 * a "TZ=" or "CRON_TZ=" prefix inside the schedule wins over timeZone. Throws with the parser's
 * message, or "unknown time zone X" for a zone the runtime does not know.
 */
export function parseSchedule(schedule: string, timeZone?: string): ParsedSchedule {
  const parsed = parseCronSchedule(schedule);
  if (!parsed.ok) throw new Error(parsed.error);
  if ('everySeconds' in parsed) {
    // robfig's Every: below one second becomes one second; fractions of a second are dropped.
    return { kind: 'every', seconds: Math.max(1, Math.floor(parsed.everySeconds)) };
  }
  const inline = /^(?:CRON_)?TZ=(\S*)/.exec(schedule)?.[1];
  const zone = inline ?? timeZone;
  const tz = zone === undefined || zone === '' || zone === 'UTC' ? undefined : zone;
  if (tz !== undefined && !isValidTimeZone(tz)) throw new Error(`unknown time zone ${tz}`);
  return { kind: 'fields', fields: parsed.fields, timeZone: tz };
}

export function isValidTimeZone(tz: string): boolean {
  if (tz === '' || tz === 'UTC') return true;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first time the schedule fires strictly after `after`, or undefined when it never does
 * within five years. `schedule` is a schedule string (with the optional spec.timeZone) or an
 * already parsed one.
 */
export function nextScheduleTime(schedule: string | ParsedSchedule, after: Date, timeZone?: string): Date | undefined {
  const s = typeof schedule === 'string' ? parseSchedule(schedule, timeZone) : schedule;
  const afterMs = after.getTime();
  if (s.kind === 'every') return new Date(Math.floor(afterMs / 1000) * 1000 + s.seconds * 1000);
  const tz = s.timeZone;
  const startWall = Math.floor(wallOf(afterMs, tz) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const yearLimit = new Date(startWall).getUTCFullYear() + SEARCH_YEARS;
  for (let from = startWall; ; ) {
    const wall = nextMatchingWall(s.fields, from, yearLimit);
    if (wall === undefined) return undefined;
    const instant = instantsOfWall(wall, tz).find((t) => t > afterMs);
    if (instant !== undefined) return new Date(instant);
    from = wall + MINUTE_MS;
  }
}

function dayMatches(f: CronFields, d: Date): boolean {
  const dom = f.dayOfMonth.includes(d.getUTCDate());
  const dow = f.dayOfWeek.includes(d.getUTCDay());
  // robfig dayMatches: with a star in either day field both must match, otherwise either.
  return f.dayOfMonthStar || f.dayOfWeekStar ? dom && dow : dom || dow;
}

/** The first wall-clock minute at or after `from` (wall ms: calendar fields read as UTC) that matches. */
export function nextMatchingWall(f: CronFields, from: number, yearLimit: number): number | undefined {
  let t = from;
  for (;;) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth();
    if (y > yearLimit) return undefined;
    if (!f.month.includes(mo + 1)) {
      t = Date.UTC(y, mo + 1, 1);
      continue;
    }
    if (!dayMatches(f, d)) {
      t = Date.UTC(y, mo, d.getUTCDate() + 1);
      continue;
    }
    if (!f.hour.includes(d.getUTCHours())) {
      t = Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!f.minute.includes(d.getUTCMinutes())) {
      t += MINUTE_MS;
      continue;
    }
    return t;
  }
}

// ---- wall-clock time of a zone, through Intl ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock time of an instant in a zone, as ms whose UTC fields are the local fields. */
export function wallOf(instantMs: number, tz: string | undefined): number {
  if (tz === undefined) return instantMs;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(instantMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall + (instantMs - Math.floor(instantMs / 1000) * 1000);
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function offsetAt(instantMs: number, tz: string | undefined): number {
  return wallOf(instantMs, tz) - instantMs;
}

/** Every instant whose wall time in the zone is `wall`: none in a spring-forward gap, two in a fall-back overlap. */
export function instantsOfWall(wall: number, tz: string | undefined): number[] {
  if (tz === undefined) return [wall];
  // At most one transition within a day either side: the offsets before and after it are the candidates.
  const candidates = new Set([wall - offsetAt(wall - DAY_MS, tz), wall - offsetAt(wall + DAY_MS, tz)]);
  return [...candidates].filter((t) => wallOf(t, tz) === wall).sort((a, b) => a - b);
}

/** Go's time.RFC3339 of an instant in a zone: "2025-03-30T01:00:00+01:00", or "...Z" at offset zero. */
export function formatRFC3339(instant: Date, tz: string | undefined): string {
  const ms = Math.floor(instant.getTime() / 1000) * 1000;
  const offsetMin = Math.round(offsetAt(ms, tz) / MINUTE_MS);
  const wall = new Date(ms + offsetMin * MINUTE_MS).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
