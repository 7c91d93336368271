import { and, asc, desc, eq, inArray, isNull, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import {
  resourceBookingsTable as bookings,
  resourceEventsTable as events,
  resourceGroupCountsTable as groupCounts,
  resourceGroupsTable as groups,
  type ResourceEventKind,
  resourcesTable as resources,
} from './resource.tables.js';
import { eventView, type ResourceEventView } from './resource.types.js';

/**
 * The usage history of the booking engine: `resource_events` and the matching activity rows of the
 * reports (with each group's booked/free counts, read from `resource_group_counts`), the expiry of
 * bookings whose time ran out, and the listing of events.
 */

/** What every part of the booking engine works with. */
export interface BookingContext {
  deps: Deps;
  activity: ActivityRecorder | null;
}

export interface EventInput {
  kind: ResourceEventKind;
  occurredAt: Date;
  groupId: number | null;
  groupName: string;
  resource?: { id: number; name: string; accessNumber: string } | null;
  bookingId?: string | null;
  sessionId?: string | null;
  reason?: string | null;
}

export const SWEEP_BATCH = 500;

export const iso = (d: Date) => d.toISOString();

export async function listEvents(
  ctx: BookingContext,
  options: { group?: string | null; limit?: number; before?: number | null } = {},
): Promise<ResourceEventView[]> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = await ctx.deps.db
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

/** Each group's numbers and held numbers (sums of its counter slots: a few rows, whatever the pool). */
export async function groupCountsOf(
  db: DbOrTx,
  groupIds: number[],
): Promise<Map<number, { total: number; booked: number }>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .select({
      groupId: groupCounts.groupId,
      total: sql<number>`sum(${groupCounts.total})::int`,
      booked: sql<number>`sum(${groupCounts.booked})::int`,
    })
    .from(groupCounts)
    .where(inArray(groupCounts.groupId, groupIds))
    .groupBy(groupCounts.groupId);
  return new Map(rows.map((c) => [c.groupId, { total: Number(c.total), booked: Number(c.booked) }]));
}

export async function recordEvents(ctx: BookingContext, tx: Tx, list: EventInput[]): Promise<void> {
  if (list.length === 0) return;
  const now = ctx.deps.clock.now();
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
  await recordActivity(ctx, tx, list);
}

/** The same events in the activity record (reports), with each group's booked/free counts now. */
async function recordActivity(ctx: BookingContext, tx: Tx, list: EventInput[]): Promise<void> {
  if (!ctx.activity) return;
  const ids = [...new Set(list.map((e) => e.groupId).filter((id): id is number => id !== null))];
  const byGroup = await groupCountsOf(tx, ids);
  await ctx.activity.record(
    tx,
    list.map((e) => {
      const c = (e.groupId === null ? undefined : byGroup.get(e.groupId)) ?? { total: 0, booked: 0 };
      return {
        category: 'resource' as const,
        kind: e.kind,
        group: e.groupName,
        booked: c.booked,
        free: c.total - c.booked,
        reason: e.reason ?? null,
        sessionId: e.sessionId ?? null,
        at: e.occurredAt,
      };
    }),
  );
}

/** Group and number of each resource, for history rows (names are copied into them). */
export async function eventContext(
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

/**
 * Closes bookings whose time ran out and clears their numbers' held state, recording one `expired`
 * event per booking. Not needed for correctness (reads compare `ends_at` with now); idempotent and
 * safe on any number of instances at once (SKIP LOCKED batches). Returns the bookings closed.
 */
export async function sweepExpired(ctx: BookingContext): Promise<number> {
  const now = ctx.deps.clock.now();
  // Numbers first: the held counts the expired events carry then no longer include them.
  const stale = ctx.deps.db
    .select({ id: resources.id })
    .from(resources)
    .where(lte(resources.bookedUntil, now))
    .limit(SWEEP_BATCH)
    .for('update', { skipLocked: true });
  await ctx.deps.db
    .update(resources)
    .set({ bookedBy: null, bookedUntil: null, bookingId: null, updatedAt: now })
    .where(inArray(resources.id, stale));
  let total = 0;
  for (;;) {
    const n = await ctx.deps.db.transaction((tx) => closeExpired(ctx, tx, now, undefined));
    total += n;
    if (n < SWEEP_BATCH) break;
  }
  return total;
}

export async function closeExpired(
  ctx: BookingContext,
  tx: Tx,
  now: Date,
  scope: SQL | undefined,
): Promise<number> {
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
  const where = await eventContext(tx, [...new Set(closed.map((b) => b.resourceId))]);
  await recordEvents(
    ctx,
    tx,
    closed.map((b) => {
      const at = where.get(b.resourceId);
      return {
        kind: 'expired' as const,
        occurredAt: b.endsAt,
        groupId: at?.groupId ?? b.groupId,
        groupName: at?.groupName ?? '',
        resource: at?.resource ?? null,
        bookingId: b.id,
        sessionId: b.sessionId,
      };
    }),
  );
  return closed.length;
}
