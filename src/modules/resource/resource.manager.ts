import { and, asc, desc, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { pgErrorOf } from '../../db/pg-errors.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import { type AllocationScope, BookingEngine, GROUP_LOCK_SPACE, iso } from './resource.booking.js';
import { assertDistinct, type BulkEntry, insertBulk, intArray, lockBulk } from './resource.bulk.js';
import {
  DEFAULT_BOOKING_TIMEOUT_SECONDS,
  DEFAULT_GROUP_NAME,
  numberKey,
  parseAllocation,
  validAccessNumber,
  validName,
  validTimeoutSeconds,
} from './resource.rules.js';
import {
  resourceBookingsTable as bookings,
  resourceGroupsTable as groups,
  type ResourceGroupRow,
  type ResourceRow,
  resourcesTable as resources,
} from './resource.tables.js';
import {
  type AllocateInput,
  type Allocation,
  type BookingView,
  type BulkResult,
  bookingView,
  type MatchInput,
  type MatchResult,
  type PoolHealth,
  type ResourceEventView,
  type ResourceGroupConfig,
  type ResourceGroupInput,
  type ResourceGroupPatch,
  type ResourceGroupSettings,
  type ResourceGroupView,
  type ResourceView,
  resourceView,
} from './resource.types.js';

export type * from './resource.types.js';

export type MatchedListener = (match: MatchResult) => Promise<void>;

declare module '../../managers.types.js' {
  interface Managers {
    resources: ResourceManager;
  }
}

/**
 * Resource groups, access-number allocation and call matching (GMS request-interaction,
 * request-access, match-interaction). The session layer calls `allocate`, `releaseSession` and
 * `match`; admins and provisioning call the rest. Booking rules live in BookingEngine
 * (resource.booking.ts); this class adds administration and provisioning.
 */
export class ResourceManager {
  private readonly booking: BookingEngine;
  private readonly matchedListeners: MatchedListener[] = [];

  constructor(
    private readonly deps: Deps,
    activity: ActivityRecorder | null = null,
  ) {
    this.booking = new BookingEngine(deps, activity);
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  // ------------------------------------------------------------------------------------------------
  // Bookings (delegated)

  /**
   * Books an access number of `group` for a session (request-interaction, request-access).
   * Locking group with every number booked → UnavailableError `resource/pool_exhausted` (503) at once.
   */
  allocate(input: AllocateInput, scope?: AllocationScope): Promise<Allocation> {
    return this.booking.allocate(input, scope);
  }

  /** Moves a booking's expiry to now + `seconds`; only its session, only while active (else 404). */
  extend(input: { bookingId: string; sessionId: string; seconds: number }): Promise<Allocation> {
    return this.booking.extend(input);
  }

  /** Releases one booking of a session. False when it was no longer active (expired, matched, …). */
  release(input: { bookingId: string; sessionId: string }): Promise<boolean> {
    return this.booking.release(input);
  }

  /** Releases every active booking of a session (it stopped or expired). Returns how many. */
  releaseSession(sessionId: string, db?: DbOrTx): Promise<number> {
    return this.booking.releaseSession(sessionId, db);
  }

  /** Ends one booking whoever holds it (an admin freeing a number). False when it was not active. */
  releaseBooking(bookingId: string): Promise<boolean> {
    return this.booking.releaseBooking(bookingId);
  }

  /** The session an incoming call belongs to (match-interaction); releases its booking; else 404. */
  async match(input: MatchInput): Promise<MatchResult> {
    const result = await this.booking.match(input);
    for (const listener of this.matchedListeners) {
      // The match has committed (the booking is released); a listener's failure must not hide the
      // session from the IVR that asked, so it is logged rather than thrown.
      await listener(result).catch((err: unknown) =>
        this.deps.logger.error('match listener failed', { err, sessionId: result.sessionId }),
      );
    }
    return result;
  }

  /**
   * Called after every successful match (match-interaction, GraphQL matchAccessNumber): e.g. the
   * callback engine completes a user-originated callback whose customer has just called in.
   */
  onMatched(listener: MatchedListener): void {
    this.matchedListeners.push(listener);
  }

  /** Active bookings of a session. */
  sessionBookings(sessionId: string): Promise<(BookingView & { group: string; accessNumber: string })[]> {
    return this.booking.sessionBookings(sessionId);
  }

  /** Closes expired bookings and records their `expired` events (housekeeping; idempotent). */
  sweepExpired(): Promise<number> {
    return this.booking.sweepExpired();
  }

  listEvents(
    options: { group?: string | null; limit?: number; before?: number | null } = {},
  ): Promise<ResourceEventView[]> {
    return this.booking.listEvents(options);
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

  /**
   * Booked/free counts of every group, aggregated in SQL (no resource rows are read): what a live
   * view polls, cheap enough at 10,000 numbers.
   */
  async poolHealth(): Promise<{ group: string; health: PoolHealth }[]> {
    const now = this.now();
    const rows = await this.deps.db
      .select({
        group: groups.name,
        total: sql<number>`count(distinct ${resources.id})::int`,
        booked: sql<number>`count(distinct ${bookings.resourceId})::int`,
        activeBookings: sql<number>`count(${bookings.id})::int`,
      })
      .from(groups)
      .leftJoin(resources, eq(resources.groupId, groups.id))
      .leftJoin(
        bookings,
        and(eq(bookings.resourceId, resources.id), isNull(bookings.closedAt), gt(bookings.endsAt, now)),
      )
      .groupBy(groups.name)
      .orderBy(asc(groups.name));
    return rows.map((r) => {
      const total = Number(r.total);
      const booked = Number(r.booked);
      return {
        group: r.group,
        health: { total, booked, free: total - booked, activeBookings: Number(r.activeBookings) },
      };
    });
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

  /** Adds many numbers (a range or a CSV, parsed by resource.bulk.ts) in one transaction: all or none. */
  async addResources(groupName: string, entries: BulkEntry[]): Promise<BulkResult> {
    assertDistinct(entries);
    return this.bulk(groupName, (tx, group) => insertBulk(tx, group, entries, this.now()));
  }

  /** Removes many numbers of a group: all or none; booked ones only with `force` (their bookings end). */
  async removeResources(
    groupName: string,
    entries: BulkEntry[],
    options: { force?: boolean } = {},
  ): Promise<BulkResult> {
    assertDistinct(entries);
    return this.bulk(groupName, async (tx, group) => {
      const rows = await lockBulk(tx, group, entries);
      await this.closeAllOn(tx, rows, group, options.force ?? false, 'resource');
      await tx.delete(resources).where(sql`${resources.id} = any(${intArray(rows.map((r) => r.id))}::int[])`);
      return rows.length;
    });
  }

  private async bulk(
    groupName: string,
    fn: (tx: Tx, group: ResourceGroupRow) => Promise<number>,
  ): Promise<BulkResult> {
    let count: number;
    try {
      count = await this.deps.db.transaction(async (tx) => fn(tx, await this.findGroup(tx, groupName)));
    } catch (err) {
      throw mapUniqueViolation(err);
    }
    const [row] = await this.deps.db
      .select({ total: sql<number>`count(*)::int` })
      .from(resources)
      .innerJoin(groups, eq(groups.id, resources.groupId))
      .where(eq(groups.name, groupName.trim()));
    return { group: groupName.trim(), count, total: Number(row?.total ?? 0) };
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
    rows: Pick<ResourceRow, 'id' | 'name'>[],
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
          // One int[] parameter: a bulk removal may name more numbers than Postgres allows parameters.
          sql`${bookings.resourceId} = any(${intArray(rows.map((r) => r.id))}::int[])`,
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
    for (const b of active) await this.booking.closeBooking(tx, b, now, 'admin');
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
        const kept = new Map<string, Set<string>>();
        // Sorted, so two concurrent applies cannot deadlock on each other's group locks.
        for (const name of [...names].sort()) await this.lockGroupName(tx, name);
        // Pass 1: remove what goes away, so numbers that move between resources or groups are free.
        for (const name of names) {
          const wanted = config[name] as ResourceGroupConfig;
          const [group] = await tx.select().from(groups).where(eq(groups.name, name)).for('update');
          if (!group) continue;
          existing.set(name, group);
          // Only the rows that go are locked: FOR UPDATE writes every row it locks, and a re-applied
          // file with a 60,000-number pool would rewrite them all for nothing.
          const rows = await tx
            .select({ id: resources.id, name: resources.name, accessNumber: resources.accessNumber })
            .from(resources)
            .where(eq(resources.groupId, group.id));
          const stale = rows.filter((r) => wanted.resources[r.name] !== r.accessNumber);
          const going = new Set(stale);
          kept.set(name, new Set(rows.filter((r) => !going.has(r)).map((r) => r.name)));
          if (stale.length > 0)
            await tx
              .select({ id: resources.id })
              .from(resources)
              .where(sql`${resources.id} = any(${intArray(stale.map((r) => r.id))}::int[])`)
              .for('update');
          await this.closeAllOn(tx, stale, group, true, 'resource');
          if (stale.length > 0)
            await tx
              .delete(resources)
              .where(sql`${resources.id} = any(${intArray(stale.map((r) => r.id))}::int[])`);
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
          const present = kept.get(name) ?? new Set<string>();
          // The missing ones in one multi-row insert per batch (a pool of 60,000 numbers is seconds).
          const missing: BulkEntry[] = [];
          for (const [resourceName, accessNumber] of Object.entries(wanted.resources)) {
            const field = `resource_groups.${name}.resources.${resourceName}`;
            const entry = {
              name: validName(resourceName, field, 'Resource'),
              accessNumber: validAccessNumber(accessNumber, field),
              source: field,
              field,
            };
            if (!present.has(entry.name)) missing.push(entry);
          }
          await insertBulk(tx, group, missing, this.now());
        }
      });
    } catch (err) {
      throw mapUniqueViolation(err);
    }
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
