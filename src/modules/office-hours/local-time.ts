import { IANAZone } from 'luxon';

/**
 * Wall-clock arithmetic in an IANA zone, and sets of UTC intervals. Everything here is pure.
 *
 * A local date is a civil date (no zone); a local time on it is "minutes since that date's
 * midnight" and may exceed 1440 (a period that wraps midnight ends on the next date).
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** A civil date; `month` 1-12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Half-open UTC interval `[start, end)` in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

const naiveMidnight = (d: LocalDate): number => Date.UTC(d.year, d.month - 1, d.day);

export function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(naiveMidnight(d) + days * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function isoWeekday(d: LocalDate): number {
  const js = new Date(naiveMidnight(d)).getUTCDay();
  return js === 0 ? 7 : js;
}

export const compareDates = (a: LocalDate, b: LocalDate): number => naiveMidnight(a) - naiveMidnight(b);

export const daysBetween = (from: LocalDate, to: LocalDate): number =>
  Math.round((naiveMidnight(to) - naiveMidnight(from)) / DAY_MS);

export const formatDate = (d: LocalDate): string =>
  `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const canonicalZones = new Map<string, string | null>();

/** The zone's canonical id (`europe/paris` → `Europe/Paris`), or null when it is not an IANA zone. */
export function canonicalZone(name: string): string | null {
  const cached = canonicalZones.get(name);
  if (cached !== undefined) return cached;
  let canonical: string | null = null;
  if (IANAZone.isValidZone(name)) {
    try {
      // Building an Intl formatter costs ~0.1 ms: worth remembering (bounded, ids are few).
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      canonical = null;
    }
  }
  if (canonicalZones.size < 1000) canonicalZones.set(name, canonical);
  return canonical;
}

/**
 * Offsets of one zone, one table per UTC year: the offset at the year's start and every
 * transition in it. Intl answers an offset in tens of microseconds; calendars and slot lists ask
 * thousands of times, so each year is sampled once (every 6 hours, transitions pinned to the
 * millisecond by bisection) and then read by binary search. Transitions closer together than
 * 6 hours would be missed; tzdb has none since 1970.
 */
class OffsetTable {
  private readonly years = new Map<number, { at: number[]; offset: number[] }>();
  constructor(private readonly zone: IANAZone) {}

  offset(ms: number): number {
    const year = new Date(ms).getUTCFullYear();
    let table = this.years.get(year);
    if (!table) {
      table = this.build(year);
      if (this.years.size >= 200) this.years.clear();
      this.years.set(year, table);
    }
    let lo = 0;
    let hi = table.at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((table.at[mid] as number) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return table.offset[lo] as number;
  }

  private build(year: number): { at: number[]; offset: number[] } {
    const start = Date.UTC(year, 0, 1);
    const end = Date.UTC(year + 1, 0, 1);
    const at = [start];
    const offset = [this.zone.offset(start)];
    const step = 6 * 3_600_000;
    for (let t = start + step; t < end + step; t += step) {
      const probe = Math.min(t, end - 1);
      const o = this.zone.offset(probe);
      if (o === offset[offset.length - 1]) continue;
      let lo = probe - step; // old offset here
      let hi = probe; // new offset here
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.zone.offset(mid) === o) hi = mid;
        else lo = mid;
      }
      at.push(hi);
      offset.push(o);
    }
    return { at, offset };
  }
}

const offsetTables = new Map<string, OffsetTable>();

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export class Zone {
  private readonly table: OffsetTable;
  constructor(readonly name: string) {
    const zone = IANAZone.create(name);
    if (!zone.isValid) throw new Error(`Unknown time zone ${name}`);
    let table = offsetTables.get(name);
    if (!table) {
      table = new OffsetTable(zone);
      if (offsetTables.size < 1000) offsetTables.set(name, table);
    }
    this.table = table;
  }

  /** UTC offset in minutes at an instant. */
  offset(ms: number): number {
    return this.table.offset(ms);
  }

  /** The local wall clock at an instant, as a UTC-based Date (read it with getUTC*). */
  private wall(ms: number): Date {
    return new Date(ms + this.offset(ms) * MINUTE_MS);
  }

  localDateOf(ms: number): LocalDate {
    const w = this.wall(ms);
    return { year: w.getUTCFullYear(), month: w.getUTCMonth() + 1, day: w.getUTCDate() };
  }

  /** Minutes since local midnight at an instant (0-1439). */
  minutesOfDay(ms: number): number {
    const w = this.wall(ms);
    return w.getUTCHours() * 60 + w.getUTCMinutes();
  }

  /**
   * The instant(s) when the local clock shows `minutes` after midnight of `date`: none in a
   * spring-forward gap, two in a fall-back overlap, otherwise one.
   */
  instantsAt(date: LocalDate, minutes: number): number[] {
    const naive = naiveMidnight(date) + minutes * MINUTE_MS;
    // Offsets in force around that wall time (assumes at most one transition within a day each side).
    const candidates = new Set([
      this.offset(naive - DAY_MS),
      this.offset(naive),
      this.offset(naive + DAY_MS),
    ]);
    const found: number[] = [];
    for (const offset of candidates) {
      const t = naive - offset * MINUTE_MS;
      if (this.offset(t) === offset && !found.includes(t)) found.push(t);
    }
    return found.sort((a, b) => a - b);
  }

  /**
   * One instant for a wall time: in an overlap the first (`earliest`) or last (`latest`) time the
   * clock shows it; in a gap the moment the gap ends (the clock jumps past it, so that is when
   * the wall time is first reached or passed).
   */
  resolve(date: LocalDate, minutes: number, pick: 'earliest' | 'latest'): number {
    const found = this.instantsAt(date, minutes);
    if (found.length > 0) return (pick === 'earliest' ? found[0] : found[found.length - 1]) as number;
    return this.gapEnd(naiveMidnight(date) + minutes * MINUTE_MS);
  }

  /** The transition instant that skipped the wall time `naive` (binary search; gaps are rare). */
  private gapEnd(naive: number): number {
    const before = this.offset(naive - DAY_MS);
    const after = this.offset(naive + DAY_MS);
    // Read with the later offset the instant falls before the jump, with the earlier one after it.
    let lo = naive - Math.max(before, after) * MINUTE_MS;
    let hi = naive - Math.min(before, after) * MINUTE_MS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** First instant of a local date. */
  startOfDay(date: LocalDate): number {
    return this.resolve(date, 0, 'earliest');
  }

  /** Local wall time without offset, `2025-03-30T03:00:00.000` (the Capacity API's form). */
  formatLocalNoOffset(ms: number): string {
    const w = this.wall(ms);
    return (
      `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}` +
      `T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}.${pad(w.getUTCMilliseconds(), 3)}`
    );
  }

  /** `2025-03-30T03:00:00.000+02:00` */
  formatLocal(ms: number): string {
    const offset = this.offset(ms);
    const abs = Math.abs(offset);
    return `${this.formatLocalNoOffset(ms)}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

// ---- interval sets: sorted, disjoint, non-empty half-open intervals ----

export function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

export const union = (a: readonly Interval[], b: readonly Interval[]): Interval[] => normalize([...a, ...b]);

export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const cut = normalize(b);
  const out: Interval[] = [];
  for (const i of normalize(a)) {
    let start = i.start;
    for (const c of cut) {
      if (c.end <= start) continue;
      if (c.start >= i.end) break;
      if (c.start > start) out.push({ start, end: c.start });
      start = Math.max(start, c.end);
      if (start >= i.end) break;
    }
    if (start < i.end) out.push({ start, end: i.end });
  }
  return out;
}

export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = normalize(a);
  const y = normalize(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i] as Interval;
    const q = y[j] as Interval;
    const start = Math.max(p.start, q.start);
    const end = Math.min(p.end, q.end);
    if (end > start) out.push({ start, end });
    if (p.end < q.end) i++;
    else j++;
  }
  return out;
}

export const contains = (set: readonly Interval[], ms: number): Interval | undefined =>
  set.find((i) => i.start <= ms && ms < i.end);
