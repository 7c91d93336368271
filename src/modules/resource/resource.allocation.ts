import { randomInt, randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { pgErrorOf } from '../../db/pg-errors.js';
import { PreparedSql } from '../../db/prepared-queries.js';
import { NotFoundError, UnavailableError, ValidationError } from '../../errors.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import { type BookingContext, type EventInput, recordEvents } from './resource.history.js';
import {
  type AllocationStrategy,
  DEFAULT_ACCESS_CODE_LENGTH,
  numberKey,
  randomAccessCode,
  validCodeLength,
  validTimeoutSeconds,
} from './resource.rules.js';
import { resourceBookingsTable as bookings } from './resource.tables.js';
import type { AllocateInput, Allocation } from './resource.types.js';

/** First key of the advisory locks that order allocations against group changes (second: name hash). */
export const GROUP_LOCK_SPACE = 727_002;
/** Insert attempts for a booking with a code (a concurrent booking may take the chosen code first). */
const CODE_ATTEMPTS = 20;
/** Guesses before choosing among the unused codes. */
const RANDOM_CODE_GUESSES = 5;
/** Code spaces up to this size (5 digits) can be listed to find the unused codes. */
const ENUMERABLE_CODE_SPACE = 100_000;
/** Claims tried while the pool still shows free numbers (they were released after the claim looked). */
const CLAIM_ATTEMPTS = 3;

/**
 * A caller's transaction to book in (request-interaction books inside the transaction that creates
 * the session, so a failure leaves neither behind). `onRollback` runs after that transaction rolls
 * back: an exhaustion is still recorded for reporting even though the 503 undoes everything else.
 */
export interface AllocationScope {
  tx: DbOrTx;
  onRollback(fn: () => Promise<void>): void;
  /**
   * A statement of `tx` before this one already took the group's allocation lock
   * (`allocationLockPrelude`, sent with the session it books for): the claim is sent alone.
   */
  lockedGroup?: string;
}

/**
 * The allocation lock of `group` as a one-row CTE named `allocation_lock`, for a statement that runs
 * before the claim in the same transaction (request-interaction sends it in the statement that writes
 * the session: one statement fewer a request; issue 18). The claim's snapshot is then taken after
 * the lock is held, as with the lock statement; pass the same name as `AllocationScope.lockedGroup`.
 */
export function allocationLockPrelude(group: string) {
  return {
    name: 'allocation_lock',
    key: 'allocation_lock',
    build: () => sql`allocation_lock as (select ${sharedGroupLock('prelude_group')} is null as x)`,
    values: { prelude_group: group.trim() },
  };
}

interface Shape {
  locking: boolean;
  allocation: AllocationStrategy;
}

interface Request {
  groupName: string;
  sessionId: string;
  codeLength: number | null;
  timeoutOverride: number | null;
  phoneNumber: string | null;
}

/** One row of the allocation statement: the group, and the number it claimed (if any). */
interface ClaimRow {
  group_id: number;
  group_name: string;
  locking: boolean;
  allocation: AllocationStrategy;
  timeout: number;
  until_ms: number;
  resource_id: number | null;
  resource_name: string | null;
  access_number: string | null;
  booking_version: number | null;
  booked_in: boolean;
  total: number;
  booked: number;
  /** A fresh-only claim found no number: whether the group has numbers whose booking ran out unswept. */
  expired: boolean;
}

type Outcome =
  | { kind: 'allocated'; allocation: Allocation }
  | { kind: 'exhausted'; group: string; total: number; event: EventInput };

/**
 * Books access numbers: one statement claims a number, closes the number's bookings that ran out,
 * writes the booking, its history rows and their activity rows (after the advisory lock that orders
 * allocations against a group change). Its cost does not depend on the pool's size:
 *
 * - random: a random start id in the group, then the first free number at or after it on the
 *   (group_id, id) index, wrapping around once; round-robin: the least recently allocated number,
 *   read from the (group_id, rotation, id) index. No sort of the pool.
 * - Locking groups: "free" is decided on the row the statement locks (FOR UPDATE SKIP LOCKED; READ
 *   COMMITTED re-checks the WHERE on a row a concurrent claim updated), so two claims never get the
 *   same number (reliability-notes §0.5, §4.2); the EXCLUDE constraint backs it up.
 * - Shared groups: free numbers first, then any; when every number is momentarily locked, the
 *   fallback waits its turn instead of failing.
 * - booked/free for the activity rows come from `resource_group_counts`, not from counting the pool.
 *   The claim adds its own +1 there (`held`: a number nobody held) instead of a trigger: the
 *   statement-level trigger (plpgsql over transition tables) that kept the counts for every update
 *   of `resources` was ~3 % of PostgreSQL's CPU a request-interaction (BENCHMARKS.md); the row
 *   trigger (migration 0023) skips claims (the only updates that set a new `booking_id`).
 * - A random claim changes no indexed column of `resources` (no `rotation`, no index on
 *   `booked_until`; the table keeps free space on each page), so it is a HOT update: no entry in the
 *   table's 5 indexes (issue 18, BENCHMARKS.md).
 *
 * The statement is written for the group's shape (locking, strategy), which is cached per name; the
 * statement checks the shape it was written for and answers the group as it is, so a changed group
 * costs one re-run, never a wrong claim.
 */
export class Allocator {
  private readonly shapes = new Map<string, Shape>();

  constructor(private readonly ctx: BookingContext) {}

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

    const req: Request = { groupName, sessionId, codeLength, timeoutOverride, phoneNumber };
    let outcome: Outcome;
    try {
      // One statement, no savepoint: a failure inside it aborts the caller's transaction, and every
      // caller answers it with an error (the 503 below) that rolls that transaction back.
      outcome = scope
        ? await this.allocateIn(scope.tx, req, scope.lockedGroup === groupName)
        : await this.ctx.deps.db.transaction((tx) => this.allocateIn(tx, req, false));
    } catch (err) {
      // The exclusion constraint fired: the invariant held, but something bypassed the claim.
      if (pgErrorOf(err)?.code === '23P01') {
        this.ctx.deps.logger.error('resource booking overlap rejected by the database', {
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
        this.ctx.deps.db
          .transaction((tx) => recordEvents(this.ctx, tx, [event]))
          .catch((err: unknown) => this.ctx.deps.logger.error('recording a pool exhaustion failed', { err }));
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

  private async allocateIn(tx: DbOrTx, req: Request, locked: boolean): Promise<Outcome> {
    const now = this.ctx.deps.clock.now();
    // Allocations share this lock and run side by side; a group change takes it exclusively. An
    // advisory lock, not KEY SHARE on the group row: hundreds of row sharers churn multixacts. It is
    // taken by a statement before the claim (never inside it), so the claim's snapshot is taken after
    // any such change committed: its own statement here, or the caller's earlier one
    // (`allocationLockPrelude`: request-interaction's session statement), and then none is sent. The
    // claim is sent right behind the lock without waiting (one round trip): the connection runs them
    // in order, and a failed lock aborts the transaction, so `Promise.all` reports the lock's error.
    const lock = locked
      ? undefined
      : statements.rows(tx, 'lock', lockStatement, { group: req.groupName }).then(() => undefined);
    const bookingId = randomUUID();
    const firstCode = req.codeLength === null ? null : randomAccessCode(req.codeLength);
    let shape = this.shapes.get(req.groupName) ?? { locking: false, allocation: 'random' };
    let wait = false;
    // Locking random groups: first the statement that only claims a number nobody held since the
    // last sweep (`freshOnly` in claimStatement); when it picked one whose booking ran out unswept,
    // the full statement, which also closes that booking.
    let expired = false;
    for (let attempt = 1; ; attempt++) {
      const fresh = shape.locking && shape.allocation === 'random' && !expired;
      const [, [row]] = await Promise.all([
        lock,
        statements.rows<ClaimRow>(
          tx,
          `claim:${shape.locking}:${shape.allocation}:${wait}:${fresh}:${this.ctx.activity !== null}`,
          () => claimStatement(shape, wait, fresh, this.ctx.activity),
          {
            now: now.toISOString(),
            group: req.groupName,
            locking: shape.locking,
            allocation: shape.allocation,
            timeout: req.timeoutOverride,
            session: req.sessionId,
            booking: bookingId,
            phone: req.phoneNumber,
            phoneKey: req.phoneNumber ? numberKey(req.phoneNumber) : null,
            code: firstCode,
            node: this.ctx.deps.node.id,
          },
        ),
      ]);
      if (!row) {
        this.shapes.delete(req.groupName);
        throw new NotFoundError('resource/group_not_found', `Resource group '${req.groupName}' not found`);
      }
      const actual: Shape = { locking: row.locking, allocation: row.allocation };
      if (actual.locking !== shape.locking || actual.allocation !== shape.allocation) {
        // Written for another shape: nothing was claimed; run the statement for the real one.
        this.shapes.set(req.groupName, actual);
        shape = actual;
        continue;
      }
      this.shapes.set(req.groupName, actual);
      const until = new Date(Number(row.until_ms));
      if (row.resource_id !== null) {
        const claimed = {
          id: Number(row.resource_id),
          name: String(row.resource_name),
          accessNumber: String(row.access_number),
          version: Number(row.booking_version),
        };
        const accessCode = row.booked_in
          ? firstCode
          : await this.bookWithOtherCode(tx, req, row, claimed, { now, until, bookingId });
        return {
          kind: 'allocated',
          allocation: {
            bookingId,
            group: row.group_name,
            resourceName: claimed.name,
            accessNumber: claimed.accessNumber,
            accessCode,
            startsAt: now,
            expiresAt: until,
            timeoutSeconds: req.timeoutOverride ?? Number(row.timeout),
          },
        };
      }
      // The pick was a number whose booking ran out unswept (it stays locked by this transaction):
      // the full statement claims it and closes that booking. Not a retry.
      if (fresh && row.expired) {
        expired = true;
        attempt--;
        continue;
      }
      const total = Number(row.total);
      // Shared groups: every number was locked by a concurrent allocation; wait for one.
      if (!shape.locking && total > 0 && !wait) {
        wait = true;
        continue;
      }
      // The claim saw the pool as of its statement's snapshot, so numbers released since then looked
      // booked. A fresh statement sees them: retry while some number is not held.
      if (shape.locking && Number(row.booked) < total && attempt < CLAIM_ATTEMPTS) continue;
      const event: EventInput = {
        kind: 'exhausted',
        occurredAt: now,
        groupId: Number(row.group_id),
        groupName: row.group_name,
        sessionId: req.sessionId,
        reason: total === 0 ? 'empty' : null,
      };
      return { kind: 'exhausted', group: row.group_name, total, event };
    }
  }

  /**
   * The claim statement could not write the booking: its random code was taken on that number (a
   * busy shared number, or a short code). The number stays claimed; try further codes here, then
   * write the booking's history the usual way.
   */
  private async bookWithOtherCode(
    tx: DbOrTx,
    req: Request,
    row: ClaimRow,
    claimed: { id: number; name: string; accessNumber: string; version: number },
    b: { now: Date; until: Date; bookingId: string },
  ): Promise<string> {
    const length = req.codeLength ?? DEFAULT_ACCESS_CODE_LENGTH;
    for (let attempt = 1; attempt < CODE_ATTEMPTS; attempt++) {
      // Random guesses first; once they keep colliding, pick among the codes still unused, so a free
      // code is found whenever one exists.
      const accessCode =
        attempt < RANDOM_CODE_GUESSES
          ? randomAccessCode(length)
          : await unusedCode(tx, claimed.id, length, b.now);
      if (accessCode === null) break;
      const inserted = await tx
        .insert(bookings)
        .values({
          id: b.bookingId,
          resourceId: claimed.id,
          groupId: Number(row.group_id),
          sessionId: req.sessionId,
          phoneNumber: req.phoneNumber,
          phoneKey: req.phoneNumber ? numberKey(req.phoneNumber) : null,
          accessCode,
          locking: row.locking,
          version: claimed.version,
          startsAt: b.now,
          endsAt: b.until,
          createdAt: b.now,
          updatedAt: b.now,
        })
        .onConflictDoNothing({
          target: [bookings.resourceId, bookings.accessCode],
          where: sql`closed_at is null and access_code is not null`,
        })
        .returning({ id: bookings.id });
      if (inserted.length === 0) continue;
      await recordEvents(this.ctx, tx as Tx, [
        {
          kind: 'allocated',
          occurredAt: b.now,
          groupId: Number(row.group_id),
          groupName: row.group_name,
          resource: claimed,
          bookingId: b.bookingId,
          sessionId: req.sessionId,
        },
      ]);
      return accessCode;
    }
    throw new UnavailableError(
      'resource/access_codes_exhausted',
      `No free ${length}-digit access code on ${claimed.accessNumber}; use longer codes`,
    );
  }
}

/** A random code of this length that no open booking of the number holds; null when none is left. */
async function unusedCode(tx: DbOrTx, resourceId: number, length: number, now: Date): Promise<string | null> {
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

/**
 * The allocation's statements, each built once per process and shape (prepared-queries.ts): the
 * claim is a nested CTE of ~30 fragments, and building its text took more CPU than anything else
 * on the request path.
 */
const statements = new PreparedSql();

const p = (name: string) => sql.placeholder(name);

/** An allocation's share of the group's lock (a group change takes it exclusively), by a placeholder's group name. */
const sharedGroupLock = (placeholder: string) =>
  sql`pg_advisory_xact_lock_shared(${GROUP_LOCK_SPACE}, hashtext(${p(placeholder)}))`;

function lockStatement(): SQL {
  return sql`select ${sharedGroupLock('group')}`;
}

/**
 * The allocation statement for one group shape. `g` is the group only when it has the shape the
 * statement was written for; otherwise every data-modifying part is empty and the answer row still
 * reports the group as it is. What changes between requests is a placeholder (`now`, `group`,
 * `locking`, `allocation`, `timeout`, `session`, `booking`, `phone`, `phoneKey`, `code`, `node`);
 * what decides the text (shape, `wait`, `freshOnly`, whether activity is recorded) is the caller's
 * cache key (the activity recorder's fragment depends only on what it is given).
 *
 * `freshOnly` (locking groups): the claim takes the picked number only if nobody held it since the
 * sweep last ran (`booked_until` null). Release and the sweep close a number's booking when they
 * clear `booked_until` (the sweep right after), so no booking of it that ran out is left to close,
 * and the statement has no part for that: PostgreSQL's executor start-up sets up every part of a
 * statement on every run, whether it runs or not (issue 18, BENCHMARKS.md). The pick itself is the
 * full statement's (its plan does not change); when it found a number whose booking ran out
 * unswept, nothing is written and the answer says `expired`: the caller runs the full statement,
 * which picks the same number again (this transaction holds its lock) unless it finds a free one first.
 */
function claimStatement(
  shape: Shape,
  wait: boolean,
  freshOnly: boolean,
  activity: ActivityRecorder | null,
): SQL {
  const now = sql`${p('now')}::timestamptz`;
  const free = sql`(r.booked_until is null or r.booked_until <= ${now})`;
  const inGroup = sql`r.group_id = (select id from g)`;
  const lock = wait ? sql`for update` : sql`for update skip locked`;
  // The pick walks the (group_id, id) index from a random id. Not written as row comparisons on
  // (group_id, id) (3359bdd tried, against a generic PostgreSQL plan that walked the primary key for a
  // small group beside a large one): on PGlite that form made every claim grow with the pool — a
  // request-interaction on a locking group of 60,000 went from 288 to 19 req/s (BENCHMARKS.md).
  const fromStart = (op: '>=' | '<', onlyFree: boolean) =>
    sql`select r.id, r.booked_until from resources r
        where ${inGroup} and r.id ${sql.raw(op)} (select s from start) ${onlyFree ? sql`and ${free}` : sql``}
        order by r.id limit 1 ${lock}`;
  const byRotation = (onlyFree: boolean) =>
    sql`select r.id, r.booked_until from resources r
        where ${inGroup} ${onlyFree ? sql`and ${free}` : sql``}
        order by r.rotation asc nulls first, r.id limit 1 ${lock}`;
  // The group's first and last id: one step each on the (group_id, id) index.
  const start = sql`bounds as (select min(r.id) as lo, max(r.id) as hi from resources r where ${inGroup}),
    start as (select lo + floor(random() * (hi - lo + 1))::int as s from bounds),`;

  // Candidates in order of preference; each is evaluated only when the ones before it found nothing.
  let candidates: SQL;
  if (shape.allocation === 'random') {
    const tries: [string, '>=' | '<', boolean][] = shape.locking
      ? [
          ['c1', '>=', true],
          ['c2', '<', true],
        ]
      : wait
        ? [
            ['c1', '>=', false],
            ['c2', '<', false],
          ]
        : [
            ['c1', '>=', true],
            ['c2', '<', true],
            ['c3', '>=', false],
            ['c4', '<', false],
          ];
    candidates = sql`${start} ${sql.join(
      tries.map(([name, op, onlyFree]) => sql`${sql.raw(name)} as (${fromStart(op, onlyFree)}),`),
      sql` `,
    )} pick as (${sql.join(
      tries.map(([name]) => sql`select * from ${sql.raw(name)}`),
      sql` union all `,
    )} limit 1),`;
  } else {
    const tries: [string, boolean][] = shape.locking
      ? [['c1', true]]
      : wait
        ? [['c1', false]]
        : [
            ['c1', true],
            ['c2', false],
          ];
    candidates = sql`${sql.join(
      tries.map(([name, onlyFree]) => sql`${sql.raw(name)} as (${byRotation(onlyFree)}),`),
      sql` `,
    )} pick as (${sql.join(
      tries.map(([name]) => sql`select * from ${sql.raw(name)}`),
      sql` union all `,
    )} limit 1),`;
  }

  // Only round-robin claims move the number in the rotation: `rotation` is indexed, and a claim that
  // changes no indexed column is a HOT update (no new entry in any of the table's indexes).
  const rotation =
    shape.allocation === 'round-robin' ? sql`rotation = nextval('resource_rotation_seq'),` : sql``;
  // `booking_id` takes the new booking on every claim (shared ones too): a fresh non-null id there is
  // how migration 0023's row trigger tells a claim, which counts itself (`held`), from other updates.
  const claim = shape.locking
    ? sql`update resources r set booked_by = ${p('session')}, booked_until = g.until,
          booking_id = ${p('booking')}::uuid, booking_version = r.booking_version + 1, ${rotation}
          last_allocated_at = ${now}, updated_at = ${now}
        from pick p, g where r.id = p.id ${freshOnly ? sql`and p.booked_until is null` : sql``}`
    : sql`update resources r set booked_until = greatest(r.booked_until, g.until),
          booking_id = ${p('booking')}::uuid, ${rotation} last_allocated_at = ${now}, updated_at = ${now}
        from pick p, g where r.id = p.id`;
  // What happened, one row each: the bookings of the number that ran out (closed here, `cte`) and the
  // new booking (their union after it, `afterBooking`). With `freshOnly` only the new booking: no CTE
  // of their union, no sort by `ord`.
  const happened = freshOnly
    ? {
        cte: sql``,
        afterBooking: sql``,
        from: sql`booking h`,
        at: now,
        kind: sql`'allocated'`,
        bookingId: sql`h.id`,
        sessionId: sql`${p('session')}`,
        order: undefined,
      }
    : {
        cte: sql`closed as (
      update resource_bookings b set closed_at = ${now}, close_reason = 'expired', updated_at = ${now}
      where b.id in (
        select x.id from resource_bookings x
        where x.resource_id = (select id from claimed) and x.closed_at is null and x.ends_at <= ${now}
        for update skip locked
      )
      returning b.id, b.session_id, b.ends_at
    ),`,
        afterBooking: sql`happened as (
      select b.ends_at as at, 'expired' as kind, b.id as booking_id, b.session_id, 1 as ord from closed b
      union all
      select ${now}, 'allocated', k.id, ${p('session')}, 2 from booking k
    ),`,
        from: sql`happened h`,
        at: sql`h.at`,
        kind: sql`h.kind`,
        bookingId: sql`h.booking_id`,
        sessionId: sql`h.session_id`,
        order: sql`h.ord`,
      };
  // A number nobody held adds one to the group's held count (`freshOnly`: every claimed number).
  const wasFree = freshOnly ? sql`` : sql`where c.was_until is null`;
  // The group's held count with this claim: `counts` reads the slots as they were before it (the
  // statement's snapshot). `freshOnly`: the claim adds one exactly when it claimed a number (the
  // activity rows are written only then); otherwise `counts` adds what `held` adds.
  const counted = freshOnly
    ? sql`coalesce(sum(booked), 0)::int`
    : sql`(coalesce(sum(booked), 0) + (select count(*) from claimed c ${wasFree}))::int`;
  const withClaim = freshOnly ? sql`(n.booked + 1)` : sql`n.booked`;
  const answerBooked = freshOnly ? sql`n.booked + (c.id is not null)::int` : sql`n.booked`;
  // The activity rows are the report module's SQL (its table), written in this statement.
  const act = activity
    ? sql`, ${activity.resourceInsert({
        name: 'act',
        from: sql`${happened.from} cross join claimed c cross join counts n`,
        at: happened.at,
        kind: happened.kind,
        group: sql`c.group_name`,
        booked: sql`${withClaim}`,
        free: sql`n.total - ${withClaim}`,
        sessionId: happened.sessionId,
        nodeId: sql`${p('node')}::int`,
        orderBy: happened.order,
      })}`
    : sql``;

  return sql`with grp as (
      select id, name, locking, allocation, booking_expiration_timeout as timeout,
        ${now} + make_interval(secs => coalesce(${p('timeout')}::int, booking_expiration_timeout)) as until
      from resource_groups where name = ${p('group')}
    ),
    g as (select * from grp where locking = ${p('locking')} and allocation = ${p('allocation')}),
    ${candidates}
    claimed as (
      ${claim}
      returning r.id, r.name, r.access_number, r.booking_version, p.booked_until as was_until,
        g.id as group_id, g.name as group_name, g.locking, g.until
    ),
    ${happened.cte}
    booking as (
      insert into resource_bookings (id, resource_id, group_id, session_id, phone_number, phone_key,
        access_code, locking, version, starts_at, ends_at, created_at, updated_at)
      select ${p('booking')}::uuid, c.id, c.group_id, ${p('session')}, ${p('phone')}, ${p('phoneKey')},
        ${p('code')}, c.locking, c.booking_version, ${now}, c.until, ${now}, ${now}
      from claimed c
      on conflict (resource_id, access_code) where closed_at is null and access_code is not null do nothing
      returning id
    ),
    ${happened.afterBooking}
    ev as (
      insert into resource_events (occurred_at, kind, group_id, group_name, resource_id, resource_name,
        access_number, booking_id, session_id, created_at)
      select ${happened.at}, ${happened.kind}, c.group_id, c.group_name, c.id, c.name, c.access_number,
        ${happened.bookingId}, ${happened.sessionId}, ${now}
      from ${happened.from} cross join claimed c ${happened.order ? sql`order by ${happened.order}` : sql``}
    ),
    held as (
      insert into resource_group_counts as t (group_id, slot, total, booked)
      select c.group_id, pg_backend_pid() % 64, 0, 1 from claimed c ${wasFree}
      on conflict (group_id, slot) do update set booked = t.booked + excluded.booked
    ),
    counts as (
      select coalesce(sum(total), 0)::int as total, ${counted} as booked
      from resource_group_counts where group_id = (select id from grp)
    )
    ${act}
    select grp.id as group_id, grp.name as group_name, grp.locking, grp.allocation, grp.timeout,
      (extract(epoch from grp.until) * 1000)::float8 as until_ms,
      c.id as resource_id, c.name as resource_name, c.access_number, c.booking_version,
      exists (select 1 from booking) as booked_in, n.total, ${answerBooked} as booked,
      ${freshOnly ? sql`c.id is null and exists (select 1 from pick)` : sql`false`} as expired
    from grp cross join counts n left join claimed c on true`;
}
