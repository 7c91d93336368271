import { and, desc, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { NotFoundError } from '../../errors.js';
import { type BookingContext, eventContext, iso, recordEvents } from './resource.history.js';
import { validTimeoutSeconds } from './resource.rules.js';
import {
  type BookingCloseReason,
  resourceBookingsTable as bookings,
  resourceGroupsTable as groups,
  type ResourceBookingRow,
  resourcesTable as resources,
} from './resource.tables.js';
import { type Allocation, type BookingView, bookingView } from './resource.types.js';

/**
 * The life of a booking after allocation: extend, release (by its session, by the session ending,
 * by an admin), and the compare-and-set close every ending goes through.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Booking ids are UUIDs; anything else cannot name a booking (and must not reach a uuid column). */
export const isBookingId = (id: string) => UUID.test(id);
const isActive = (b: Pick<ResourceBookingRow, 'closedAt' | 'endsAt'>, now: Date) =>
  b.closedAt === null && b.endsAt.getTime() > now.getTime();

/** Active bookings of a session (what the session layer shows with the session). */
export async function sessionBookings(
  ctx: BookingContext,
  sessionId: string,
): Promise<(BookingView & { group: string; accessNumber: string })[]> {
  const now = ctx.deps.clock.now();
  const rows = await ctx.deps.db
    .select({ b: bookings, accessNumber: resources.accessNumber, group: groups.name })
    .from(bookings)
    .innerJoin(resources, eq(resources.id, bookings.resourceId))
    .innerJoin(groups, eq(groups.id, resources.groupId))
    .where(and(eq(bookings.sessionId, sessionId), isNull(bookings.closedAt), gt(bookings.endsAt, now)))
    .orderBy(desc(bookings.startsAt));
  return rows.map((r) => ({ ...bookingView(r.b), group: r.group, accessNumber: r.accessNumber }));
}

/** Ends one booking whoever holds it (an admin freeing a number). False when it was not active. */
export async function releaseBooking(ctx: BookingContext, bookingId: string): Promise<boolean> {
  if (!isBookingId(bookingId)) return false;
  const [booking] = await ctx.deps.db.select().from(bookings).where(eq(bookings.id, bookingId));
  if (!booking) return false;
  return ctx.deps.db.transaction((tx) => closeBooking(ctx, tx, booking, ctx.deps.clock.now(), 'admin'));
}

/**
 * Moves a booking's expiry to now + `seconds`. Compare-and-set: only the session holding the
 * still-active booking can; anything else → NotFoundError `resource/booking_not_found`.
 */
export async function extend(
  ctx: BookingContext,
  input: { bookingId: string; sessionId: string; seconds: number },
): Promise<Allocation> {
  validTimeoutSeconds(input.seconds, 'seconds');
  const db = ctx.deps.db;
  const now = ctx.deps.clock.now();
  const until = new Date(now.getTime() + input.seconds * 1000);
  const notFound = () =>
    new NotFoundError(
      'resource/booking_not_found',
      `Booking ${input.bookingId} is not active for session ${input.sessionId}`,
    );
  if (!isBookingId(input.bookingId)) throw notFound();
  const [booking] = await db.select().from(bookings).where(eq(bookings.id, input.bookingId));
  if (!booking || booking.sessionId !== input.sessionId || !isActive(booking, now)) throw notFound();
  return db.transaction(async (tx) => {
    const holder = booking.locking
      ? await tx
          .update(resources)
          .set({ bookedUntil: until, updatedAt: now })
          .where(heldBy(booking, now))
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
      .where(openBooking(booking, now))
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
export async function release(
  ctx: BookingContext,
  input: { bookingId: string; sessionId: string },
): Promise<boolean> {
  if (!isBookingId(input.bookingId)) return false;
  const [booking] = await ctx.deps.db.select().from(bookings).where(eq(bookings.id, input.bookingId));
  if (!booking || booking.sessionId !== input.sessionId) return false;
  return ctx.deps.db.transaction((tx) => closeBooking(ctx, tx, booking, ctx.deps.clock.now(), 'released'));
}

/**
 * Releases every active booking of a session (the session stopped or expired). Returns how many.
 * Given a transaction (a session-stop listener's), it runs inside it.
 */
export async function releaseSession(
  ctx: BookingContext,
  sessionId: string,
  db: DbOrTx = ctx.deps.db,
): Promise<number> {
  const now = ctx.deps.clock.now();
  const open = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.sessionId, sessionId), isNull(bookings.closedAt), gt(bookings.endsAt, now)));
  let released = 0;
  for (const booking of open) {
    // On a caller's transaction this is a savepoint, so one lost compare-and-set spoils nothing.
    if (await db.transaction((t) => closeBooking(ctx, t, booking, now, 'session'))) released++;
  }
  return released;
}

/** The resources row still held by this very booking (locking groups): the compare-and-set key. */
function heldBy(booking: ResourceBookingRow, now: Date): SQL | undefined {
  return and(
    eq(resources.id, booking.resourceId),
    eq(resources.bookedBy, booking.sessionId),
    eq(resources.bookingVersion, booking.version),
    gt(resources.bookedUntil, now),
  );
}

function openBooking(booking: ResourceBookingRow, now: Date): SQL | undefined {
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
export async function closeBooking(
  ctx: BookingContext,
  tx: Tx,
  booking: ResourceBookingRow,
  now: Date,
  reason: Exclude<BookingCloseReason, 'expired'>,
): Promise<boolean> {
  if (booking.locking) {
    const freed = await tx
      .update(resources)
      .set({ bookedBy: null, bookedUntil: null, bookingId: null, updatedAt: now })
      .where(heldBy(booking, now))
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
    .where(openBooking(booking, now))
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
  const where = (await eventContext(tx, [booking.resourceId])).get(booking.resourceId);
  await recordEvents(ctx, tx, [
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
