import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { preparedQuery } from '../../db/prepared-queries.js';
import { NotFoundError } from '../../errors.js';
import type { BookingContext } from './resource.history.js';
import { closeBooking } from './resource.release.js';
import { numberKey, rankCandidates, validAccessNumber } from './resource.rules.js';
import {
  resourceBookingsTable as bookings,
  resourceGroupsTable as groups,
  resourcesTable as resources,
} from './resource.tables.js';
import type { MatchInput, MatchResult } from './resource.types.js';

/** Re-reads when a matched booking was closed by a concurrent match or expiry. */
const MATCH_ATTEMPTS = 5;

/** The open bookings of a dialled number, newest first; built once (prepared-queries.ts). */
const openBookings = preparedQuery((db: DbOrTx) =>
  db
    .select({ b: bookings, r: resources, group: groups.name })
    .from(bookings)
    .innerJoin(resources, eq(resources.id, bookings.resourceId))
    .innerJoin(groups, eq(groups.id, resources.groupId))
    .where(
      and(
        eq(resources.numberKey, sql.placeholder('key')),
        isNull(bookings.closedAt),
        gt(bookings.endsAt, sql.placeholder('now')),
      ),
    )
    .orderBy(desc(bookings.startsAt))
    .limit(1000)
    .prepare('resource_open_bookings'),
);

/**
 * Finds the session an incoming call belongs to (match-interaction) among active bookings of the
 * dialled number: DNIS only, DNIS + ANI, DNIS + access code; the most recent when several fit.
 * The match releases the booking. No match → NotFoundError `resource/no_match` (404).
 */
export async function match(ctx: BookingContext, input: MatchInput): Promise<MatchResult> {
  const dialled = validAccessNumber(input.accessNumber, 'accessNumber');
  const key = numberKey(dialled);
  const call = {
    phoneKey: input.phoneNumber?.trim() ? numberKey(input.phoneNumber) : null,
    accessCode: input.accessCode?.trim() || null,
  };
  const db = ctx.deps.db;
  for (let attempt = 0; attempt < MATCH_ATTEMPTS; attempt++) {
    const now = ctx.deps.clock.now();
    const rows = await openBookings(db, { key, now: now.toISOString() });
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
    const won = await db.transaction((tx) => closeBooking(ctx, tx, best.b, now, 'matched'));
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
