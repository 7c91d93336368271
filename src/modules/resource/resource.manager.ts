import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, ne, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../errors.js';
import {
  type AllocationStrategy,
  DEFAULT_ACCESS_CODE_LENGTH,
  DEFAULT_BOOKING_TIMEOUT_SECONDS,
  DEFAULT_GROUP_NAME,
  numberKey,
  parseAllocation,
  pgErrorOf,
  randomAccessCode,
  rankCandidates,
  validAccessNumber,
  validCodeLength,
  validName,
  validTimeoutSeconds,
} from './resource.rules.js';
import {
  type BookingCloseReason,
  resourceBookingsTable as bookings,
  resourceEventsTable as events,
  resourceGroupsTable as groups,
  type ResourceBookingRow,
  type ResourceEventKind,
  type ResourceEventRow,
  type ResourceGroupRow,
  type ResourceRow,
  resourcesTable as resources,
} from './resource.tables.js';

// ---------------------------------------------------------------------------------------------------
// Public shapes

export interface ResourceGroupSettings {
  allocation: AllocationStrategy;
  locking: boolean;
  /** Default `_booking_expiration_timeout`, seconds. */
  bookingExpirationTimeout: number;
}

export interface BookingView {
  id: string;
  sessionId: string;
  phoneNumber: string | null;
  /** Whether the booking carries an access code (the code itself is never shown). */
  hasAccessCode: boolean;
  startsAt: Date;
  expiresAt: Date;
}

export interface ResourceView {
  id: number;
  groupId: number;
  name: string;
  accessNumber: string;
  lastAllocatedAt: Date | null;
  /** Active bookings, most recent first (at most one in a locking group). */
  bookings: BookingView[];
}

export interface PoolHealth {
  total: number;
  /** Numbers with no active booking. */
  free: number;
  /** Numbers with at least one active booking. */
  booked: number;
  activeBookings: number;
}

export interface ResourceGroupView extends ResourceGroupSettings {
  id: number;
  name: string;
  resources: ResourceView[];
  health: PoolHealth;
  createdAt: Date;
  updatedAt: Date;
}

export interface AllocateInput {
  /** Resource group name (the service's configured group or the request's `_resource_group`). */
  group: string;
  /** The session the number is booked for. */
  sessionId: string;
  /** ANI the call will come from (`_phone_number`); used by DNIS + ANI matching. */
  phoneNumber?: string | null;
  /** Also issue an access code (`_provide_code`). */
  provideCode?: boolean;
  /** `_access_code_length`, default 6. */
  accessCodeLength?: number;
  /** `_booking_expiration_timeout`: overrides the group's default. */
  bookingTimeoutSeconds?: number | null;
}

export interface Allocation {
  bookingId: string;
  group: string;
  resourceName: string;
  accessNumber: string;
  /** Null unless `provideCode` was asked for. */
  accessCode: string | null;
  startsAt: Date;
  expiresAt: Date;
  /** The booking's length in seconds (legacy `_expiration_time`). */
  timeoutSeconds: number;
}

export interface MatchInput {
  /** The dialled number (DNIS, `_access_number`). */
  accessNumber: string;
  /** The caller's number (ANI, `_phone_number`). */
  phoneNumber?: string | null;
  /** The code the caller entered (`_access_code`). */
  accessCode?: string | null;
}

export interface MatchResult {
  sessionId: string;
  bookingId: string;
  group: string;
  resourceName: string;
  accessNumber: string;
  phoneNumber: string | null;
}

export interface ResourceGroupInput {
  name?: string | null;
  allocation?: string | null;
  locking?: boolean | null;
  bookingExpirationTimeout?: number | null;
  resources?: { name: string; accessNumber: string }[] | null;
}

export interface ResourceGroupPatch {
  name?: string | null;
  allocation?: string | null;
  locking?: boolean | null;
  bookingExpirationTimeout?: number | null;
}

/** One group as the provisioning file states it: settings plus resource name → access number. */
export interface ResourceGroupConfig extends ResourceGroupSettings {
  resources: Record<string, string>;
}

export interface ResourceEventView {
  id: number;
  occurredAt: Date;
  kind: ResourceEventKind;
  group: string;
  resourceName: string | null;
  accessNumber: string | null;
  bookingId: string | null;
  sessionId: string | null;
  reason: string | null;
}

// ---------------------------------------------------------------------------------------------------

/** Attempts at a fresh random access code before giving up on a number whose code space is full. */
const CODE_ATTEMPTS = 20;
/** Re-reads when a matched booking was closed by a concurrent match or expiry. */
const MATCH_ATTEMPTS = 5;
const SWEEP_BATCH = 500;
/** First key of the advisory locks that order allocations against group changes (second: name hash). */
const GROUP_LOCK_SPACE = 727_002;

interface EventInput {
  kind: ResourceEventKind;
  occurredAt: Date;
  groupId: number | null;
  groupName: string;
  resource?: { id: number; name: string; accessNumber: string } | null;
  bookingId?: string | null;
  sessionId?: string | null;
  reason?: string | null;
}

type AllocateOutcome =
  | { kind: 'allocated'; allocation: Allocation }
  | { kind: 'exhausted'; group: string; total: number };

const iso = (d: Date) => d.toISOString();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Booking ids are UUIDs; anything else cannot name a booking (and must not reach a uuid column). */
const isBookingId = (id: string) => UUID.test(id);
const isActive = (b: Pick<ResourceBookingRow, 'closedAt' | 'endsAt'>, now: Date) =>
  b.closedAt === null && b.endsAt.getTime() > now.getTime();

/**
 * Resource groups, access-number allocation and call matching (GMS request-interaction,
 * request-access, match-interaction). The session layer calls `allocate`, `releaseSession` and
 * `match`; admins and provisioning call the rest.
 *
 * Invariants:
 * - Locking groups: a number has at most one active booking. The free/booked state is on the
 *   `resources` row and is claimed by one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)`;
 *   the EXCLUDE constraint on `resource_bookings` backs it up.
 * - Active = not closed and `ends_at > now` (deps.clock), so an expiry frees a number on every
 *   instance at once; `sweepExpired` only tidies and records `expired` events.
 * - Release and extend are compare-and-set on (resource, booked_by, booking_version), so a late
 *   release from an expired session never frees a newer booking.
 * - Lock order is always resources row, then bookings rows (no deadlocks between paths).
 */
export class ResourceManager {
  constructor(private readonly deps: Deps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  // ------------------------------------------------------------------------------------------------
  // Reading

  async listGroups(): Promise<ResourceGroupView[]> {
    return this.describe(this.deps.db, null);
  }

  async getGroup(name: string): Promise<ResourceGroupView> {
    const [view] = await this.describe(this.deps.db, name.trim());
    if (!view) throw groupNotFound(name);
    return view;
  }

  private async describe(db: DbOrTx, name: string | null): Promise<ResourceGroupView[]> {
    const now = this.now();
    const groupRows = await db
      .select()
      .from(groups)
      .where(name === null ? undefined : eq(groups.name, name))
      .orderBy(asc(groups.name));
    if (groupRows.length === 0) return [];
    const ids = groupRows.map((g) => g.id);
    const resourceRows = await db
      .select()
      .from(resources)
      .where(inArray(resources.groupId, ids))
      .orderBy(asc(resources.name), asc(resources.id));
    const bookingRows = await db
      .select()
      .from(bookings)
      .where(and(inArray(bookings.groupId, ids), isNull(bookings.closedAt), gt(bookings.endsAt, now)))
      .orderBy(desc(bookings.startsAt));
    const byResource = new Map<number, BookingView[]>();
    for (const b of bookingRows) {
      const list = byResource.get(b.resourceId) ?? [];
      list.push(bookingView(b));
      byResource.set(b.resourceId, list);
    }
    return groupRows.map((g) => {
      const own = resourceRows
        .filter((r) => r.groupId === g.id)
        .map((r) => resourceView(r, byResource.get(r.id) ?? []));
      const booked = own.filter((r) => r.bookings.length > 0).length;
      return {
        ...groupSettings(g),
        id: g.id,
        name: g.name,
        resources: own,
        health: {
          total: own.length,
          free: own.length - booked,
          booked,
          activeBookings: own.reduce((n, r) => n + r.bookings.length, 0),
        },
        createdAt: g.createdAt,
        updatedAt: g.updatedAt,
      };
    });
  }

  /** Active bookings of a session (what the session layer shows with the session). */
  async sessionBookings(
    sessionId: string,
  ): Promise<(BookingView & { group: string; accessNumber: string })[]> {
    const now = this.now();
    const rows = await this.deps.db
      .select({ b: bookings, accessNumber: resources.accessNumber, group: groups.name })
      .from(bookings)
      .innerJoin(resources, eq(resources.id, bookings.resourceId))
      .innerJoin(groups, eq(groups.id, resources.groupId))
      .where(and(eq(bookings.sessionId, sessionId), isNull(bookings.closedAt), gt(bookings.endsAt, now)))
      .orderBy(desc(bookings.startsAt));
    return rows.map((r) => ({ ...bookingView(r.b), group: r.group, accessNumber: r.accessNumber }));
  }

  async listEvents(
    options: { group?: string | null; limit?: number; before?: number | null } = {},
  ): Promise<ResourceEventView[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows = await this.deps.db
      .select()
      .from(events)
      .where(
        and(
          options.group ? eq(events.groupName, options.group) : undefined,
          options.before ? lt(events.id, options.before) : undefined,
        ),
      )
      .orderBy(desc(events.id))
      .limit(limit);
    return rows.map(eventView);
  }

  // ------------------------------------------------------------------------------------------------
  // Administration

  async createGroup(input: ResourceGroupInput = {}): Promise<ResourceGroupView> {
    const name = validName(input.name ?? DEFAULT_GROUP_NAME, 'name', 'Resource group');
    const settings = mergeSettings(defaultSettings(), input);
    const entries = (input.resources ?? []).map((r, i) => ({
      name: validName(r.name, `resources.${i}.name`, 'Resource'),
      accessNumber: validAccessNumber(r.accessNumber, `resources.${i}.accessNumber`),
    }));
    return this.write(async (tx) => {
      const group = await this.insertGroup(tx, name, settings);
      for (const entry of entries) await this.insertResource(tx, group, entry);
      return group.name;
    });
  }

  async updateGroup(name: string, patch: ResourceGroupPatch): Promise<ResourceGroupView> {
    const newName = patch.name == null ? null : validName(patch.name, 'name', 'Resource group');
    return this.write(async (tx) => {
      const group = await this.lockGroup(tx, name);
      const settings = mergeSettings(groupSettings(group), patch);
      await this.updateGroupIn(tx, group, settings, newName);
      return newName ?? group.name;
    });
  }

  /** Deletes a group and its numbers; with active bookings only when `force` (they are ended). */
  async deleteGroup(name: string, options: { force?: boolean } = {}): Promise<boolean> {
    await this.deps.db.transaction(async (tx) => {
      const group = await this.lockGroup(tx, name);
      const rows = await tx.select().from(resources).where(eq(resources.groupId, group.id)).for('update');
      await this.closeAllOn(tx, rows, group, options.force ?? false, 'group');
      await tx.delete(groups).where(eq(groups.id, group.id));
    });
    return true;
  }

  async addResource(groupName: string, input: { name: string; accessNumber: string }): Promise<ResourceView> {
    const entry = {
      name: validName(input.name, 'name', 'Resource'),
      accessNumber: validAccessNumber(input.accessNumber),
    };
    const id = await this.deps.db.transaction(async (tx) => {
      const group = await this.findGroup(tx, groupName);
      return (await this.insertResource(tx, group, entry)).id;
    });
    return this.getResourceById(id);
  }

  /**
   * Renames a resource and/or changes its access number. A new number for a booked resource needs
   * `force`: the sessions holding it were told the old one, so their bookings are ended.
   */
  async updateResource(
    groupName: string,
    name: string,
    patch: { name?: string | null; accessNumber?: string | null },
    options: { force?: boolean } = {},
  ): Promise<ResourceView> {
    const newName = patch.name == null ? null : validName(patch.name, 'name', 'Resource');
    const newNumber = patch.accessNumber == null ? null : validAccessNumber(patch.accessNumber);
    const id = await this.write(async (tx) => {
      const group = await this.findGroup(tx, groupName);
      const row = await this.lockResource(tx, group, name);
      const now = this.now();
      const set: Partial<typeof resources.$inferInsert> = {};
      if (newName !== null && newName !== row.name) set.name = newName;
      if (newNumber !== null && newNumber !== row.accessNumber) {
        if (numberKey(newNumber) !== row.numberKey) {
          await this.closeAllOn(tx, [row], group, options.force ?? false, 'resource');
          await this.assertNumberFree(tx, newNumber, row.id);
        }
        set.accessNumber = newNumber;
        set.numberKey = numberKey(newNumber);
      }
      if (Object.keys(set).length === 0) return row.id;
      if (set.name) await this.assertNameFree(tx, group, set.name);
      await tx
        .update(resources)
        .set({ ...set, updatedAt: now })
        .where(eq(resources.id, row.id));
      return row.id;
    });
    return this.getResourceById(id);
  }

  /** Removes a resource; with active bookings only when `force` (they are ended). */
  async removeResource(groupName: string, name: string, options: { force?: boolean } = {}): Promise<boolean> {
    await this.deps.db.transaction(async (tx) => {
      const group = await this.findGroup(tx, groupName);
      const row = await this.lockResource(tx, group, name);
      await this.closeAllOn(tx, [row], group, options.force ?? false, 'resource');
      await tx.delete(resources).where(eq(resources.id, row.id));
    });
    return true;
  }

  /** Ends one booking whoever holds it (an admin freeing a number). False when it was not active. */
  async releaseBooking(bookingId: string): Promise<boolean> {
    if (!isBookingId(bookingId)) return false;
    const [booking] = await this.deps.db.select().from(bookings).where(eq(bookings.id, bookingId));
    if (!booking) return false;
    return this.deps.db.transaction((tx) => this.closeBooking(tx, booking, this.now(), 'admin'));
  }

  private async getResourceById(id: number): Promise<ResourceView> {
    const now = this.now();
    const [row] = await this.deps.db.select().from(resources).where(eq(resources.id, id));
    if (!row) throw new NotFoundError('resource/resource_not_found', `Resource ${id} not found`);
    const active = await this.deps.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.resourceId, id), isNull(bookings.closedAt), gt(bookings.endsAt, now)))
      .orderBy(desc(bookings.startsAt));
    return resourceView(row, active.map(bookingView));
  }

  /** Runs an admin change in a transaction, then answers the group as it is after commit. */
  private async write(fn: (tx: Tx) => Promise<string>): Promise<ResourceGroupView>;
  private async write(fn: (tx: Tx) => Promise<number>): Promise<number>;
  private async write(fn: (tx: Tx) => Promise<string | number>): Promise<ResourceGroupView | number> {
    let result: string | number;
    try {
      result = await this.deps.db.transaction(fn);
    } catch (err) {
      throw mapUniqueViolation(err);
    }
    return typeof result === 'string' ? this.getGroup(result) : result;
  }

  private async insertGroup(
    tx: Tx,
    name: string,
    settings: ResourceGroupSettings,
  ): Promise<ResourceGroupRow> {
    const now = this.now();
    const [row] = await tx
      .insert(groups)
      .values({ name, ...settings, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: groups.name })
      .returning();
    if (!row) throw new ConflictError('resource/group_exists', `Resource group '${name}' already exists`);
    return row;
  }

  private async updateGroupIn(
    tx: Tx,
    group: ResourceGroupRow,
    settings: ResourceGroupSettings,
    newName: string | null,
  ): Promise<void> {
    const now = this.now();
    const renamed = newName !== null && newName !== group.name;
    const changed =
      renamed ||
      settings.allocation !== group.allocation ||
      settings.locking !== group.locking ||
      settings.bookingExpirationTimeout !== group.bookingExpirationTimeout;
    if (!changed) return;
    if (renamed) {
      const [clash] = await tx.select({ id: groups.id }).from(groups).where(eq(groups.name, newName));
      if (clash)
        throw new ConflictError('resource/group_exists', `Resource group '${newName}' already exists`);
    }
    if (settings.locking !== group.locking) await this.switchLocking(tx, group, settings.locking, now);
    await tx
      .update(groups)
      .set({ ...settings, ...(renamed ? { name: newName } : {}), updatedAt: now })
      .where(eq(groups.id, group.id));
  }

  /**
   * Switching locking while numbers are booked, under the group row lock (allocators hold KEY SHARE
   * on it, so none runs meanwhile):
   * - off → on: each number is held until its last shared booking ends (no owner, so only expiry or
   *   the release of those bookings frees it); a shared booking never overlaps a locking one.
   * - on → off: the locking bookings become shared ones (released through the shared path).
   */
  private async switchLocking(tx: Tx, group: ResourceGroupRow, locking: boolean, now: Date): Promise<void> {
    if (locking) {
      await tx
        .update(resources)
        .set({
          bookedBy: null,
          bookingId: null,
          bookingVersion: sql`${resources.bookingVersion} + 1`,
          bookedUntil: sql`(select max(b.ends_at) from resource_bookings b where b.resource_id = ${resources.id} and b.closed_at is null and b.ends_at > ${iso(now)}::timestamptz)`,
          updatedAt: now,
        })
        .where(eq(resources.groupId, group.id));
    } else {
      await tx
        .update(bookings)
        .set({ locking: false, updatedAt: now })
        .where(and(eq(bookings.groupId, group.id), isNull(bookings.closedAt)));
      await tx
        .update(resources)
        .set({ bookedBy: null, bookingId: null, updatedAt: now })
        .where(eq(resources.groupId, group.id));
    }
  }

  private async insertResource(
    tx: Tx,
    group: ResourceGroupRow,
    entry: { name: string; accessNumber: string },
  ): Promise<ResourceRow> {
    await this.assertNameFree(tx, group, entry.name);
    await this.assertNumberFree(tx, entry.accessNumber, null);
    const now = this.now();
    const [row] = await tx
      .insert(resources)
      .values({
        groupId: group.id,
        name: entry.name,
        accessNumber: entry.accessNumber,
        numberKey: numberKey(entry.accessNumber),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) throw new Error('resource insert returned no row');
    return row;
  }

  private async assertNameFree(tx: Tx, group: ResourceGroupRow, name: string): Promise<void> {
    const [clash] = await tx
      .select({ id: resources.id })
      .from(resources)
      .where(and(eq(resources.groupId, group.id), eq(resources.name, name)));
    if (clash)
      throw new ConflictError(
        'resource/duplicate_resource',
        `Resource group '${group.name}' already has a resource named '${name}'`,
      );
  }

  /** Access numbers are unique across groups: a dialled number must lead to one pool. */
  private async assertNumberFree(tx: Tx, accessNumber: string, exceptId: number | null): Promise<void> {
    const [clash] = await tx
      .select({ name: resources.name, group: groups.name })
      .from(resources)
      .innerJoin(groups, eq(groups.id, resources.groupId))
      .where(
        and(
          eq(resources.numberKey, numberKey(accessNumber)),
          exceptId === null ? undefined : ne(resources.id, exceptId),
        ),
      );
    if (clash)
      throw new ConflictError(
        'resource/duplicate_access_number',
        `Access number ${accessNumber} is already resource '${clash.name}' of group '${clash.group}'`,
      );
  }

  private async findGroup(db: DbOrTx, name: string): Promise<ResourceGroupRow> {
    const [group] = await db
      .select()
      .from(groups)
      .where(eq(groups.name, (name ?? '').trim()));
    if (!group) throw groupNotFound(name);
    return group;
  }

  /** Locks a group against allocations too (they hold the same advisory lock shared). */
  private async lockGroup(tx: Tx, name: string): Promise<ResourceGroupRow> {
    await this.lockGroupName(tx, name);
    const [group] = await tx
      .select()
      .from(groups)
      .where(eq(groups.name, (name ?? '').trim()))
      .for('update');
    if (!group) throw groupNotFound(name);
    return group;
  }

  private async lockGroupName(tx: Tx, name: string): Promise<void> {
    await tx.execute(
      sql`select pg_advisory_xact_lock(${GROUP_LOCK_SPACE}, hashtext(${(name ?? '').trim()}))`,
    );
  }

  private async lockResource(tx: Tx, group: ResourceGroupRow, name: string): Promise<ResourceRow> {
    const [row] = await tx
      .select()
      .from(resources)
      .where(and(eq(resources.groupId, group.id), eq(resources.name, (name ?? '').trim())))
      .for('update');
    if (!row)
      throw new NotFoundError(
        'resource/resource_not_found',
        `Resource group '${group.name}' has no resource named '${name}'`,
      );
    return row;
  }

  /** Ends every active booking of these (locked) resources, or refuses when not forced. */
  private async closeAllOn(
    tx: Tx,
    rows: ResourceRow[],
    group: ResourceGroupRow,
    force: boolean,
    what: 'group' | 'resource',
  ): Promise<void> {
    if (rows.length === 0) return;
    const now = this.now();
    const active = await tx
      .select()
      .from(bookings)
      .where(
        and(
          inArray(
            bookings.resourceId,
            rows.map((r) => r.id),
          ),
          isNull(bookings.closedAt),
          gt(bookings.endsAt, now),
        ),
      );
    if (active.length > 0 && !force) {
      const subject = what === 'group' ? `Resource group '${group.name}'` : `Resource '${rows[0]?.name}'`;
      throw new ConflictError(
        what === 'group' ? 'resource/group_booked' : 'resource/resource_booked',
        `${subject} has ${active.length} active booking(s); end them first or use force`,
      );
    }
    for (const b of active) await this.closeBooking(tx, b, now, 'admin');
  }

  // ------------------------------------------------------------------------------------------------
  // Provisioning

  /** Current state in the provisioning file's shape (group name → settings and resources). */
  async exportConfig(): Promise<Record<string, ResourceGroupConfig>> {
    const all = await this.listGroups();
    return Object.fromEntries(
      all.map((g) => [
        g.name,
        {
          allocation: g.allocation,
          locking: g.locking,
          bookingExpirationTimeout: g.bookingExpirationTimeout,
          resources: Object.fromEntries(g.resources.map((r) => [r.name, r.accessNumber])),
        },
      ]),
    );
  }

  /**
   * Makes the named groups exactly as configured, in one transaction; groups not named are left
   * alone. Idempotent. The file wins: a resource that disappears or changes number is removed even
   * when booked (its bookings end), so a rolling deploy never stalls on a busy number.
   */
  async applyConfig(config: Record<string, ResourceGroupConfig>): Promise<void> {
    const names = Object.keys(config).map((n) => validName(n, 'resource_groups', 'Resource group'));
    try {
      await this.deps.db.transaction(async (tx) => {
        const existing = new Map<string, ResourceGroupRow>();
        // Sorted, so two concurrent applies cannot deadlock on each other's group locks.
        for (const name of [...names].sort()) await this.lockGroupName(tx, name);
        // Pass 1: remove what goes away, so numbers that move between resources or groups are free.
        for (const name of names) {
          const wanted = config[name] as ResourceGroupConfig;
          const [group] = await tx.select().from(groups).where(eq(groups.name, name)).for('update');
          if (!group) continue;
          existing.set(name, group);
          const rows = await tx.select().from(resources).where(eq(resources.groupId, group.id)).for('update');
          const stale = rows.filter((r) => wanted.resources[r.name] !== r.accessNumber);
          await this.closeAllOn(tx, stale, group, true, 'resource');
          if (stale.length > 0)
            await tx.delete(resources).where(
              inArray(
                resources.id,
                stale.map((r) => r.id),
              ),
            );
        }
        // Pass 2: create or update groups and add the missing resources.
        for (const name of names) {
          const wanted = config[name] as ResourceGroupConfig;
          const settings: ResourceGroupSettings = {
            allocation: parseAllocation(wanted.allocation, `resource_groups.${name}.allocation`),
            locking: wanted.locking,
            bookingExpirationTimeout: validTimeoutSeconds(
              wanted.bookingExpirationTimeout,
              `resource_groups.${name}.booking_expiration_timeout`,
            ),
          };
          let group = existing.get(name);
          if (group) await this.updateGroupIn(tx, group, settings, null);
          else group = await this.insertGroup(tx, name, settings);
          const present = new Set(
            (
              await tx.select({ name: resources.name }).from(resources).where(eq(resources.groupId, group.id))
            ).map((r) => r.name),
          );
          for (const [resourceName, accessNumber] of Object.entries(wanted.resources)) {
            const field = `resource_groups.${name}.resources.${resourceName}`;
            const entry = {
              name: validName(resourceName, field, 'Resource'),
              accessNumber: validAccessNumber(accessNumber, field),
            };
            if (!present.has(entry.name)) await this.insertResource(tx, group, entry);
          }
        }
      });
    } catch (err) {
      throw mapUniqueViolation(err);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Allocation

  /**
   * Books an access number of `group` for a session (request-interaction, request-access).
   * Locking group with every number booked → UnavailableError `resource/pool_exhausted` (503) at once.
   */
  async allocate(input: AllocateInput): Promise<Allocation> {
    const groupName = (input.group ?? '').trim();
    if (!groupName)
      throw new ValidationError('resource/group_required', 'A resource group is required', 'group');
    const sessionId = (input.sessionId ?? '').trim();
    if (!sessionId)
      throw new ValidationError('resource/session_required', 'A session id is required', 'sessionId');
    const codeLength = input.provideCode
      ? validCodeLength(input.accessCodeLength ?? DEFAULT_ACCESS_CODE_LENGTH)
      : null;
    const timeoutOverride =
      input.bookingTimeoutSeconds == null
        ? null
        : validTimeoutSeconds(input.bookingTimeoutSeconds, 'bookingTimeoutSeconds');
    const phoneNumber = input.phoneNumber?.trim() || null;

    let outcome: AllocateOutcome;
    try {
      outcome = await this.deps.db.transaction((tx) =>
        this.allocateIn(tx, { groupName, sessionId, codeLength, timeoutOverride, phoneNumber }),
      );
    } catch (err) {
      // The exclusion constraint fired: the invariant held, but something bypassed the claim.
      if (pgErrorOf(err)?.code === '23P01') {
        this.deps.logger.error('resource booking overlap rejected by the database', {
          err,
          group: groupName,
        });
        throw new UnavailableError(
          'resource/booking_conflict',
          'No access number could be booked; try again',
        );
      }
      throw err;
    }
    if (outcome.kind === 'exhausted') {
      if (outcome.total === 0)
        throw new UnavailableError(
          'resource/pool_empty',
          `Resource group '${outcome.group}' has no access numbers`,
        );
      throw new UnavailableError(
        'resource/pool_exhausted',
        `All ${outcome.total} access numbers of resource group '${outcome.group}' are booked`,
      );
    }
    return outcome.allocation;
  }

  private async allocateIn(
    tx: Tx,
    req: {
      groupName: string;
      sessionId: string;
      codeLength: number | null;
      timeoutOverride: number | null;
      phoneNumber: string | null;
    },
  ): Promise<AllocateOutcome> {
    const now = this.now();
    // Allocations share this lock and run side by side; a locking switch takes it exclusively. An
    // advisory lock, not KEY SHARE on the group row: hundreds of row sharers churn multixacts.
    await tx.execute(
      sql`select pg_advisory_xact_lock_shared(${GROUP_LOCK_SPACE}, hashtext(${req.groupName}))`,
    );
    const [group] = await tx.select().from(groups).where(eq(groups.name, req.groupName));
    if (!group) throw groupNotFound(req.groupName);
    const timeoutSeconds = req.timeoutOverride ?? group.bookingExpirationTimeout;
    const until = new Date(now.getTime() + timeoutSeconds * 1000);
    const bookingId = randomUUID();

    const row = group.locking
      ? await this.claimFree(tx, group, { now, until, sessionId: req.sessionId, bookingId })
      : await this.pickShared(tx, group, { now, until });
    if (!row) {
      const [count] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(resources)
        .where(eq(resources.groupId, group.id));
      const total = Number(count?.n ?? 0);
      await this.recordEvents(tx, [
        {
          kind: 'exhausted',
          occurredAt: now,
          groupId: group.id,
          groupName: group.name,
          sessionId: req.sessionId,
          reason: total === 0 ? 'empty' : null,
        },
      ]);
      return { kind: 'exhausted', group: group.name, total };
    }

    // Bookings of this number that have run out get closed now: their codes are free again and the
    // previous holder's expiry is on record before the next booking starts.
    await this.closeExpired(tx, now, eq(bookings.resourceId, row.id));

    const values = {
      id: bookingId,
      resourceId: row.id,
      groupId: group.id,
      sessionId: req.sessionId,
      phoneNumber: req.phoneNumber,
      phoneKey: req.phoneNumber ? numberKey(req.phoneNumber) : null,
      locking: group.locking,
      version: row.bookingVersion,
      startsAt: now,
      endsAt: until,
      createdAt: now,
      updatedAt: now,
    };
    let accessCode: string | null = null;
    if (req.codeLength === null) {
      await tx.insert(bookings).values({ ...values, accessCode: null });
    } else {
      let inserted = false;
      for (let attempt = 0; attempt < CODE_ATTEMPTS && !inserted; attempt++) {
        accessCode = randomAccessCode(req.codeLength);
        const rows = await tx
          .insert(bookings)
          .values({ ...values, accessCode })
          .onConflictDoNothing({
            target: [bookings.resourceId, bookings.accessCode],
            where: sql`closed_at is null and access_code is not null`,
          })
          .returning({ id: bookings.id });
        inserted = rows.length > 0;
      }
      if (!inserted)
        throw new UnavailableError(
          'resource/access_codes_exhausted',
          `No free ${req.codeLength}-digit access code on ${row.accessNumber}; use longer codes`,
        );
    }
    await this.recordEvents(tx, [
      {
        kind: 'allocated',
        occurredAt: now,
        groupId: group.id,
        groupName: group.name,
        resource: row,
        bookingId,
        sessionId: req.sessionId,
      },
    ]);
    return {
      kind: 'allocated',
      allocation: {
        bookingId,
        group: group.name,
        resourceName: row.name,
        accessNumber: row.accessNumber,
        accessCode,
        startsAt: now,
        expiresAt: until,
        timeoutSeconds,
      },
    };
  }

  private orderFor(allocation: AllocationStrategy): SQL[] {
    return allocation === 'round-robin'
      ? [sql`${resources.rotation} asc nulls first`, asc(resources.id)]
      : [sql`random()`];
  }

  /**
   * Locking groups: claims one free number with a single statement. "Free" is decided on the row the
   * statement locks, and a row a concurrent claim updated is re-checked (READ COMMITTED re-evaluates
   * the WHERE on the new version), so two claims never get the same number.
   */
  private async claimFree(
    tx: Tx,
    group: ResourceGroupRow,
    b: { now: Date; until: Date; sessionId: string; bookingId: string },
  ): Promise<ResourceRow | null> {
    const pick = tx
      .select({ id: resources.id })
      .from(resources)
      .where(
        and(
          eq(resources.groupId, group.id),
          or(isNull(resources.bookedUntil), lte(resources.bookedUntil, b.now)),
        ),
      )
      .orderBy(...this.orderFor(group.allocation))
      .limit(1)
      .for('update', { skipLocked: true });
    const [row] = await tx
      .update(resources)
      .set({
        bookedBy: b.sessionId,
        bookedUntil: b.until,
        bookingId: b.bookingId,
        bookingVersion: sql`${resources.bookingVersion} + 1`,
        rotation: sql`nextval('resource_rotation_seq')`,
        lastAllocatedAt: b.now,
        updatedAt: b.now,
      })
      .where(sql`${resources.id} = (${pick})`)
      .returning();
    return row ?? null;
  }

  /**
   * Shared groups: any number will do, but free ones first (fewer sessions behind one number makes
   * matching less ambiguous). SKIP LOCKED spreads concurrent allocations over the pool; when every
   * row is momentarily locked the fallback waits its turn rather than failing.
   */
  private async pickShared(
    tx: Tx,
    group: ResourceGroupRow,
    b: { now: Date; until: Date },
  ): Promise<ResourceRow | null> {
    const busyLast = sql`coalesce(${resources.bookedUntil} > ${iso(b.now)}::timestamptz, false)`;
    const base = () =>
      tx
        .select({ id: resources.id })
        .from(resources)
        .where(eq(resources.groupId, group.id))
        .orderBy(busyLast, ...this.orderFor(group.allocation))
        .limit(1);
    const set = {
      bookedUntil: sql`greatest(${resources.bookedUntil}, ${iso(b.until)}::timestamptz)`,
      rotation: sql`nextval('resource_rotation_seq')`,
      lastAllocatedAt: b.now,
      updatedAt: b.now,
    };
    const [row] = await tx
      .update(resources)
      .set(set)
      .where(sql`${resources.id} = (${base().for('update', { skipLocked: true })})`)
      .returning();
    if (row) return row;
    const [waited] = await tx
      .update(resources)
      .set(set)
      .where(sql`${resources.id} = (${base()})`)
      .returning();
    return waited ?? null;
  }

  /**
   * Moves a booking's expiry to now + `seconds`. Compare-and-set: only the session holding the
   * still-active booking can; anything else → NotFoundError `resource/booking_not_found`.
   */
  async extend(input: { bookingId: string; sessionId: string; seconds: number }): Promise<Allocation> {
    validTimeoutSeconds(input.seconds, 'seconds');
    const now = this.now();
    const until = new Date(now.getTime() + input.seconds * 1000);
    const notFound = () =>
      new NotFoundError(
        'resource/booking_not_found',
        `Booking ${input.bookingId} is not active for session ${input.sessionId}`,
      );
    if (!isBookingId(input.bookingId)) throw notFound();
    const [booking] = await this.deps.db.select().from(bookings).where(eq(bookings.id, input.bookingId));
    if (!booking || booking.sessionId !== input.sessionId || !isActive(booking, now)) throw notFound();
    return this.deps.db.transaction(async (tx) => {
      const holder = booking.locking
        ? await tx
            .update(resources)
            .set({ bookedUntil: until, updatedAt: now })
            .where(this.heldBy(booking, now))
            .returning()
        : await tx
            .update(resources)
            .set({
              bookedUntil: sql`greatest(${resources.bookedUntil}, ${iso(until)}::timestamptz)`,
              updatedAt: now,
            })
            .where(eq(resources.id, booking.resourceId))
            .returning();
      const [resource] = holder;
      if (!resource) throw notFound();
      const [updated] = await tx
        .update(bookings)
        .set({ endsAt: until, updatedAt: now })
        .where(this.openBooking(booking, now))
        .returning();
      if (!updated) throw notFound();
      const [group] = await tx
        .select({ name: groups.name })
        .from(groups)
        .where(eq(groups.id, resource.groupId));
      return {
        bookingId: updated.id,
        group: group?.name ?? '',
        resourceName: resource.name,
        accessNumber: resource.accessNumber,
        accessCode: updated.accessCode,
        startsAt: updated.startsAt,
        expiresAt: updated.endsAt,
        timeoutSeconds: input.seconds,
      };
    });
  }

  /** Releases one booking of a session. False when it was no longer active (expired, matched, …). */
  async release(input: { bookingId: string; sessionId: string }): Promise<boolean> {
    if (!isBookingId(input.bookingId)) return false;
    const [booking] = await this.deps.db.select().from(bookings).where(eq(bookings.id, input.bookingId));
    if (!booking || booking.sessionId !== input.sessionId) return false;
    return this.deps.db.transaction((tx) => this.closeBooking(tx, booking, this.now(), 'released'));
  }

  /** Releases every active booking of a session (the session stopped or expired). Returns how many. */
  async releaseSession(sessionId: string): Promise<number> {
    const now = this.now();
    const open = await this.deps.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.sessionId, sessionId), isNull(bookings.closedAt), gt(bookings.endsAt, now)));
    let released = 0;
    for (const booking of open)
      if (await this.deps.db.transaction((tx) => this.closeBooking(tx, booking, now, 'session'))) released++;
    return released;
  }

  /** The resources row still held by this very booking (locking groups): the compare-and-set key. */
  private heldBy(booking: ResourceBookingRow, now: Date): SQL | undefined {
    return and(
      eq(resources.id, booking.resourceId),
      eq(resources.bookedBy, booking.sessionId),
      eq(resources.bookingVersion, booking.version),
      gt(resources.bookedUntil, now),
    );
  }

  private openBooking(booking: ResourceBookingRow, now: Date): SQL | undefined {
    return and(
      eq(bookings.id, booking.id),
      eq(bookings.sessionId, booking.sessionId),
      isNull(bookings.closedAt),
      gt(bookings.endsAt, now),
    );
  }

  /**
   * Ends an active booking early. Locking: frees the number only if this booking still holds it
   * (compare-and-set), so a late release never frees someone else's newer booking. Shared: the
   * number's held-until becomes that of its remaining bookings. False when nothing was active.
   */
  private async closeBooking(
    tx: Tx,
    booking: ResourceBookingRow,
    now: Date,
    reason: Exclude<BookingCloseReason, 'expired'>,
  ): Promise<boolean> {
    if (booking.locking) {
      const freed = await tx
        .update(resources)
        .set({ bookedBy: null, bookedUntil: null, bookingId: null, updatedAt: now })
        .where(this.heldBy(booking, now))
        .returning({ id: resources.id });
      if (freed.length === 0) return false;
    } else {
      await tx
        .select({ id: resources.id })
        .from(resources)
        .where(eq(resources.id, booking.resourceId))
        .for('update');
    }
    const [closed] = await tx
      .update(bookings)
      .set({
        closedAt: now,
        closeReason: reason,
        endsAt: sql`greatest(${bookings.startsAt}, ${iso(now)}::timestamptz)`,
        updatedAt: now,
      })
      .where(this.openBooking(booking, now))
      .returning();
    if (!closed) return false;
    if (!booking.locking) {
      await tx
        .update(resources)
        .set({
          bookedUntil: sql`(select max(b.ends_at) from resource_bookings b where b.resource_id = ${booking.resourceId} and b.closed_at is null and b.ends_at > ${iso(now)}::timestamptz)`,
          updatedAt: now,
        })
        .where(eq(resources.id, booking.resourceId));
    }
    const ctx = await this.eventContext(tx, [booking.resourceId]);
    const where = ctx.get(booking.resourceId);
    await this.recordEvents(tx, [
      {
        kind: 'released',
        occurredAt: now,
        groupId: where?.groupId ?? booking.groupId,
        groupName: where?.groupName ?? '',
        resource: where?.resource ?? null,
        bookingId: booking.id,
        sessionId: booking.sessionId,
        reason,
      },
    ]);
    return true;
  }

  // ------------------------------------------------------------------------------------------------
  // Matching

  /**
   * Finds the session an incoming call belongs to (match-interaction) among active bookings of the
   * dialled number: DNIS only, DNIS + ANI, DNIS + access code; the most recent when several fit.
   * The match releases the booking. No match → NotFoundError `resource/no_match` (404).
   */
  async match(input: MatchInput): Promise<MatchResult> {
    const dialled = validAccessNumber(input.accessNumber, 'accessNumber');
    const key = numberKey(dialled);
    const call = {
      phoneKey: input.phoneNumber?.trim() ? numberKey(input.phoneNumber) : null,
      accessCode: input.accessCode?.trim() || null,
    };
    for (let attempt = 0; attempt < MATCH_ATTEMPTS; attempt++) {
      const now = this.now();
      const rows = await this.deps.db
        .select({ b: bookings, r: resources, group: groups.name })
        .from(bookings)
        .innerJoin(resources, eq(resources.id, bookings.resourceId))
        .innerJoin(groups, eq(groups.id, resources.groupId))
        .where(and(eq(resources.numberKey, key), isNull(bookings.closedAt), gt(bookings.endsAt, now)))
        .orderBy(desc(bookings.startsAt))
        .limit(1000);
      const ranked = rankCandidates(
        rows.map((row) => ({
          ...row,
          phoneKey: row.b.phoneKey,
          accessCode: row.b.accessCode,
          startsAt: row.b.startsAt,
        })),
        call,
      );
      const best = ranked[0];
      if (!best) break;
      const won = await this.deps.db.transaction((tx) => this.closeBooking(tx, best.b, now, 'matched'));
      if (won)
        return {
          sessionId: best.b.sessionId,
          bookingId: best.b.id,
          group: best.group,
          resourceName: best.r.name,
          accessNumber: best.r.accessNumber,
          phoneNumber: best.b.phoneNumber,
        };
      // Someone else's match or an expiry closed it first: look again.
    }
    throw new NotFoundError('resource/no_match', `No active session matches a call to ${dialled}`);
  }

  // ------------------------------------------------------------------------------------------------
  // Housekeeping

  /**
   * Closes bookings whose time ran out and clears their numbers' held state, recording one `expired`
   * event per booking. Not needed for correctness (reads compare `ends_at` with now); idempotent and
   * safe on any number of instances at once (SKIP LOCKED batches). Returns the bookings closed.
   */
  async sweepExpired(): Promise<number> {
    const now = this.now();
    let total = 0;
    for (;;) {
      const n = await this.deps.db.transaction((tx) => this.closeExpired(tx, now, undefined));
      total += n;
      if (n < SWEEP_BATCH) break;
    }
    const stale = this.deps.db
      .select({ id: resources.id })
      .from(resources)
      .where(lte(resources.bookedUntil, now))
      .limit(SWEEP_BATCH)
      .for('update', { skipLocked: true });
    await this.deps.db
      .update(resources)
      .set({ bookedBy: null, bookedUntil: null, bookingId: null, updatedAt: now })
      .where(inArray(resources.id, stale));
    return total;
  }

  private async closeExpired(tx: Tx, now: Date, scope: SQL | undefined): Promise<number> {
    const due = tx
      .select({ id: bookings.id })
      .from(bookings)
      .where(and(isNull(bookings.closedAt), lte(bookings.endsAt, now), scope))
      .orderBy(asc(bookings.endsAt))
      .limit(SWEEP_BATCH)
      .for('update', { skipLocked: true });
    const closed = await tx
      .update(bookings)
      .set({ closedAt: now, closeReason: 'expired', updatedAt: now })
      .where(inArray(bookings.id, due))
      .returning();
    if (closed.length === 0) return 0;
    const ctx = await this.eventContext(tx, [...new Set(closed.map((b) => b.resourceId))]);
    await this.recordEvents(
      tx,
      closed.map((b) => {
        const where = ctx.get(b.resourceId);
        return {
          kind: 'expired' as const,
          occurredAt: b.endsAt,
          groupId: where?.groupId ?? b.groupId,
          groupName: where?.groupName ?? '',
          resource: where?.resource ?? null,
          bookingId: b.id,
          sessionId: b.sessionId,
        };
      }),
    );
    return closed.length;
  }

  private async eventContext(
    tx: Tx,
    resourceIds: number[],
  ): Promise<
    Map<
      number,
      { groupId: number; groupName: string; resource: { id: number; name: string; accessNumber: string } }
    >
  > {
    if (resourceIds.length === 0) return new Map();
    const rows = await tx
      .select({
        id: resources.id,
        name: resources.name,
        accessNumber: resources.accessNumber,
        groupId: groups.id,
        groupName: groups.name,
      })
      .from(resources)
      .innerJoin(groups, eq(groups.id, resources.groupId))
      .where(inArray(resources.id, resourceIds));
    return new Map(
      rows.map((r) => [
        r.id,
        {
          groupId: r.groupId,
          groupName: r.groupName,
          resource: { id: r.id, name: r.name, accessNumber: r.accessNumber },
        },
      ]),
    );
  }

  private async recordEvents(tx: Tx, list: EventInput[]): Promise<void> {
    if (list.length === 0) return;
    const now = this.now();
    await tx.insert(events).values(
      list.map((e) => ({
        occurredAt: e.occurredAt,
        kind: e.kind,
        groupId: e.groupId,
        groupName: e.groupName,
        resourceId: e.resource?.id ?? null,
        resourceName: e.resource?.name ?? null,
        accessNumber: e.resource?.accessNumber ?? null,
        bookingId: e.bookingId ?? null,
        sessionId: e.sessionId ?? null,
        reason: e.reason ?? null,
        createdAt: now,
      })),
    );
  }
}

// ---------------------------------------------------------------------------------------------------

const groupNotFound = (name: string) =>
  new NotFoundError('resource/group_not_found', `Resource group '${name}' not found`);

const defaultSettings = (): ResourceGroupSettings => ({
  allocation: 'random',
  locking: false,
  bookingExpirationTimeout: DEFAULT_BOOKING_TIMEOUT_SECONDS,
});

const groupSettings = (g: ResourceGroupRow): ResourceGroupSettings => ({
  allocation: g.allocation,
  locking: g.locking,
  bookingExpirationTimeout: g.bookingExpirationTimeout,
});

function mergeSettings(base: ResourceGroupSettings, patch: ResourceGroupPatch): ResourceGroupSettings {
  return {
    allocation: patch.allocation == null ? base.allocation : parseAllocation(patch.allocation),
    locking: patch.locking ?? base.locking,
    bookingExpirationTimeout:
      patch.bookingExpirationTimeout == null
        ? base.bookingExpirationTimeout
        : validTimeoutSeconds(patch.bookingExpirationTimeout, 'bookingExpirationTimeout'),
  };
}

const bookingView = (b: ResourceBookingRow): BookingView => ({
  id: b.id,
  sessionId: b.sessionId,
  phoneNumber: b.phoneNumber,
  hasAccessCode: b.accessCode !== null,
  startsAt: b.startsAt,
  expiresAt: b.endsAt,
});

const resourceView = (r: ResourceRow, active: BookingView[]): ResourceView => ({
  id: r.id,
  groupId: r.groupId,
  name: r.name,
  accessNumber: r.accessNumber,
  lastAllocatedAt: r.lastAllocatedAt,
  bookings: active,
});

const eventView = (e: ResourceEventRow): ResourceEventView => ({
  id: e.id,
  occurredAt: e.occurredAt,
  kind: e.kind,
  group: e.groupName,
  resourceName: e.resourceName,
  accessNumber: e.accessNumber,
  bookingId: e.bookingId,
  sessionId: e.sessionId,
  reason: e.reason,
});

/** Unique violations that slipped past the pre-checks (a concurrent admin) become 409s. */
function mapUniqueViolation(err: unknown): unknown {
  const pg = pgErrorOf(err);
  if (pg?.code !== '23505') return err;
  switch (pg.constraint) {
    case 'resource_groups_name_unique':
      return new ConflictError('resource/group_exists', 'A resource group with that name already exists');
    case 'resources_number_key_unique':
      return new ConflictError(
        'resource/duplicate_access_number',
        'That access number is already configured',
      );
    case 'resources_group_name_idx':
      return new ConflictError(
        'resource/duplicate_resource',
        'The group already has a resource with that name',
      );
    default:
      return err;
  }
}
