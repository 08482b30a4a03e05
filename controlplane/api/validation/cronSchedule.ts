// Standard five-field cron schedules as CronJobs accept them. Upstream parses with
// github.com/robfig/cron/v3 (ParseStandard); this follows its grammar and error texts, because
// those texts reach the user verbatim: `spec.schedule: Invalid value: "* * *": expected exactly 5
// fields, found 3: [* * *]`. The parsed form lists the allowed values of every field, so the
// CronJob controller can compute the next run from it.

export interface CronFields {
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
  // robfig: when either day field is a star, a day must match both; otherwise either.
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

export type CronParse = { ok: true; fields: CronFields } | { ok: true; everySeconds: number } | { ok: false; error: string };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) };
const DAYS_OF_WEEK: Bounds = { min: 0, max: 6, names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i])) };

// The descriptors robfig accepts, written as the five fields they stand for.
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

class CronError extends Error {}

export function parseCronSchedule(spec: string): CronParse {
  try {
    return parse(spec);
  } catch (e) {
    if (e instanceof CronError) return { ok: false, error: e.message };
    throw e;
  }
}

function parse(input: string): CronParse {
  let spec = input;
  if (spec.length === 0) throw new CronError('empty spec string');
  const tz = /^(?:CRON_)?TZ=\S*\s*/.exec(spec);
  if (tz) spec = spec.slice(tz[0].length);
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) return { ok: true, everySeconds: parseGoDuration(spec.slice('@every '.length)) };
    const fields = DESCRIPTORS[spec];
    if (!fields) throw new CronError(`unrecognized descriptor: ${spec}`);
    spec = fields;
  }
  const fields = spec.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const minute = getField(fields[0], MINUTES);
  const hour = getField(fields[1], HOURS);
  const dayOfMonth = getField(fields[2], DAYS_OF_MONTH);
  const month = getField(fields[3], MONTHS);
  const dayOfWeek = getField(fields[4], DAYS_OF_WEEK);
  return {
    ok: true,
    fields: {
      minute: minute.values,
      hour: hour.values,
      dayOfMonth: dayOfMonth.values,
      month: month.values,
      dayOfWeek: dayOfWeek.values,
      dayOfMonthStar: dayOfMonth.star,
      dayOfWeekStar: dayOfWeek.star,
    },
  };
}

function getField(field: string, b: Bounds): { values: number[]; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((x) => x.length > 0)) {
    const r = getRange(expr, b);
    star ||= r.star;
    for (let v = r.start; v <= r.end; v += r.step) set.add(v);
  }
  return { values: [...set].sort((x, y) => x - y), star };
}

function getRange(expr: string, b: Bounds): { start: number; end: number; step: number; star: boolean } {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let step = 1;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b.names);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    // "N/step" means "from N to the maximum, every step".
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  return { start, end, step, star };
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : mustParseInt(expr);
}

/** strconv.Atoi plus robfig's "no negatives" rule, with Go's error texts. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (!Number.isSafeInteger(n)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** time.ParseDuration, for "@every 1h30m"; returns seconds. */
function parseGoDuration(text: string): number {
  const fail = (why: string) => new CronError(`failed to parse duration @every ${text}: ${why}`);
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)([a-zµ]*)/gy;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m[0].length === 0) throw fail(`time: invalid duration ${JSON.stringify(text)}`);
    if (!m[2]) throw fail(`time: missing unit in duration ${JSON.stringify(text)}`);
    const unit = DURATION_UNITS[m[2]];
    if (unit === undefined) throw fail(`time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * unit;
    pos = re.lastIndex;
  }
  if (text.length === 0) throw fail('time: invalid duration ""');
  return total;
}
