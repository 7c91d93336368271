import { ValidationError } from '../../errors.js';
import { type CapacityEntry, type CapacitySpec, parseCapacity } from './capacity.options.js';
import {
  addDays,
  canonicalZone,
  compareDates,
  DAY_MS,
  type Interval,
  isoWeekday,
  type LocalDate,
  MINUTE_MS,
  Zone,
} from './local-time.js';
import { OfficeHoursSchedule } from './office-hours.engine.js';
import type { OptionMap } from './office-hours.options.js';

/**
 * Callback time slots: the day is cut into `_request_time_bucket` slots aligned on local
 * midnight; a slot is offered when the office is open at its start and its capacity
 * (min of the capacity grid and `_max_request_by_time_bucket`) exceeds the callbacks already
 * scheduled in it. Counting those callbacks is the caller's job (an injected function), so this
 * file stays pure apart from that one call.
 */

export interface Slot {
  /** Epoch ms, UTC. A slot is `[start, end)`; `end` is the next slot's start. */
  start: number;
  end: number;
}

/** Already scheduled callbacks per slot, keyed by slot start (epoch ms); absent means 0. */
export type ScheduledCounter = (slots: readonly Slot[]) => Promise<ReadonlyMap<number, number>>;

export interface SlotRules {
  /** Options of the `_business_hours_service`; null means always open. */
  officeHours: OptionMap | null;
  /** Options of the `_capacity_service`; null means only `maxPerBucket` limits a slot. */
  capacity: OptionMap | null;
  /** `_request_time_bucket`, minutes. */
  bucketMinutes: number;
  /** `_max_request_by_time_bucket`. */
  maxPerBucket: number;
}

export interface AvailabilityQuery {
  start: Date;
  /** Exclusive end; else `days` local days from the start's date; else DEFAULT_AVAILABILITY_DAYS. */
  end?: Date | null;
  days?: number | null;
  /** Slots starting before `now` are never offered. */
  now: Date;
  maxSlots?: number | null;
  /** Also list full slots (remaining 0): v2 `report-busy`. */
  includeFull?: boolean;
  /** Zone for `localTime`; defaults to the slot zone (capacity, else office hours, else UTC). */
  timezone?: string | null;
}

export interface AvailabilitySlot extends Slot {
  total: number;
  scheduled: number;
  remaining: number;
  /** Local wall time without offset in the answer's zone, `2025-03-17T09:15:00.000`. */
  localTime: string;
}

export interface Availability {
  durationMin: number;
  timezone: string;
  slots: AvailabilitySlot[];
}

export interface SlotCheck {
  slot: Slot;
  /** Office open at the slot's start. */
  open: boolean;
  total: number;
  scheduled: number;
  remaining: number;
}

export const DEFAULT_AVAILABILITY_DAYS = 7;
export const MAX_AVAILABILITY_DAYS = 62;

const invalidRange = (field: string, message: string) =>
  new ValidationError('capacity/invalid_range', message, field);

export class SlotPlanner {
  readonly zone: Zone;
  private readonly capacity: CapacitySpec | null;
  private readonly office: OfficeHoursSchedule | null;

  constructor(readonly rules: SlotRules) {
    this.capacity = rules.capacity ? parseCapacity(rules.capacity) : null;
    this.office = rules.officeHours ? OfficeHoursSchedule.fromOptions(rules.officeHours) : null;
    this.zone = new Zone(this.capacity?.timezone ?? this.office?.timezone ?? 'UTC');
    if (
      !Number.isInteger(rules.bucketMinutes) ||
      rules.bucketMinutes <= 0 ||
      1440 % rules.bucketMinutes !== 0
    )
      throw new ValidationError(
        'capacity/invalid_bucket',
        'The time bucket must divide a day',
        '_request_time_bucket',
      );
  }

  /**
   * Slot starts of local dates `from`..`to`: every local wall time at a multiple of the bucket
   * after midnight, both times in a fall-back overlap; a wall time skipped by a spring-forward
   * jump starts its slot at the jump (unless another slot starts there already).
   */
  slotsForDates(from: LocalDate, to: LocalDate): Slot[] {
    const starts = new Set<number>();
    const bucket = this.rules.bucketMinutes;
    for (let d = from; compareDates(d, addDays(to, 1)) <= 0; d = addDays(d, 1)) {
      const dayStart = this.zone.startOfDay(d);
      const nextDay = this.zone.startOfDay(addDays(d, 1));
      const steady = this.zone.offset(dayStart) === this.zone.offset(nextDay - 1);
      for (let m = 0; m < 1440; m += bucket) {
        // Days without a transition (nearly all) need no per-slot zone lookups.
        if (steady && nextDay - dayStart === DAY_MS) starts.add(dayStart + m * MINUTE_MS);
        else {
          const found = this.zone.instantsAt(d, m);
          if (found.length > 0) for (const t of found) starts.add(t);
          else starts.add(this.zone.resolve(d, m, 'earliest'));
        }
      }
    }
    const sorted = [...starts].sort((a, b) => a - b);
    const last = this.zone.startOfDay(addDays(to, 1));
    const out: Slot[] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
      const start = sorted[i] as number;
      if (start >= last) break;
      out.push({ start, end: sorted[i + 1] as number });
    }
    return out;
  }

  /** The slot containing an instant. */
  slotOf(at: Date): Slot {
    const ms = at.getTime();
    const date = this.zone.localDateOf(ms);
    const slot = this.slotsForDates(addDays(date, -1), addDays(date, 1)).find(
      (s) => s.start <= ms && ms < s.end,
    );
    if (!slot) throw new Error(`no slot contains ${at.toISOString()}`);
    return slot;
  }

  /** Capacity of a slot before anything is scheduled in it. */
  slotTotal(slot: Slot): number {
    if (!this.capacity) return this.rules.maxPerBucket;
    const date = this.zone.localDateOf(slot.start);
    const minutes = this.zone.minutesOfDay(slot.start);
    const entry = this.gridFor(date).find((e) => e.from <= minutes && minutes < e.to);
    return Math.min(entry?.capacity ?? 0, this.rules.maxPerBucket);
  }

  private gridFor(date: LocalDate): CapacityEntry[] {
    const spec = this.capacity as CapacitySpec;
    // A one-off exception outranks a yearly one; either replaces the weekly grid for that date.
    const exception =
      spec.exceptions.find((e) => e.year === date.year && e.month === date.month && e.day === date.day) ??
      spec.exceptions.find((e) => e.year === null && e.month === date.month && e.day === date.day);
    return exception ? exception.entries : (spec.weekly[isoWeekday(date) - 1] ?? []);
  }

  /** Open intervals of the office (everything when no office-hours service). */
  private openIntervals(from: LocalDate, to: LocalDate): Interval[] {
    if (!this.office) return [{ start: -Infinity, end: Infinity }];
    // The office may use another zone than the slots: widen by a day on each side.
    const a = this.office.zone.localDateOf(this.zone.startOfDay(from));
    const b = this.office.zone.localDateOf(this.zone.startOfDay(addDays(to, 1)));
    return this.office.openIntervalsForDates(addDays(a, -1), addDays(b, 1));
  }

  isOpenAt(ms: number): boolean {
    return this.office ? this.office.isOpen(new Date(ms)) : true;
  }

  /** `[start, end)` of an availability query, in the slot zone. */
  window(query: Pick<AvailabilityQuery, 'start' | 'end' | 'days'>): Interval {
    const start = query.start.getTime();
    let end: number;
    if (query.end) {
      end = query.end.getTime();
      if (end <= start) throw invalidRange('end', 'end must be after start');
    } else {
      const days = query.days ?? DEFAULT_AVAILABILITY_DAYS;
      if (!Number.isInteger(days) || days < 1)
        throw invalidRange('number-of-days', 'number-of-days must be a positive integer');
      if (days > MAX_AVAILABILITY_DAYS)
        throw invalidRange('number-of-days', `number-of-days must be at most ${MAX_AVAILABILITY_DAYS}`);
      end = this.zone.startOfDay(addDays(this.zone.localDateOf(start), days));
    }
    if (end - start > (MAX_AVAILABILITY_DAYS + 1) * DAY_MS)
      throw invalidRange('end', `An availability query covers at most ${MAX_AVAILABILITY_DAYS} days`);
    return { start, end };
  }

  /** Candidate slots in a window: inside office hours and with a positive capacity. */
  candidates(window: Interval, now: number): Array<Slot & { total: number }> {
    const from = this.zone.localDateOf(window.start);
    const to = this.zone.localDateOf(window.end - 1);
    const open = this.openIntervals(from, to);
    const out: Array<Slot & { total: number }> = [];
    let k = 0;
    for (const slot of this.slotsForDates(from, to)) {
      if (slot.start < window.start || slot.start >= window.end || slot.start < now) continue;
      while (k < open.length && (open[k] as Interval).end <= slot.start) k++;
      const interval = open[k];
      if (!interval || interval.start > slot.start) continue;
      const total = this.slotTotal(slot);
      if (total > 0) out.push({ ...slot, total });
    }
    return out;
  }

  async availability(query: AvailabilityQuery, countScheduled: ScheduledCounter): Promise<Availability> {
    const timezone = query.timezone ? canonicalZone(query.timezone) : this.zone.name;
    if (!timezone) throw invalidRange('timezone', `Unknown time zone '${query.timezone}'`);
    if (
      query.maxSlots !== undefined &&
      query.maxSlots !== null &&
      (!Number.isInteger(query.maxSlots) || query.maxSlots < 1)
    )
      throw invalidRange('max-time-slots', 'max-time-slots must be a positive integer');
    const window = this.window(query);
    const candidates = this.candidates(window, query.now.getTime());
    const counts = candidates.length > 0 ? await countScheduled(candidates) : new Map<number, number>();
    const outZone = new Zone(timezone);
    const slots: AvailabilitySlot[] = [];
    for (const c of candidates) {
      const scheduled = counts.get(c.start) ?? 0;
      const remaining = Math.max(0, c.total - scheduled);
      if (remaining === 0 && !query.includeFull) continue;
      slots.push({ ...c, scheduled, remaining, localTime: outZone.formatLocalNoOffset(c.start) });
      if (query.maxSlots && slots.length >= query.maxSlots) break;
    }
    return { durationMin: this.rules.bucketMinutes, timezone, slots };
  }

  /** What the callback engine needs for a desired time: its slot, open or not, and what is left. */
  async check(at: Date, countScheduled: ScheduledCounter): Promise<SlotCheck> {
    const slot = this.slotOf(at);
    const open = this.isOpenAt(slot.start);
    const total = this.slotTotal(slot);
    const counts = await countScheduled([slot]);
    const scheduled = counts.get(slot.start) ?? 0;
    return { slot, open, total, scheduled, remaining: Math.max(0, total - scheduled) };
  }
}
