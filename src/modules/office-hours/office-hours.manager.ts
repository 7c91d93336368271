import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { ResolvedService, ServiceManager } from '../services/services.manager.js';
import {
  type Availability,
  type AvailabilityQuery,
  type AvailabilitySlot,
  MAX_AVAILABILITY_DAYS,
  type ScheduledCounter,
  type Slot,
  type SlotCheck,
  SlotPlanner,
  type SlotRules,
} from './capacity.engine.js';
import {
  type CapacitySpec,
  parseCapacity,
  parseMaxRequestByTimeBucket,
  parseRequestTimeBucket,
} from './capacity.options.js';
import {
  type CapacityReservationView,
  type ReleaseCapacityInput,
  type ReserveCapacityInput,
  type ReserveCapacityResult,
  releaseCapacity,
  reservationCounter,
  reservations,
  reserveCapacity,
  type SlotCountView,
  slotCounts,
  sweepPastSlots,
} from './capacity.reservations.js';
import {
  type CalendarRange,
  type OfficeHoursCalendar,
  OfficeHoursSchedule,
  type OpenStatus,
} from './office-hours.engine.js';
import {
  compareOptionNames,
  invalidOption,
  OFFICE_HOURS_GRAMMAR,
  type OfficeHoursSpec,
  type OptionMap,
  parseOfficeHours,
} from './office-hours.options.js';
import { type OfficeHoursScheduleRow, officeHoursSchedulesTable } from './office-hours.tables.js';

export interface OfficeHoursOption {
  name: string;
  value: string;
}

export interface OfficeHoursScheduleView {
  id: number;
  name: string;
  description: string;
  timezone: string;
  /** Every stored option, in option-name order (`_bh_regular2` before `_bh_regular10`). */
  options: OfficeHoursOption[];
  holidays: OfficeHoursOption[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleInput {
  name: string;
  description?: string | null;
  options: Record<string, string>;
}

/**
 * What the slot engine needs of a callback service (`callbackCapacity(name)`): the rules from its
 * options and linked services, and the capacity pool its reservations count in.
 */
export interface CallbackCapacity {
  /** The callback service (execution name). */
  service: string;
  /** The pool reservations count in: `_capacity_service`, or the callback service's own name when it names none. */
  capacityService: string;
  /** `_business_hours_service`, or null (always open). */
  businessHoursService: string | null;
  rules: SlotRules;
}

export type CallbackSlotReservation =
  | ({ reserved: true; slot: { start: Date; end: Date }; total: number } & Omit<
      Extract<ReserveCapacityResult, { reserved: true }>,
      'reserved'
    >)
  | {
      reserved: false;
      /** `closed`: the office is closed at the slot's start; `full`: no place left. */
      reason: 'closed' | 'full';
      slot: { start: Date; end: Date };
      total: number;
      count: number;
    };

export interface ReservationWindow {
  capacityService: string;
  start: Date;
  end: Date;
}

const DAY_MS = 24 * 3600_000;

/** Slots are forgotten this long after they started (the callbacks keep their own history). */
export const RESERVATION_RETENTION_MS = 7 * 24 * 3600_000;

export const PREVIEW_DAYS = 14;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_OPTIONS = 500;
const HOLIDAY_OPTION_RE = /^_holiday(\d*)$/;

export function validateScheduleName(name: string, field = 'name'): string {
  if (!NAME_RE.test(name))
    throw new ValidationError(
      'office_hours/invalid_name',
      `Invalid schedule name '${name}': 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
      field,
    );
  return name;
}

/** Drops empty values (they mean "not set") and refuses what cannot be an office-hours option. */
export function normalizeOptions(options: Record<string, string>): Record<string, string> {
  const entries = Object.entries(options);
  if (entries.length > MAX_OPTIONS)
    throw new ValidationError('office_hours/too_many_options', `At most ${MAX_OPTIONS} options`, 'options');
  const out: Record<string, string> = {};
  for (const [name, value] of entries.sort(([a], [b]) => compareOptionNames(a, b))) {
    if (!/^_[a-z0-9_]{1,63}$/.test(name))
      throw new ValidationError(
        'office_hours/invalid_option_name',
        `Invalid option name '${name}': GMS control options are '_' followed by lower-case letters, digits or '_'`,
        name,
      );
    if (typeof value !== 'string') throw invalidOption(name, String(value), 'must be a string');
    if (value.trim() !== '') out[name] = value.trim();
  }
  return out;
}

declare module '../../managers.types.js' {
  interface Managers {
    officeHours: OfficeHoursManager;
  }
}

/**
 * Office hours and capacity. Two halves:
 * - pure functions over an option map (GMS option names), for configured `office-hours` and
 *   `capacity` services and for the callback engine: validate, calendar, isOpen, status,
 *   nextOpenTime, validateCapacity, availability, checkSlot, slotOf;
 * - named schedules stored in `office_hours_schedules`, managed by admins (GraphQL,
 *   provisioning section `office_hours`).
 */
export class OfficeHoursManager {
  constructor(
    private readonly deps: Deps,
    private readonly services: ServiceManager,
  ) {}

  // ---- option-map functions (no storage) ----

  /** Throws ValidationError naming the option and its value; use it when a service is saved. */
  validate(options: OptionMap): OfficeHoursSpec {
    return parseOfficeHours(options);
  }

  calendar(options: OptionMap, range: CalendarRange): OfficeHoursCalendar {
    return OfficeHoursSchedule.fromOptions(options).calendar(range);
  }

  isOpen(options: OptionMap, at: Date = this.deps.clock.now()): boolean {
    return OfficeHoursSchedule.fromOptions(options).isOpen(at);
  }

  status(options: OptionMap, at: Date = this.deps.clock.now()): OpenStatus {
    return OfficeHoursSchedule.fromOptions(options).status(at);
  }

  nextOpenTime(options: OptionMap, at: Date = this.deps.clock.now()): Date | null {
    return OfficeHoursSchedule.fromOptions(options).nextOpenTime(at);
  }

  /** Capacity service options; throws ValidationError (CapacityException) naming the option. */
  validateCapacity(options: OptionMap): CapacitySpec {
    return parseCapacity(options);
  }

  /** Slots of a callback service, minus what `countScheduled` reports already booked. */
  availability(
    rules: SlotRules,
    query: Omit<AvailabilityQuery, 'now'> & { now?: Date },
    countScheduled: ScheduledCounter,
  ): Promise<Availability> {
    return new SlotPlanner(rules).availability(
      { ...query, now: query.now ?? this.deps.clock.now() },
      countScheduled,
    );
  }

  /** For a desired time: its slot, whether the slot is offered (office open) and what is left. */
  checkSlot(rules: SlotRules, at: Date, countScheduled: ScheduledCounter): Promise<SlotCheck> {
    return new SlotPlanner(rules).check(at, countScheduled);
  }

  slotOf(rules: SlotRules, at: Date): { start: Date; end: Date } {
    const slot = new SlotPlanner(rules).slotOf(at);
    return { start: new Date(slot.start), end: new Date(slot.end) };
  }

  // ---- callback services: rules, availability, reservations ----

  /**
   * The slot rules of a callback service: `_request_time_bucket`, `_max_request_by_time_bucket`,
   * and the options of the services named by `_business_hours_service` (a configured office-hours
   * service, else a stored schedule of that name) and `_capacity_service` (a configured capacity
   * service). Unknown or non-callback service → NotFoundError (404); a linked service that is missing
   * or of the wrong type → NotFoundError naming the option.
   */
  async callbackCapacity(
    service: string | ResolvedService,
    db: DbOrTx = this.deps.db,
  ): Promise<CallbackCapacity> {
    const resolved = typeof service === 'string' ? await this.services.find(service, db) : service;
    const name = typeof service === 'string' ? service : service.name;
    if (resolved?.serviceType !== 'callback')
      throw new NotFoundError(
        'office_hours/callback_service_not_found',
        `Callback service '${name}' is not configured`,
      );
    const options = { ...resolved.defaults, ...resolved.options };
    const bucketMinutes = parseRequestTimeBucket(options._request_time_bucket);
    const maxPerBucket = parseMaxRequestByTimeBucket(options._max_request_by_time_bucket);
    const businessHoursService = options._business_hours_service?.trim() || null;
    const capacityName = options._capacity_service?.trim() || null;
    const officeHours = businessHoursService
      ? await this.linkedOptions(name, '_business_hours_service', businessHoursService, 'office-hours', db)
      : null;
    const capacity = capacityName
      ? await this.linkedOptions(name, '_capacity_service', capacityName, 'capacity', db)
      : null;
    return {
      service: name,
      capacityService: capacityName ?? name,
      businessHoursService,
      rules: { officeHours, capacity, bucketMinutes, maxPerBucket },
    };
  }

  private async linkedOptions(
    callback: string,
    option: string,
    name: string,
    type: 'office-hours' | 'capacity',
    db: DbOrTx,
  ): Promise<Record<string, string>> {
    const found = await this.services.find(name, db);
    if (found?.serviceType === type) return { ...found.defaults, ...found.options };
    if (!found && type === 'office-hours') {
      const row = await this.row(db, name);
      if (row) return row.options;
    }
    throw new NotFoundError(
      'office_hours/linked_service_not_found',
      found
        ? `Service '${name}' named by ${option} of callback service '${callback}' is not an ${type} service`
        : `Service '${name}' named by ${option} of callback service '${callback}' is not configured`,
    );
  }

  /** Counts reservations of a pool: the ScheduledCounter behind every callback-service query. */
  reservationCounter(capacityService: string, db: DbOrTx = this.deps.db): ScheduledCounter {
    return reservationCounter(db, capacityService);
  }

  /** Free slots of a callback service (office hours, capacity, minus reservations). */
  async callbackAvailability(
    service: string | CallbackCapacity,
    query: Omit<AvailabilityQuery, 'now'> & { now?: Date },
    db: DbOrTx = this.deps.db,
  ): Promise<Availability> {
    const cap = typeof service === 'string' ? await this.callbackCapacity(service, db) : service;
    return this.availability(cap.rules, query, this.reservationCounter(cap.capacityService, db));
  }

  /** The slot containing `at`, whether it is offered (office open), its total and what is left. */
  async slotCapacity(cap: CallbackCapacity, at: Date, db: DbOrTx = this.deps.db): Promise<SlotCheck> {
    return this.checkSlot(cap.rules, at, this.reservationCounter(cap.capacityService, db));
  }

  /** Remaining places in the slot containing `at` (0 when the office is closed then). */
  async remainingCapacity(cap: CallbackCapacity, at: Date, db: DbOrTx = this.deps.db): Promise<number> {
    const check = await this.slotCapacity(cap, at, db);
    return check.open ? check.remaining : 0;
  }

  /** When the callback service's office next opens at or after `at` (no office-hours service: `at`). */
  callbackNextOpenTime(cap: CallbackCapacity, at: Date = this.deps.clock.now()): Date | null {
    return cap.rules.officeHours ? this.nextOpenTime(cap.rules.officeHours, at) : at;
  }

  /** The first offered slot with a place left, starting at or after `at`, within 62 days. */
  async nextAvailableSlot(
    cap: CallbackCapacity,
    at: Date = this.deps.clock.now(),
    db: DbOrTx = this.deps.db,
  ): Promise<AvailabilitySlot | null> {
    const found = await this.callbackAvailability(
      cap,
      { start: at, days: MAX_AVAILABILITY_DAYS, maxSlots: 1 },
      db,
    );
    return found.slots[0] ?? null;
  }

  /**
   * Reserves a place in a pool's slot inside the caller's transaction; idempotent per `ref`, never
   * over `limit` under concurrency (see capacity.reservations.ts). Full → `{ reserved: false }`.
   */
  reserveCapacity(tx: DbOrTx, input: ReserveCapacityInput): Promise<ReserveCapacityResult> {
    return reserveCapacity(tx, input, this.deps.clock.now());
  }

  /** Gives back the place `ref` holds; the released reservation, or null if it held none. */
  releaseCapacity(tx: DbOrTx, input: ReleaseCapacityInput): Promise<CapacityReservationView | null> {
    return releaseCapacity(tx, input, this.deps.clock.now());
  }

  /**
   * For a desired time: finds its slot, refuses it when the office is closed at the slot's start,
   * and otherwise reserves a place for `ref` (limit = the slot's total) in the caller's transaction.
   */
  async reserveCallbackSlot(
    tx: DbOrTx,
    cap: CallbackCapacity,
    input: { at: Date; ref: string },
  ): Promise<CallbackSlotReservation> {
    const planner = new SlotPlanner(cap.rules);
    const s: Slot = planner.slotOf(input.at);
    const slot = { start: new Date(s.start), end: new Date(s.end) };
    const total = planner.slotTotal(s);
    if (!planner.isOpenAt(s.start)) return { reserved: false, reason: 'closed', slot, total, count: 0 };
    const result = await this.reserveCapacity(tx, {
      capacityService: cap.capacityService,
      slotStart: slot.start,
      ref: input.ref,
      limit: total,
    });
    if (!result.reserved) return { reserved: false, reason: 'full', slot, total, count: result.count };
    const { reserved: _r, ...rest } = result;
    return { reserved: true, slot, total, ...rest };
  }

  /** The admin report window: `start` (default now) to `end` (default 7 days later), at most 62 days. */
  reservationWindow(capacityService: string, start?: Date | null, end?: Date | null): ReservationWindow {
    const from = start ?? this.deps.clock.now();
    const to = end ?? new Date(from.getTime() + 7 * DAY_MS);
    if (to.getTime() <= from.getTime())
      throw new ValidationError('capacity/invalid_range', 'end must be after start', 'end');
    if (to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * DAY_MS)
      throw new ValidationError(
        'capacity/invalid_range',
        `A reservation report covers at most ${MAX_AVAILABILITY_DAYS} days`,
        'end',
      );
    return { capacityService, start: from, end: to };
  }

  /** Non-empty slot counts of a pool in `[from, to)` (admin view). */
  slotCounts(capacityService: string, from: Date, to: Date): Promise<SlotCountView[]> {
    return slotCounts(this.deps.db, capacityService, from, to);
  }

  /** Who holds places in a pool in `[from, to)` (admin view). */
  reservations(capacityService: string, from: Date, to: Date): Promise<CapacityReservationView[]> {
    return reservations(this.deps.db, capacityService, from, to);
  }

  /** Forgets slots that started more than RESERVATION_RETENTION_MS ago (background task; idempotent). */
  sweepPastReservations(): Promise<number> {
    return sweepPastSlots(this.deps.db, new Date(this.deps.clock.now().getTime() - RESERVATION_RETENTION_MS));
  }

  // ---- stored schedules ----

  private view(row: OfficeHoursScheduleRow): OfficeHoursScheduleView {
    const options = Object.entries(row.options)
      .sort(([a], [b]) => compareOptionNames(a, b))
      .map(([name, value]) => ({ name, value }));
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      timezone: parseOfficeHours(row.options).timezone,
      options,
      holidays: options.filter((o) => HOLIDAY_OPTION_RE.test(o.name)),
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  async list(): Promise<OfficeHoursScheduleView[]> {
    const rows = await this.deps.db
      .select()
      .from(officeHoursSchedulesTable)
      .orderBy(asc(officeHoursSchedulesTable.name));
    return rows.map((r) => this.view(r));
  }

  async find(name: string): Promise<OfficeHoursScheduleView | null> {
    const row = await this.row(this.deps.db, name);
    return row ? this.view(row) : null;
  }

  async get(name: string): Promise<OfficeHoursScheduleView> {
    const found = await this.find(name);
    if (!found) throw notFound(name);
    return found;
  }

  /** The stored option map of a schedule (for calendar queries by name). */
  async options(name: string): Promise<Record<string, string>> {
    const row = await this.row(this.deps.db, name);
    if (!row) throw notFound(name);
    return row.options;
  }

  async create(input: ScheduleInput): Promise<OfficeHoursScheduleView> {
    validateScheduleName(input.name);
    const options = normalizeOptions(input.options);
    parseOfficeHours(options);
    const now = this.deps.clock.now();
    const [row] = await this.deps.db
      .insert(officeHoursSchedulesTable)
      .values({
        name: input.name,
        description: input.description ?? '',
        options,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: officeHoursSchedulesTable.name })
      .returning();
    if (!row)
      throw new ConflictError(
        'office_hours/already_exists',
        `Office-hours schedule '${input.name}' already exists`,
      );
    return this.view(row);
  }

  /** Replaces the options (all of them) and/or the description. */
  async update(
    name: string,
    change: { options?: Record<string, string> | null; description?: string | null },
  ): Promise<OfficeHoursScheduleView> {
    const set: Partial<typeof officeHoursSchedulesTable.$inferInsert> = {};
    if (change.options) {
      set.options = normalizeOptions(change.options);
      parseOfficeHours(set.options);
    }
    if (change.description !== undefined && change.description !== null) set.description = change.description;
    if (Object.keys(set).length === 0) return this.get(name);
    const [row] = await this.deps.db
      .update(officeHoursSchedulesTable)
      .set({
        ...set,
        version: sql`${officeHoursSchedulesTable.version} + 1`,
        updatedAt: this.deps.clock.now(),
      })
      .where(eq(officeHoursSchedulesTable.name, name))
      .returning();
    if (!row) throw notFound(name);
    return this.view(row);
  }

  /** Creates or replaces (provisioning): unchanged content is left alone, so re-applying changes nothing. */
  async upsert(input: ScheduleInput): Promise<OfficeHoursScheduleView> {
    validateScheduleName(input.name);
    const options = normalizeOptions(input.options);
    parseOfficeHours(options);
    return this.deps.db.transaction(async (tx) => {
      const existing = await this.row(tx, input.name, true);
      const description = input.description ?? existing?.description ?? '';
      if (existing && sameOptions(existing.options, options) && existing.description === description)
        return this.view(existing);
      const now = this.deps.clock.now();
      const [row] = existing
        ? await tx
            .update(officeHoursSchedulesTable)
            .set({ options, description, version: existing.version + 1, updatedAt: now })
            .where(eq(officeHoursSchedulesTable.id, existing.id))
            .returning()
        : await tx
            .insert(officeHoursSchedulesTable)
            .values({ name: input.name, description, options, createdAt: now, updatedAt: now })
            .returning();
      if (!row) throw new Error('office-hours upsert returned no row');
      return this.view(row);
    });
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this.deps.db
      .delete(officeHoursSchedulesTable)
      .where(eq(officeHoursSchedulesTable.name, name))
      .returning({ id: officeHoursSchedulesTable.id });
    if (rows.length === 0) throw notFound(name);
    return true;
  }

  /**
   * Adds a holiday as the next free `_holiday<n>`; adding one that is already there changes
   * nothing. The row is locked so concurrent additions get distinct option names.
   */
  async addHoliday(name: string, holiday: string): Promise<OfficeHoursScheduleView> {
    const value = holiday.trim();
    return this.deps.db.transaction(async (tx) => {
      const row = await this.row(tx, name, true);
      if (!row) throw notFound(name);
      if (Object.entries(row.options).some(([k, v]) => HOLIDAY_OPTION_RE.test(k) && v === value))
        return this.view(row);
      const used = Object.keys(row.options)
        .map((k) => HOLIDAY_OPTION_RE.exec(k)?.[1])
        .filter((n): n is string => n !== undefined)
        .map((n) => Number(n || 0));
      const option = `_holiday${Math.max(0, ...used) + 1}`;
      const options = { ...row.options, [option]: value };
      try {
        parseOfficeHours(options);
      } catch (err) {
        // Name the argument the caller sent, not the option name it would have been stored under.
        if (err instanceof ValidationError && err.field === option)
          throw new ValidationError(
            err.code,
            `Invalid holiday '${holiday}': expected ${OFFICE_HOURS_GRAMMAR._holiday}`,
            'holiday',
          );
        throw err;
      }
      return this.view(await this.write(tx, row, options));
    });
  }

  async removeHoliday(name: string, option: string): Promise<OfficeHoursScheduleView> {
    return this.deps.db.transaction(async (tx) => {
      const row = await this.row(tx, name, true);
      if (!row) throw notFound(name);
      if (!HOLIDAY_OPTION_RE.test(option) || row.options[option] === undefined)
        throw new NotFoundError(
          'office_hours/holiday_not_found',
          `Schedule '${name}' has no holiday option ${option}`,
        );
      const { [option]: _removed, ...options } = row.options;
      return this.view(await this.write(tx, row, options));
    });
  }

  private async row(
    db: DbOrTx,
    name: string,
    forUpdate = false,
  ): Promise<OfficeHoursScheduleRow | undefined> {
    const query = db.select().from(officeHoursSchedulesTable).where(eq(officeHoursSchedulesTable.name, name));
    const [row] = forUpdate ? await query.for('update') : await query;
    return row;
  }

  private async write(db: DbOrTx, row: OfficeHoursScheduleRow, options: Record<string, string>) {
    const [updated] = await db
      .update(officeHoursSchedulesTable)
      .set({ options, version: row.version + 1, updatedAt: this.deps.clock.now() })
      .where(eq(officeHoursSchedulesTable.id, row.id))
      .returning();
    if (!updated) throw new Error('office-hours update returned no row');
    return updated;
  }
}

const notFound = (name: string) =>
  new NotFoundError('office_hours/not_found', `Office-hours schedule '${name}' not found`);

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
