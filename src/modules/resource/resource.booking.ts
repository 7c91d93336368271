import { randomInt, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { NotFoundError, UnavailableError, ValidationError } from '../../errors.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import {
  type AllocationStrategy,
  DEFAULT_ACCESS_CODE_LENGTH,
  numberKey,
  pgErrorOf,
  randomAccessCode,
  rankCandidates,
  validAccessNumber,
  validCodeLength,
  validTimeoutSeconds,
} from './resource.rules.js';
import {
  type BookingCloseReason,
  resourceBookingsTable as bookings,
  resourceEventsTable as events,
  resourceGroupsTable as groups,
  type ResourceBookingRow,
  type ResourceEventKind,
  type ResourceGroupRow,
  type ResourceRow,
  resourcesTable as resources,
} from './resource.tables.js';
import {
  type AllocateInput,
  type Allocation,
  type BookingView,
  bookingView,
  eventView,
  type MatchInput,
  type MatchResult,
  type ResourceEventView,
} from './resource.types.js';

/** Insert attempts for a booking with a code (a concurrent booking may take the chosen code first). */
const CODE_ATTEMPTS = 20;
/** Guesses before choosing among the unused codes. */
const RANDOM_CODE_GUESSES = 5;
/** Code spaces up to this size (5 digits) can be listed to find the unused codes. */
const ENUMERABLE_CODE_SPACE = 100_000;
/** Claims tried while the pool still shows free numbers (they were released after the claim looked). */
const CLAIM_ATTEMPTS = 3;
/** Re-reads when a matched booking was closed by a concurrent match or expiry. */
const MATCH_ATTEMPTS = 5;
const SWEEP_BATCH = 500;
/** First key of the advisory locks that order allocations against group changes (second: name hash). */
export const GROUP_LOCK_SPACE = 727_002;

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
  | { kind: 'exhausted'; group: string; total: number; event: EventInput };

/**
 * A caller's transaction to book in (request-interaction books inside the transaction that creates
 * the session, so a failure leaves neither behind). `onRollback` runs after that transaction rolls
 * back: an exhaustion is still recorded for reporting even though the 503 undoes everything else.
 */
export interface AllocationScope {
  tx: DbOrTx;
  onRollback(fn: () => Promise<void>): void;
}

export const iso = (d: Date) => d.toISOString();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Booking ids are UUIDs; anything else cannot name a booking (and must not reach a uuid column). */
const isBookingId = (id: string) => UUID.test(id);
const isActive = (b: Pick<ResourceBookingRow, 'closedAt' | 'endsAt'>, now: Date) =>
  b.closedAt === null && b.endsAt.getTime() > now.getTime();

/**
 * The booking engine behind ResourceManager: allocation, release, extend, call matching, expiry and
 * the usage history (`resource_events`).
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
export class BookingEngine {
  constructor(
    private readonly deps: Deps,
    private readonly activity: ActivityRecorder | null = null,
  ) {}

  private now(): Date {
    return this.deps.clock.now();
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

  /** Ends one booking whoever holds it (an admin freeing a number). False when it was not active. */
  async releaseBooking(bookingId: string): Promise<boolean> {
    if (!isBookingId(bookingId)) return false;
    const [booking] = await this.deps.db.select().from(bookings).where(eq(bookings.id, bookingId));
    if (!booking) return false;
    return this.deps.db.transaction((tx) => this.closeBooking(tx, booking, this.now(), 'admin'));
  }

  // ------------------------------------------------------------------------------------------------
  // Allocation

  /**
   * Books an access number of `group` for a session (request-interaction, request-access).
   * Locking group with every number booked → UnavailableError `resource/pool_exhausted` (503) at once.
   */
  async allocate(input: AllocateInput, scope?: AllocationScope): Promise<Allocation> {
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

    const req = { groupName, sessionId, codeLength, timeoutOverride, phoneNumber };
    let outcome: AllocateOutcome;
    try {
      // Inside a caller's transaction, a savepoint keeps a constraint failure from poisoning it.
      outcome = scope
        ? await scope.tx.transaction((sp) => this.allocateIn(sp, req))
        : await this.deps.db.transaction((tx) => this.allocateIn(tx, req));
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
      const { event } = outcome;
      // A lost history row must never replace the 503 the caller is about to get.
      const record = () =>
        this.deps.db
          .transaction((tx) => this.recordEvents(tx, [event]))
          .catch((err: unknown) => this.deps.logger.error('recording a pool exhaustion failed', { err }));
      if (scope) scope.onRollback(record);
      else await record();
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

    let row: ResourceRow | null = null;
    for (let attempt = 1; ; attempt++) {
      row = group.locking
        ? await this.claimFree(tx, group, { now, until, sessionId: req.sessionId, bookingId })
        : await this.pickShared(tx, group, { now, until });
      if (row) break;
      // The claim saw the pool as of its statement's snapshot, so numbers released since then looked
      // booked. A fresh statement sees them: retry while some number is free, else it is exhaustion.
      const [count] = await tx
        .select({
          total: sql<number>`count(*)::int`,
          free: sql<number>`(count(*) filter (where ${or(isNull(resources.bookedUntil), lte(resources.bookedUntil, now))}))::int`,
        })
        .from(resources)
        .where(eq(resources.groupId, group.id));
      const total = Number(count?.total ?? 0);
      if (group.locking && Number(count?.free ?? 0) > 0 && attempt < CLAIM_ATTEMPTS) continue;
      const event: EventInput = {
        kind: 'exhausted',
        occurredAt: now,
        groupId: group.id,
        groupName: group.name,
        sessionId: req.sessionId,
        reason: total === 0 ? 'empty' : null,
      };
      return { kind: 'exhausted', group: group.name, total, event };
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
        // Random guesses first; once they keep colliding (a short code on a busy shared number), pick
        // among the codes still unused, so a free code is found whenever one exists.
        accessCode =
          attempt < RANDOM_CODE_GUESSES
            ? randomAccessCode(req.codeLength)
            : await this.unusedCode(tx, row.id, req.codeLength, now);
        if (accessCode === null) break;
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

  /** A random code of this length that no open booking of the number holds; null when none is left. */
  private async unusedCode(tx: Tx, resourceId: number, length: number, now: Date): Promise<string | null> {
    const space = 10 ** length;
    // Long codes: collisions are so unlikely that listing the space is pointless; keep guessing.
    if (space > ENUMERABLE_CODE_SPACE) return randomAccessCode(length);
    const open = await tx
      .select({ code: bookings.accessCode })
      .from(bookings)
      .where(and(eq(bookings.resourceId, resourceId), isNull(bookings.closedAt), gt(bookings.endsAt, now)));
    const used = new Set(open.map((b) => b.code));
    const free: string[] = [];
    for (let n = 0; n < space; n++) {
      const code = String(n).padStart(length, '0');
      if (!used.has(code)) free.push(code);
    }
    return free.length === 0 ? null : (free[randomInt(0, free.length)] as string);
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

  /**
   * Releases every active booking of a session (the session stopped or expired). Returns how many.
   * Given a transaction (a session-stop listener's), it runs inside it.
   */
  async releaseSession(sessionId: string, db: DbOrTx = this.deps.db): Promise<number> {
    const now = this.now();
    const open = await db
      .select()
      .from(bookings)
      .where(and(eq(bookings.sessionId, sessionId), isNull(bookings.closedAt), gt(bookings.endsAt, now)));
    let released = 0;
    for (const booking of open) {
      // On a caller's transaction this is a savepoint, so one lost compare-and-set spoils nothing.
      if (await db.transaction((t) => this.closeBooking(t, booking, now, 'session'))) released++;
    }
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
  async closeBooking(
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
    await this.recordActivity(tx, list, now);
  }

  /** The same events in the activity record (reports), with each group's booked/free counts now. */
  private async recordActivity(tx: Tx, list: EventInput[], now: Date): Promise<void> {
    if (!this.activity) return;
    const ids = [...new Set(list.map((e) => e.groupId).filter((id): id is number => id !== null))];
    const counts =
      ids.length === 0
        ? []
        : await tx
            .select({
              groupId: resources.groupId,
              total: sql<number>`count(*)::int`,
              booked: sql<number>`(count(*) filter (where ${resources.bookedUntil} > ${iso(now)}::timestamptz))::int`,
            })
            .from(resources)
            .where(inArray(resources.groupId, ids))
            .groupBy(resources.groupId);
    const byGroup = new Map(
      counts.map((c) => [c.groupId, { total: Number(c.total), booked: Number(c.booked) }]),
    );
    await this.activity.record(
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
}

const groupNotFound = (name: string) =>
  new NotFoundError('resource/group_not_found', `Resource group '${name}' not found`);
