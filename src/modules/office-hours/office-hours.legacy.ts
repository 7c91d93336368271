import { ValidationError } from '../../errors.js';
import { parseBoolean, parseInstant, parseInteger } from '../../params.js';
import type { Availability, AvailabilityQuery } from './capacity.engine.js';
import { iso } from './local-time.js';
import {
  type CalendarDay,
  type CalendarRange,
  OfficeHoursSchedule,
  type OpenPeriod,
} from './office-hours.engine.js';
import type { OptionMap } from './office-hours.options.js';

/**
 * Legacy JSON for `GET /genesys/1/service/{office-hours-service}` (Calendar API) and for the
 * callback availability queries v1/v2. Query parsing lives here too, so the route handlers the
 * lead wires are three lines: parse, call, jsonResponse.
 */

const invalidParameter = (name: string, value: string, expected: string) =>
  new ValidationError(
    'office_hours/invalid_parameter',
    `Invalid value '${value}' for parameter ${name}: expected ${expected}`,
    name,
  );

const INSTANT_EXAMPLE = 'an ISO-8601 date-time such as 2025-03-30T09:00:00.000Z';

/**
 * ISO-8601; a value without a zone is read as UTC (GMS documents `…Z`). An unencoded `+02:00`
 * arrives as ` 02:00` after form decoding, so a space before a trailing offset is read as `+`.
 */
export function parseInstantParameter(name: string, value: string): Date {
  return parseInstant(name, value, invalidParameter, INSTANT_EXAMPLE);
}

/** `number-of-days`, `max-time-slots` (src/params.ts integer rule). */
const parsePositiveInt = (name: string, value: string): number =>
  parseInteger(
    name,
    value,
    { fallback: 1, min: 1, max: 999_999, expected: 'a positive integer' },
    invalidParameter,
  );

/** v2's `start-ms` / `end-ms`: an integer (src/params.ts rule) of milliseconds since the epoch. */
const parseEpochMs = (name: string, value: string): Date =>
  new Date(
    parseInteger(
      name,
      value,
      { fallback: 0, expected: 'milliseconds since 1970-01-01 UTC' },
      invalidParameter,
    ),
  );

const param = (q: URLSearchParams, name: string): string | null => {
  const v = q.get(name);
  return v === null || v.trim() === '' ? null : v;
};

/** `start` (default now), then `end` or `number-of-days`; neither means the day of `start`. */
export function parseCalendarQuery(q: URLSearchParams, now: Date): CalendarRange {
  const start = param(q, 'start');
  const end = param(q, 'end');
  const days = param(q, 'number-of-days');
  return {
    start: start ? parseInstantParameter('start', start) : now,
    end: end ? parseInstantParameter('end', end) : null,
    days: !end && days ? parsePositiveInt('number-of-days', days) : null,
  };
}

export interface LegacyCalendarResponse {
  /** null on success (the field GMS clients test). */
  error: null;
  timezone: string;
  /** Local dates of the first and last day listed. */
  startDate: string;
  endDate: string;
  /** The instant `openNow` and `current` refer to. */
  now: string;
  openNow: boolean;
  /** Today's open period containing `now`; empty when closed now. */
  current: OpenPeriod[];
  /** When open now: the end of the open stretch; when closed: the next opening (null if none within ~400 days). */
  closesAt: string | null;
  opensAt: string | null;
  days: CalendarDay[];
}

export function buildLegacyCalendarResponse(
  options: OptionMap,
  range: CalendarRange,
  now: Date,
): LegacyCalendarResponse {
  const schedule = OfficeHoursSchedule.fromOptions(options);
  const calendar = schedule.calendar(range);
  const status = schedule.status(now);
  const today = schedule.zone.localDateOf(now.getTime());
  const nowMs = now.getTime();
  const current = schedule
    .openIntervalsForDates(today, today)
    .filter((i) => i.start <= nowMs && nowMs < i.end)
    .map((i) => schedule.describe(i));
  return {
    error: null,
    timezone: calendar.timezone,
    startDate: calendar.days[0]?.date ?? '',
    endDate: calendar.days[calendar.days.length - 1]?.date ?? '',
    now: now.toISOString(),
    openNow: status.open,
    current,
    closesAt: status.closesAt ? status.closesAt.toISOString() : null,
    opensAt: !status.open && status.opensAt ? status.opensAt.toISOString() : null,
    days: calendar.days,
  };
}

export interface LegacyAvailabilityQuery extends Omit<AvailabilityQuery, 'now'> {}

/**
 * v1: `start`, `end` | `number-of-days`, `max-time-slots` (ISO dates, UTC).
 * v2 adds `start-ms`, `end-ms`, `timezone`, `report-busy`.
 */
export function parseAvailabilityQuery(
  q: URLSearchParams,
  version: 1 | 2,
  now: Date,
): LegacyAvailabilityQuery {
  const v2 = version === 2;
  const startMs = v2 ? param(q, 'start-ms') : null;
  const endMs = v2 ? param(q, 'end-ms') : null;
  const start = param(q, 'start');
  const end = param(q, 'end');
  const days = param(q, 'number-of-days');
  const maxSlots = param(q, 'max-time-slots');
  const timezone = v2 ? param(q, 'timezone') : null;
  const reportBusy = v2 ? param(q, 'report-busy') : null;
  const endDate = endMs ? parseEpochMs('end-ms', endMs) : end ? parseInstantParameter('end', end) : null;
  return {
    start: startMs ? parseEpochMs('start-ms', startMs) : start ? parseInstantParameter('start', start) : now,
    end: endDate,
    days: !endDate && days ? parsePositiveInt('number-of-days', days) : null,
    maxSlots: maxSlots ? parsePositiveInt('max-time-slots', maxSlots) : null,
    timezone,
    includeFull: reportBusy ? parseBoolean('report-busy', reportBusy, false, invalidParameter) : false,
  };
}

/** v1: `{ "<UTC ISO slot start>": <remaining capacity>, … }` in time order. */
export function buildAvailabilityV1(availability: Availability): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of availability.slots) out[iso(s.start)] = s.remaining;
  return out;
}

export interface AvailabilityV2 {
  durationMin: number;
  timezone: string;
  slots: Array<{ utcTime: string; localTime: string; capacity: number; total: number }>;
}

/** v2: `capacity` is what is left in the slot, `total` its capacity before bookings. */
export function buildAvailabilityV2(availability: Availability): AvailabilityV2 {
  return {
    durationMin: availability.durationMin,
    timezone: availability.timezone,
    slots: availability.slots.map((s) => ({
      utcTime: iso(s.start),
      localTime: s.localTime,
      capacity: s.remaining,
      total: s.total,
    })),
  };
}
