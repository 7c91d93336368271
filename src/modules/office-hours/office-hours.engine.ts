import { ValidationError } from '../../errors.js';
import {
  addDays,
  compareDates,
  contains,
  DAY_MS,
  daysBetween,
  formatDate,
  type Interval,
  intersect,
  iso,
  isoWeekday,
  type LocalDate,
  subtract,
  union,
  WEEKDAY_NAMES,
  type WeekdayName,
  Zone,
} from './local-time.js';
import {
  type DatedPeriod,
  type OfficeHoursSpec,
  type OptionMap,
  parseOfficeHours,
} from './office-hours.options.js';

/**
 * Evaluates an office-hours spec. Precedence, most specific last (docs/office-hours.md):
 * regular weekly hours, + yearly additional hours, − yearly holidays, + one-off additional hours,
 * − one-off holidays, then ∩ effective dates when any are configured.
 *
 * A local period `a-b` on a date maps to the UTC interval from the first instant the local clock
 * shows `a` to the last instant it shows `b`; a wall time skipped by a spring-forward jump
 * resolves to the instant of the jump.
 */

export const MAX_CALENDAR_DAYS = 366;
/** How far status() looks for the next opening or closing before answering "never". */
const STATUS_HORIZON_DAYS = 400;
const STATUS_CHUNK_DAYS = 14;

export interface OpenPeriod {
  /** UTC ISO-8601 instants. */
  start: string;
  end: string;
  /** The same instants in the schedule's zone, with offset (`2025-03-30T09:00:00.000+02:00`). */
  localStart: string;
  localEnd: string;
}

export interface CalendarDay {
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  weekday: WeekdayName;
  /** The day's open periods, cut at local midnight; empty when closed all day. */
  periods: OpenPeriod[];
}

export interface OfficeHoursCalendar {
  timezone: string;
  days: CalendarDay[];
}

/** Either an explicit end or a number of days; neither means "the day of `start` only". */
export interface CalendarRange {
  start: Date;
  end?: Date | null;
  days?: number | null;
}

export interface OpenStatus {
  open: boolean;
  at: Date;
  timezone: string;
  /** When open: the end of the current open stretch (null if none within ~400 days). */
  closesAt: Date | null;
  /** When closed: the next opening (null if none within ~400 days); when open, `at`. */
  opensAt: Date | null;
}

export class OfficeHoursSchedule {
  readonly zone: Zone;
  constructor(readonly spec: OfficeHoursSpec) {
    this.zone = new Zone(spec.timezone);
  }

  static fromOptions(options: OptionMap): OfficeHoursSchedule {
    return new OfficeHoursSchedule(parseOfficeHours(options));
  }

  get timezone(): string {
    return this.spec.timezone;
  }

  /** Open intervals covering local dates `from`..`to` (inclusive), clipped to those days. */
  openIntervalsForDates(from: LocalDate, to: LocalDate): Interval[] {
    const window: Interval = { start: this.zone.startOfDay(from), end: this.zone.startOfDay(addDays(to, 1)) };
    const regular: Interval[] = [];
    const yearlyAdd: Interval[] = [];
    const yearlyClosed: Interval[] = [];
    const onceAdd: Interval[] = [];
    const onceClosed: Interval[] = [];
    // Start a day early: a period that wraps midnight belongs to the date it starts on.
    for (let d = addDays(from, -1); compareDates(d, to) <= 0; d = addDays(d, 1)) {
      const weekday = isoWeekday(d);
      for (const r of this.spec.regular) {
        if (r.weekdays.includes(weekday)) regular.push(this.period(d, r.range.from, r.range.to));
      }
      for (const p of this.spec.additional) {
        if (matches(p, d)) (p.year === null ? yearlyAdd : onceAdd).push(this.datedInterval(p, d));
      }
      for (const p of this.spec.holidays) {
        if (matches(p, d)) (p.year === null ? yearlyClosed : onceClosed).push(this.datedInterval(p, d));
      }
    }
    let open = union(regular, yearlyAdd);
    open = subtract(open, yearlyClosed);
    open = union(open, onceAdd);
    open = subtract(open, onceClosed);
    if (this.spec.effective.length > 0) {
      const effective = this.spec.effective.map((e) => ({
        start: this.zone.startOfDay(e.from),
        end: this.zone.startOfDay(addDays(e.to, 1)),
      }));
      open = intersect(open, effective);
    }
    return intersect(open, [window]);
  }

  /** Open intervals overlapping `[startMs, endMs)`, clipped to it. */
  openIntervalsBetween(startMs: number, endMs: number): Interval[] {
    if (endMs <= startMs) return [];
    const from = this.zone.localDateOf(startMs);
    const to = this.zone.localDateOf(endMs - 1);
    return intersect(this.openIntervalsForDates(from, to), [{ start: startMs, end: endMs }]);
  }

  isOpen(at: Date): boolean {
    const ms = at.getTime();
    return contains(this.openIntervalsBetween(ms, ms + 1), ms) !== undefined;
  }

  status(at: Date): OpenStatus {
    const ms = at.getTime();
    const horizon = ms + STATUS_HORIZON_DAYS * DAY_MS;
    const open = this.isOpen(at);
    let cursor = ms;
    let result: Date | null = null;
    // Walk forward chunk by chunk; an open stretch may continue across chunk boundaries.
    while (cursor < horizon && result === null) {
      const end = Math.min(cursor + STATUS_CHUNK_DAYS * DAY_MS, horizon);
      const intervals = this.openIntervalsBetween(cursor, end);
      if (open) {
        const first = intervals[0];
        if (!first || first.start > cursor) result = new Date(cursor);
        else if (first.end < end) result = new Date(first.end);
      } else if (intervals[0]) {
        result = new Date(intervals[0].start);
      }
      cursor = end;
    }
    return {
      open,
      at,
      timezone: this.timezone,
      closesAt: open ? result : null,
      opensAt: open ? at : result,
    };
  }

  /** The first open instant at or after `at`, or null if none within ~400 days. */
  nextOpenTime(at: Date): Date | null {
    return this.status(at).opensAt;
  }

  calendar(range: CalendarRange): OfficeHoursCalendar {
    const { from, to } = this.dateSpan(range);
    const open = this.openIntervalsForDates(from, to);
    const days: CalendarDay[] = [];
    for (let d = from; compareDates(d, to) <= 0; d = addDays(d, 1)) {
      const day = { start: this.zone.startOfDay(d), end: this.zone.startOfDay(addDays(d, 1)) };
      days.push({
        date: formatDate(d),
        weekday: WEEKDAY_NAMES[isoWeekday(d) - 1] as WeekdayName,
        periods: intersect(open, [day]).map((i) => this.describe(i)),
      });
    }
    return { timezone: this.timezone, days };
  }

  /** The local dates a range covers; refuses ranges longer than MAX_CALENDAR_DAYS. */
  dateSpan(range: CalendarRange): { from: LocalDate; to: LocalDate } {
    const from = this.zone.localDateOf(range.start.getTime());
    let to = from;
    if (range.end) {
      if (range.end.getTime() < range.start.getTime())
        throw new ValidationError('office_hours/invalid_range', 'end is before start', 'end');
      to = this.zone.localDateOf(range.end.getTime());
    } else if (range.days !== undefined && range.days !== null) {
      if (!Number.isInteger(range.days) || range.days < 1)
        throw new ValidationError(
          'office_hours/invalid_range',
          'number of days must be a positive integer',
          'days',
        );
      to = addDays(from, range.days - 1);
    }
    if (daysBetween(from, to) + 1 > MAX_CALENDAR_DAYS)
      throw new ValidationError(
        'office_hours/range_too_long',
        `A calendar covers at most ${MAX_CALENDAR_DAYS} days`,
        range.end ? 'end' : 'days',
      );
    return { from, to };
  }

  describe(i: Interval): OpenPeriod {
    return {
      start: iso(i.start),
      end: iso(i.end),
      localStart: this.zone.formatLocal(i.start),
      localEnd: this.zone.formatLocal(i.end),
    };
  }

  private period(d: LocalDate, from: number, to: number): Interval {
    return { start: this.zone.resolve(d, from, 'earliest'), end: this.zone.resolve(d, to, 'latest') };
  }

  private datedInterval(p: DatedPeriod, d: LocalDate): Interval {
    if (p.range) return this.period(d, p.range.from, p.range.to);
    return { start: this.zone.startOfDay(d), end: this.zone.startOfDay(addDays(d, 1)) };
  }
}

function matches(p: DatedPeriod, d: LocalDate): boolean {
  return p.month === d.month && p.day === d.day && (p.year === null || p.year === d.year);
}

/** Validates an office-hours option map; throws ValidationError naming the option and its value. */
export function validateOfficeHours(options: OptionMap): OfficeHoursSpec {
  return parseOfficeHours(options);
}

export function officeHoursCalendar(options: OptionMap, range: CalendarRange): OfficeHoursCalendar {
  return OfficeHoursSchedule.fromOptions(options).calendar(range);
}

export function isOfficeOpen(options: OptionMap, at: Date): boolean {
  return OfficeHoursSchedule.fromOptions(options).isOpen(at);
}

export function officeHoursStatus(options: OptionMap, at: Date): OpenStatus {
  return OfficeHoursSchedule.fromOptions(options).status(at);
}
