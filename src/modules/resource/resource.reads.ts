import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { NotFoundError } from '../../errors.js';
import { groupNotFound, groupSettings } from './resource.group-rows.js';
import {
  resourceBookingsTable as bookings,
  resourceGroupsTable as groups,
  resourcesTable as resources,
} from './resource.tables.js';
import {
  type BookingView,
  bookingView,
  type PoolHealth,
  type ResourceGroupView,
  type ResourceView,
  resourceView,
} from './resource.types.js';

/**
 * What the pools look like: groups with their numbers and active bookings, one number, and the
 * booked/free counts a live view polls. Read-only; bookings count while open and not yet expired.
 */
export class ResourceReads {
  constructor(private readonly deps: Deps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

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

  async getResourceById(id: number): Promise<ResourceView> {
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
}
