import { and, asc, eq, gte, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { ValidationError } from '../../errors.js';
import type { ScheduledCounter, Slot } from './capacity.engine.js';
import {
  type CapacityReservationRow,
  capacityReservationsTable,
  capacitySlotCountsTable,
} from './office-hours.tables.js';

/**
 * Capacity reservations: how many callbacks hold a place in each slot of a capacity pool.
 *
 * `capacity_slot_counts` decides: a reservation is one conditional upsert,
 * `INSERT … VALUES (pool, slot, 1) ON CONFLICT (pool, slot) DO UPDATE SET reserved = reserved + 1
 * WHERE reserved < limit RETURNING reserved`. Postgres locks the conflicting row and evaluates the
 * WHERE on its latest committed version, so concurrent reservations (any number of instances)
 * serialise on that row and never pass the limit; no row is skipped (no SKIP LOCKED, whose
 * snapshot can miss a just-committed change, reliability-notes §0.5). The caller's transaction holds
 * the row lock until it commits, so the count and the caller's own write (the callback) commit
 * together or not at all.
 *
 * `capacity_reservations` makes it idempotent: one row per `ref` (a callback id), inserted first
 * with `ON CONFLICT DO NOTHING`; a concurrent reservation with the same ref waits on that insert and
 * then finds the row, so one ref is counted once.
 */

export interface ReserveCapacityInput {
  /** The pool: a callback service's `_capacity_service`, or the callback service's own name. */
  capacityService: string;
  /** Start of the slot (a `slotOf` start; the count is keyed by this exact instant). */
  slotStart: Date;
  /** Who holds the place: a callback id. One ref holds at most one place at a time. */
  ref: string;
  /** Capacity of the slot (its `total`); the reservation fails when `reserved` has reached it. */
  limit: number;
}

export type ReserveCapacityResult =
  | {
      reserved: true;
      capacityService: string;
      slotStart: Date;
      /** Places taken in the slot after this reservation. */
      count: number;
      limit: number;
      /** The ref already held this very place: nothing changed. */
      alreadyHeld: boolean;
      /** The ref held a place in another slot, which was given back. */
      movedFrom: { capacityService: string; slotStart: Date } | null;
    }
  | {
      reserved: false;
      reason: 'full';
      capacityService: string;
      slotStart: Date;
      count: number;
      limit: number;
    };

export interface ReleaseCapacityInput {
  ref: string;
  /** When given, release only if the ref's place is in this pool / slot. */
  capacityService?: string;
  slotStart?: Date;
}

export interface CapacityReservationView {
  ref: string;
  capacityService: string;
  slotStart: Date;
  createdAt: Date;
}

export interface SlotCountView {
  capacityService: string;
  slotStart: Date;
  reserved: number;
}

const MAX_REF_LENGTH = 200;

function checkInput(input: { capacityService: string; ref: string; slotStart: Date }): void {
  if (!input.capacityService)
    throw new ValidationError('capacity/invalid_pool', 'capacityService is required', 'capacityService');
  if (!input.ref || input.ref.length > MAX_REF_LENGTH)
    throw new ValidationError('capacity/invalid_ref', `ref must be 1-${MAX_REF_LENGTH} characters`, 'ref');
  if (Number.isNaN(input.slotStart.getTime()))
    throw new ValidationError('capacity/invalid_slot', 'slotStart is not a valid instant', 'slotStart');
}

/** +1 in a slot unless it has reached `limit`; the new count, or null when full. */
async function increment(
  db: DbOrTx,
  pool: string,
  slotStart: Date,
  limit: number,
  now: Date,
): Promise<number | null> {
  if (limit < 1) return null;
  const t = capacitySlotCountsTable;
  const [row] = await db
    .insert(t)
    .values({ capacityService: pool, slotStart, reserved: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: [t.capacityService, t.slotStart],
      set: { reserved: sql`${t.reserved} + 1`, updatedAt: now },
      setWhere: sql`${t.reserved} < ${limit}`,
    })
    .returning({ reserved: t.reserved });
  return row ? row.reserved : null;
}

async function decrement(db: DbOrTx, pool: string, slotStart: Date, now: Date): Promise<void> {
  const t = capacitySlotCountsTable;
  await db
    .update(t)
    .set({ reserved: sql`greatest(${t.reserved} - 1, 0)`, updatedAt: now })
    .where(and(eq(t.capacityService, pool), eq(t.slotStart, slotStart)));
}

/** Makes sure the count rows exist, then locks them ordered by (pool, slot start). */
async function lockInOrder(db: DbOrTx, given: { pool: string; slotStart: Date }[], now: Date): Promise<void> {
  const t = capacitySlotCountsTable;
  // Inserted in the same order too: two transactions creating the same two rows must not cross.
  const slots = [...given].sort((a, b) =>
    a.pool === b.pool ? a.slotStart.getTime() - b.slotStart.getTime() : a.pool < b.pool ? -1 : 1,
  );
  await db
    .insert(t)
    .values(
      slots.map((s) => ({ capacityService: s.pool, slotStart: s.slotStart, reserved: 0, updatedAt: now })),
    )
    .onConflictDoNothing();
  await db
    .select({ reserved: t.reserved })
    .from(t)
    .where(or(...slots.map((s) => and(eq(t.capacityService, s.pool), eq(t.slotStart, s.slotStart)))))
    .orderBy(asc(t.capacityService), asc(t.slotStart))
    .for('update');
}

async function currentCount(db: DbOrTx, pool: string, slotStart: Date): Promise<number> {
  const t = capacitySlotCountsTable;
  const [row] = await db
    .select({ reserved: t.reserved })
    .from(t)
    .where(and(eq(t.capacityService, pool), eq(t.slotStart, slotStart)));
  return row?.reserved ?? 0;
}

/**
 * Takes a place for `ref` in a slot, inside the caller's transaction. Idempotent per ref: the same
 * ref in the same slot changes nothing; the same ref in another slot moves its place (the new slot
 * must have room; otherwise nothing changes). A full slot answers `{ reserved: false }` and leaves
 * nothing behind.
 */
export async function reserveCapacity(
  tx: DbOrTx,
  input: ReserveCapacityInput,
  now: Date,
): Promise<ReserveCapacityResult> {
  checkInput(input);
  const { capacityService: pool, slotStart, ref, limit } = input;
  const r = capacityReservationsTable;
  const full = async (): Promise<ReserveCapacityResult> => ({
    reserved: false,
    reason: 'full',
    capacityService: pool,
    slotStart,
    count: await currentCount(tx, pool, slotStart),
    limit,
  });

  const [claimed] = await tx
    .insert(r)
    .values({ ref, capacityService: pool, slotStart, createdAt: now })
    .onConflictDoNothing({ target: r.ref })
    .returning({ ref: r.ref });

  if (claimed) {
    const count = await increment(tx, pool, slotStart, limit, now);
    if (count === null) {
      await tx.delete(r).where(eq(r.ref, ref));
      return full();
    }
    return {
      reserved: true,
      capacityService: pool,
      slotStart,
      count,
      limit,
      alreadyHeld: false,
      movedFrom: null,
    };
  }

  const [held] = await tx.select().from(r).where(eq(r.ref, ref)).for('update');
  if (!held) throw new Error(`capacity reservation ${ref} vanished while locked`);
  if (held.capacityService === pool && held.slotStart.getTime() === slotStart.getTime())
    return {
      reserved: true,
      capacityService: pool,
      slotStart,
      count: await currentCount(tx, pool, slotStart),
      limit,
      alreadyHeld: true,
      movedFrom: null,
    };
  // A move touches two count rows: lock both in one order (pool, slot), so two moves crossing
  // between the same slots queue instead of deadlocking.
  await lockInOrder(
    tx,
    [
      { pool, slotStart },
      { pool: held.capacityService, slotStart: held.slotStart },
    ],
    now,
  );
  const count = await increment(tx, pool, slotStart, limit, now);
  if (count === null) return full();
  await decrement(tx, held.capacityService, held.slotStart, now);
  await tx.update(r).set({ capacityService: pool, slotStart, createdAt: now }).where(eq(r.ref, ref));
  return {
    reserved: true,
    capacityService: pool,
    slotStart,
    count,
    limit,
    alreadyHeld: false,
    movedFrom: { capacityService: held.capacityService, slotStart: held.slotStart },
  };
}

/** Gives back the place `ref` holds (if any, and if it matches the optional pool/slot); true if one was released. */
export async function releaseCapacity(
  tx: DbOrTx,
  input: ReleaseCapacityInput,
  now: Date,
): Promise<CapacityReservationView | null> {
  const r = capacityReservationsTable;
  const conditions = [eq(r.ref, input.ref)];
  if (input.capacityService !== undefined) conditions.push(eq(r.capacityService, input.capacityService));
  if (input.slotStart !== undefined) conditions.push(eq(r.slotStart, input.slotStart));
  const [gone] = await tx
    .delete(r)
    .where(and(...conditions))
    .returning();
  if (!gone) return null;
  await decrement(tx, gone.capacityService, gone.slotStart, now);
  return gone;
}

/** A ScheduledCounter over the reservation counts of one pool. */
export function reservationCounter(db: DbOrTx, pool: string): ScheduledCounter {
  return async (slots: readonly Slot[]) => {
    const counts = new Map<number, number>();
    if (slots.length === 0) return counts;
    let from = Infinity;
    let to = -Infinity;
    for (const s of slots) {
      from = Math.min(from, s.start);
      to = Math.max(to, s.start);
    }
    const t = capacitySlotCountsTable;
    const rows = await db
      .select({ slotStart: t.slotStart, reserved: t.reserved })
      .from(t)
      .where(
        and(eq(t.capacityService, pool), gte(t.slotStart, new Date(from)), lt(t.slotStart, new Date(to + 1))),
      );
    for (const row of rows) if (row.reserved > 0) counts.set(row.slotStart.getTime(), row.reserved);
    return counts;
  };
}

/** Non-empty slot counts of a pool in `[from, to)`, by slot start. */
export async function slotCounts(db: DbOrTx, pool: string, from: Date, to: Date): Promise<SlotCountView[]> {
  const t = capacitySlotCountsTable;
  const rows = await db
    .select({ capacityService: t.capacityService, slotStart: t.slotStart, reserved: t.reserved })
    .from(t)
    .where(
      and(eq(t.capacityService, pool), gte(t.slotStart, from), lt(t.slotStart, to), sql`${t.reserved} > 0`),
    )
    .orderBy(asc(t.slotStart));
  return rows;
}

/** Reservations of a pool in `[from, to)`, by slot start then ref. */
export async function reservations(
  db: DbOrTx,
  pool: string,
  from: Date,
  to: Date,
): Promise<CapacityReservationRow[]> {
  const r = capacityReservationsTable;
  return db
    .select()
    .from(r)
    .where(and(eq(r.capacityService, pool), gte(r.slotStart, from), lt(r.slotStart, to)))
    .orderBy(asc(r.slotStart), asc(r.ref));
}

/** Forgets slots (counts and reservations) that started before `before`; idempotent. */
export async function sweepPastSlots(db: DbOrTx, before: Date): Promise<number> {
  const gone = await db
    .delete(capacityReservationsTable)
    .where(lt(capacityReservationsTable.slotStart, before))
    .returning({ ref: capacityReservationsTable.ref });
  await db.delete(capacitySlotCountsTable).where(lt(capacitySlotCountsTable.slotStart, before));
  return gone.length;
}
