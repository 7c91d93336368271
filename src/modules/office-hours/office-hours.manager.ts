import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import {
  type Availability,
  type AvailabilityQuery,
  type ScheduledCounter,
  type SlotCheck,
  SlotPlanner,
  type SlotRules,
} from './capacity.engine.js';
import { type CapacitySpec, parseCapacity } from './capacity.options.js';
import {
  type CalendarRange,
  type OfficeHoursCalendar,
  OfficeHoursSchedule,
  type OpenStatus,
} from './office-hours.engine.js';
import { buildLegacyCalendarResponse, type LegacyCalendarResponse } from './office-hours.legacy.js';
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

/**
 * Office hours and capacity. Two halves:
 * - pure functions over an option map (GMS option names), for configured `office-hours` and
 *   `capacity` services and for the callback engine: validate, calendar, isOpen, status,
 *   nextOpenTime, legacyCalendar, validateCapacity, availability, checkSlot, slotOf;
 * - named schedules stored in `office_hours_schedules`, managed by admins (GraphQL,
 *   provisioning section `office_hours`).
 */
export class OfficeHoursManager {
  constructor(private readonly deps: Deps) {}

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

  /** Body of `GET /genesys/1/service/{office-hours-service}` (see office-hours.legacy.ts). */
  legacyCalendar(options: OptionMap, range: CalendarRange): LegacyCalendarResponse {
    return buildLegacyCalendarResponse(options, range, this.deps.clock.now());
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
