import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { pgErrorOf } from '../../db/pg-errors.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { type BookingEngine, GROUP_LOCK_SPACE, iso } from './resource.booking.js';
import { intArray } from './resource.bulk.js';
import {
  DEFAULT_BOOKING_TIMEOUT_SECONDS,
  numberKey,
  parseAllocation,
  validTimeoutSeconds,
} from './resource.rules.js';
import {
  resourceBookingsTable as bookings,
  resourceGroupsTable as groups,
  type ResourceGroupRow,
  type ResourceRow,
  resourcesTable as resources,
} from './resource.tables.js';
import type { ResourceGroupPatch, ResourceGroupSettings } from './resource.types.js';

/**
 * The row-level steps that administration and provisioning share, inside the caller's
 * transaction: group and number inserts and updates with their uniqueness checks (a number leads
 * to one pool), the locks (the group's advisory lock that allocations share, row locks), and
 * ending the bookings on numbers that go.
 */
export class ResourceGroupRows {
  constructor(
    private readonly deps: Deps,
    private readonly booking: BookingEngine,
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  async insertGroup(tx: Tx, name: string, settings: ResourceGroupSettings): Promise<ResourceGroupRow> {
    const now = this.now();
    const [row] = await tx
      .insert(groups)
      .values({ name, ...settings, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: groups.name })
      .returning();
    if (!row) throw new ConflictError('resource/group_exists', `Resource group '${name}' already exists`);
    return row;
  }

  async updateGroupIn(
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

  async insertResource(
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

  async assertNameFree(tx: Tx, group: ResourceGroupRow, name: string): Promise<void> {
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
  async assertNumberFree(tx: Tx, accessNumber: string, exceptId: number | null): Promise<void> {
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

  async findGroup(db: DbOrTx, name: string): Promise<ResourceGroupRow> {
    const [group] = await db
      .select()
      .from(groups)
      .where(eq(groups.name, (name ?? '').trim()));
    if (!group) throw groupNotFound(name);
    return group;
  }

  /** Locks a group against allocations too (they hold the same advisory lock shared). */
  async lockGroup(tx: Tx, name: string): Promise<ResourceGroupRow> {
    await this.lockGroupName(tx, name);
    const [group] = await tx
      .select()
      .from(groups)
      .where(eq(groups.name, (name ?? '').trim()))
      .for('update');
    if (!group) throw groupNotFound(name);
    return group;
  }

  async lockGroupName(tx: Tx, name: string): Promise<void> {
    await tx.execute(
      sql`select pg_advisory_xact_lock(${GROUP_LOCK_SPACE}, hashtext(${(name ?? '').trim()}))`,
    );
  }

  async lockResource(tx: Tx, group: ResourceGroupRow, name: string): Promise<ResourceRow> {
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
  async closeAllOn(
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
}

// ---------------------------------------------------------------------------------------------------
// Group settings and errors, shared with reads, administration and provisioning.

export const groupNotFound = (name: string) =>
  new NotFoundError('resource/group_not_found', `Resource group '${name}' not found`);

export const defaultSettings = (): ResourceGroupSettings => ({
  allocation: 'random',
  locking: false,
  bookingExpirationTimeout: DEFAULT_BOOKING_TIMEOUT_SECONDS,
});

export const groupSettings = (g: ResourceGroupRow): ResourceGroupSettings => ({
  allocation: g.allocation,
  locking: g.locking,
  bookingExpirationTimeout: g.bookingExpirationTimeout,
});

export function mergeSettings(base: ResourceGroupSettings, patch: ResourceGroupPatch): ResourceGroupSettings {
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
export function mapUniqueViolation(err: unknown): unknown {
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
