import { ValidationError } from '../../errors.js';
import { canonicalZone, compareDates, isRealDate, type LocalDate, WEEKDAY_NAMES } from './local-time.js';

/**
 * Parses and validates an office-hours option map in GMS option names (docs/office-hours.md has
 * the grammar). The result is a plain description the engine evaluates; nothing here knows about
 * instants or the database.
 */

export type OptionMap = Readonly<Record<string, string>>;

/** Minutes after local midnight; `to` is in `(from, from + 1440]`, so past 1440 means "next day". */
export interface TimeRange {
  from: number;
  to: number;
}

export interface RegularHours {
  option: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  range: TimeRange;
}

/** A one-off (`year` set) or yearly (`year` null) date, with a period or the whole day (`range` null). */
export interface DatedPeriod {
  option: string;
  year: number | null;
  month: number;
  day: number;
  range: TimeRange | null;
}

export interface EffectiveDates {
  option: string;
  from: LocalDate;
  to: LocalDate;
}

export interface OfficeHoursSpec {
  timezone: string;
  regular: RegularHours[];
  additional: DatedPeriod[];
  holidays: DatedPeriod[];
  effective: EffectiveDates[];
}

export const DEFAULT_TIMEZONE = 'UTC';
const MAX_VALUE_LENGTH = 256;
const MAX_RULES = 500;

/** Option families, each `<prefix><n>`; `n` is optional so `_holiday` alone is accepted too. */
const FAMILIES = [
  { prefix: '_bh_regular', kind: 'regular' },
  { prefix: '_bh_add', kind: 'additional' },
  { prefix: '_holiday', kind: 'holiday' },
  { prefix: '_effective_dates', kind: 'effective' },
] as const;
type Family = (typeof FAMILIES)[number]['kind'];

export const OFFICE_HOURS_GRAMMAR = {
  _timezone: 'an IANA time-zone id such as Europe/Paris or America/New_York',
  _bh_regular: "'DDD[-DDD] HH:mm-HH:mm', e.g. 'Mon-Fri 09:00-17:00', 'Sat-Mon 19:00-07:00'",
  _bh_add: "'YYYY-MM-DD HH:mm-HH:mm' (one-off) or 'MM-DD HH:mm-HH:mm' (every year)",
  _holiday: "'YYYY-MM-DD' or 'MM-DD' (whole day), optionally followed by ' HH:mm-HH:mm'",
  _effective_dates: "'YYYY-MM-DD' or 'YYYY-MM-DD to YYYY-MM-DD'",
} as const;

export function invalidOption(
  option: string,
  value: string,
  reason: string,
  expected?: string,
): ValidationError {
  const hint = expected ? ` (expected ${expected})` : '';
  return new ValidationError(
    'office_hours/invalid_option',
    `Invalid value '${value}' for option ${option}: ${reason}${hint}`,
    option,
  );
}

function familyOf(option: string): Family | 'unknown' | null {
  for (const f of FAMILIES) {
    if (option.startsWith(f.prefix) && /^\d*$/.test(option.slice(f.prefix.length))) return f.kind;
  }
  // Typos in this module's own prefixes must not be ignored silently: the hours would be wrong.
  if (option.startsWith('_bh_') || option.startsWith('_holiday') || option.startsWith('_effective_date'))
    return 'unknown';
  if (option.startsWith('_use_alternative')) return 'unknown';
  return null;
}

/** Sort `_bh_regular2` before `_bh_regular10`, so messages and exports read in order. */
export function compareOptionNames(a: string, b: string): number {
  const ma = /^(.*?)(\d*)$/.exec(a);
  const mb = /^(.*?)(\d*)$/.exec(b);
  const pa = ma?.[1] ?? a;
  const pb = mb?.[1] ?? b;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return Number(ma?.[2] || 0) - Number(mb?.[2] || 0);
}

export function parseTimezone(value: string | undefined, option = '_timezone'): string {
  if (value === undefined) return DEFAULT_TIMEZONE;
  const trimmed = value.trim();
  // GMS refuses Java's three-letter ids (EST, PST, …): ambiguous and without DST rules.
  if (/^[A-Za-z]{3}$/.test(trimmed) && !/^(utc|gmt)$/i.test(trimmed))
    throw invalidOption(
      option,
      value,
      'three-letter zone ids are ambiguous; use an Olson id',
      OFFICE_HOURS_GRAMMAR._timezone,
    );
  const zone = trimmed ? canonicalZone(trimmed) : null;
  if (!zone) throw invalidOption(option, value, 'unknown time zone', OFFICE_HOURS_GRAMMAR._timezone);
  return zone;
}

const DAY_INDEX = new Map(WEEKDAY_NAMES.map((name, i) => [name.toLowerCase(), i + 1]));
const TIME = String.raw`(\d{1,2}):(\d{2})`;
const RANGE = String.raw`${TIME}\s*-\s*${TIME}`;
const DATE = String.raw`(?:(\d{4})-)?(\d{1,2})-(\d{1,2})`;

const REGULAR_RE = new RegExp(String.raw`^([A-Za-z]+)(?:\s*-\s*([A-Za-z]+))?\s+${RANGE}$`);
const ADD_RE = new RegExp(String.raw`^${DATE}\s+${RANGE}$`);
const HOLIDAY_RE = new RegExp(String.raw`^${DATE}(?:\s+${RANGE})?$`);
const EFFECTIVE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+to\s+(\d{4})-(\d{1,2})-(\d{1,2}))?$/i;

interface Ctx {
  option: string;
  value: string;
  expected: string;
}

const fail = (ctx: Ctx, reason: string) => invalidOption(ctx.option, ctx.value, reason, ctx.expected);

function parseDay(ctx: Ctx, name: string): number {
  const day = DAY_INDEX.get(name.toLowerCase());
  if (day === undefined) throw fail(ctx, `unknown day '${name}'`);
  return day;
}

function parseRange(ctx: Ctx, h1: string, m1: string, h2: string, m2: string): TimeRange {
  const from = Number(h1) * 60 + Number(m1);
  const to = Number(h2) * 60 + Number(m2);
  if (Number(h1) > 23 || Number(m1) > 59) throw fail(ctx, `start time ${h1}:${m1} does not exist`);
  if (Number(m2) > 59 || to > 1440) throw fail(ctx, `end time ${h2}:${m2} does not exist`);
  if (from === to || (from === 0 && to === 0))
    throw fail(ctx, 'start and end are equal; use 00:00-24:00 for a whole day');
  // An end at or before the start wraps midnight: the period ends on the next day.
  return { from, to: to > from ? to : to + 1440 };
}

function parseDated(ctx: Ctx, y: string | undefined, mo: string, d: string) {
  const year = y === undefined ? null : Number(y);
  const month = Number(mo);
  const day = Number(d);
  // A yearly date is checked against a leap year, so 02-29 is allowed (and applies in leap years).
  if (!isRealDate(year ?? 2000, month, day))
    throw fail(ctx, `date ${y ? `${y}-` : ''}${mo}-${d} does not exist`);
  return { year, month, day };
}

/** Capture group `i` of a match whose pattern guarantees it took part. */
const group = (m: RegExpExecArray, i: number): string => m[i] ?? '';

function rangeFrom(ctx: Ctx, m: RegExpExecArray, first: number): TimeRange {
  return parseRange(ctx, group(m, first), group(m, first + 1), group(m, first + 2), group(m, first + 3));
}

function parseRegular(ctx: Ctx): RegularHours {
  const m = REGULAR_RE.exec(ctx.value.trim());
  if (!m) throw fail(ctx, 'not a weekly period');
  const first = parseDay(ctx, group(m, 1));
  const last = m[2] === undefined ? first : parseDay(ctx, m[2]);
  const weekdays: number[] = [];
  // Day ranges wrap the end of the week: Sat-Mon is Saturday, Sunday, Monday.
  for (let day = first; ; day = (day % 7) + 1) {
    weekdays.push(day);
    if (day === last) break;
  }
  return { option: ctx.option, weekdays, range: rangeFrom(ctx, m, 3) };
}

function parseAdditional(ctx: Ctx): DatedPeriod {
  const m = ADD_RE.exec(ctx.value.trim());
  if (!m) throw fail(ctx, 'not a dated period');
  return {
    option: ctx.option,
    ...parseDated(ctx, m[1], group(m, 2), group(m, 3)),
    range: rangeFrom(ctx, m, 4),
  };
}

function parseHoliday(ctx: Ctx): DatedPeriod {
  const m = HOLIDAY_RE.exec(ctx.value.trim());
  if (!m) throw fail(ctx, 'not a date or dated period');
  const range = m[4] === undefined ? null : rangeFrom(ctx, m, 4);
  return { option: ctx.option, ...parseDated(ctx, m[1], group(m, 2), group(m, 3)), range };
}

function parseEffective(ctx: Ctx): EffectiveDates {
  const m = EFFECTIVE_RE.exec(ctx.value.trim());
  if (!m) throw fail(ctx, 'not a date or date range');
  const from = toLocalDate(parseDated(ctx, m[1], group(m, 2), group(m, 3)));
  const to = m[4] === undefined ? from : toLocalDate(parseDated(ctx, m[4], group(m, 5), group(m, 6)));
  if (compareDates(to, from) < 0) throw fail(ctx, 'the range ends before it starts');
  return { option: ctx.option, from, to };
}

const toLocalDate = (d: { year: number | null; month: number; day: number }): LocalDate => ({
  year: d.year ?? 0,
  month: d.month,
  day: d.day,
});

/**
 * Validates and parses an option map. Options outside this module's families (`_type`, `_ttl`,
 * `_service`, …) are ignored; empty values mean "not set" (the template's defaults are empty).
 * Throws ValidationError naming the first bad option and its value.
 */
export function parseOfficeHours(options: OptionMap): OfficeHoursSpec {
  const spec: OfficeHoursSpec = {
    timezone: parseTimezone(options._timezone),
    regular: [],
    additional: [],
    holidays: [],
    effective: [],
  };
  const names = Object.keys(options).sort(compareOptionNames);
  let rules = 0;
  for (const option of names) {
    const family = familyOf(option);
    if (family === null) continue;
    const value = options[option] ?? '';
    if (family === 'unknown')
      throw new ValidationError(
        'office_hours/unknown_option',
        `Unknown office-hours option ${option}: use _bh_regular<n>, _bh_add<n>, _holiday<n> or _effective_dates<n>`,
        option,
      );
    if (typeof value !== 'string') throw invalidOption(option, String(value), 'must be a string');
    if (value.trim() === '') continue;
    if (value.length > MAX_VALUE_LENGTH)
      throw invalidOption(option, `${value.slice(0, 40)}…`, `longer than ${MAX_VALUE_LENGTH} characters`);
    if (++rules > MAX_RULES)
      throw new ValidationError(
        'office_hours/too_many_options',
        `More than ${MAX_RULES} office-hours entries`,
        option,
      );
    switch (family) {
      case 'regular':
        spec.regular.push(parseRegular({ option, value, expected: OFFICE_HOURS_GRAMMAR._bh_regular }));
        break;
      case 'additional':
        spec.additional.push(parseAdditional({ option, value, expected: OFFICE_HOURS_GRAMMAR._bh_add }));
        break;
      case 'holiday':
        spec.holidays.push(parseHoliday({ option, value, expected: OFFICE_HOURS_GRAMMAR._holiday }));
        break;
      case 'effective':
        spec.effective.push(
          parseEffective({ option, value, expected: OFFICE_HOURS_GRAMMAR._effective_dates }),
        );
        break;
    }
  }
  return spec;
}
