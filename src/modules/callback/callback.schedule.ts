import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError, ValidationError } from '../../errors.js';
import type { OfficeHoursManager } from '../office-hours/office-hours.manager.js';
import { parseTtlSeconds } from '../services/service-options.js';
import type { ResolvedService } from '../services/services.manager.js';
import { DEFAULT_SESSION_TTL_SECONDS, type SessionManager } from '../sessions/sessions.manager.js';
import { DesiredTimeUnavailableError } from './callback.errors.js';
import { latestDesiredTime, parseInstant } from './callback.rules.js';
import type { CallbackStore } from './callback.store.js';
import { type CallbackRow, callbacksTable } from './callback.tables.js';

/**
 * Callbacks at a desired time: the time checked and its slot's place reserved through the
 * office-hours module's capacity (at the start and on reschedule, in the caller's transaction), the
 * session kept alive past it, and the promotion of due SCHEDULED callbacks to QUEUED.
 */
export class CallbackScheduling {
  constructor(
    private readonly deps: Deps,
    private readonly store: CallbackStore,
    private readonly officeHours: OfficeHoursManager,
    private readonly sessions: SessionManager,
  ) {}

  /**
   * Validates a desired time (how far ahead, office hours) and reserves its slot's place for the
   * callback (`ref` = its id) in the caller's transaction, through the office-hours module's capacity
   * reservations (never over capacity under concurrency; the same ref moves on reschedule).
   * Returns the slot start; a refusal is a DesiredTimeUnavailableError carrying the free slots to
   * offer instead (the legacy answer lists them as `availability`).
   */
  async reserveDesiredTime(
    tx: DbOrTx,
    service: string | ResolvedService,
    params: Record<string, string>,
    at: Date,
    now: Date,
    ref: string,
  ): Promise<Date> {
    const latest = latestDesiredTime(params._reject_future_desired_time, now);
    const cap = await this.officeHours.callbackCapacity(service, tx);
    const refuse = async (message: string) => {
      const availability = await this.officeHours.callbackAvailability(
        cap,
        { start: now, days: 7, maxSlots: 20, now },
        tx,
      );
      return new DesiredTimeUnavailableError(message, availability);
    };
    if (at.getTime() > latest.getTime())
      throw await refuse(
        `Desired time ${at.toISOString()} is too far in the future (after ${latest.toISOString()}). Check option _reject_future_desired_time`,
      );
    const result = await this.officeHours.reserveCallbackSlot(tx, cap, { at, ref });
    if (!result.reserved && result.reason === 'closed')
      throw await refuse(
        `Desired time ${at.toISOString()} is outside business hours (_business_hours_service)`,
      );
    if (!result.reserved)
      throw await refuse(
        `No capacity left for desired time ${at.toISOString()} (slot ${result.slot.start.toISOString()}, ${result.total} allowed)`,
      );
    return result.slot.start;
  }

  /**
   * Makes the session outlive a desired time by `lifetimeMs` (its _ttl), when it would expire
   * before; returns the callback's new expiry.
   */
  async keepSessionUntil(
    tx: DbOrTx,
    id: string,
    desiredTime: Date,
    lifetimeMs: number,
    current: Date,
  ): Promise<Date> {
    if (desiredTime.getTime() + lifetimeMs <= current.getTime()) return current;
    const extended = await this.sessions.extendIn(tx, id, new Date(desiredTime.getTime() + lifetimeMs));
    if (!extended) throw this.store.notFound(id);
    return extended;
  }

  /** Due SCHEDULED callbacks become QUEUED (skipping rows another instance holds); the moved rows. */
  async claimDue(batch: number): Promise<CallbackRow[]> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: callbacksTable.id })
        .from(callbacksTable)
        .where(and(eq(callbacksTable.state, 'SCHEDULED'), lte(callbacksTable.desiredTime, now)))
        .orderBy(asc(callbacksTable.desiredTime))
        .limit(batch)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      const moved = await tx
        .update(callbacksTable)
        .set({ state: 'QUEUED', updatedAt: now })
        .where(
          and(
            inArray(
              callbacksTable.id,
              due.map((d) => d.id),
            ),
            eq(callbacksTable.state, 'SCHEDULED'),
          ),
        )
        .returning();
      return moved;
    });
  }

  /**
   * PUT /genesys/1/service/callback/{name}/{id} with `_new_desired_time`: SCHEDULED again at the new
   * time, its capacity place moved. Returns the row as it was (`before`) and as it is now.
   */
  async reschedule(
    id: string,
    newDesiredTime: string,
    serviceName?: string,
  ): Promise<{ before: CallbackRow; row: CallbackRow }> {
    const at = parseInstant(newDesiredTime, '_new_desired_time');
    const cb = await this.store.get(id);
    if (serviceName && cb.serviceName !== serviceName) throw this.store.notFound(id);
    if (cb.state !== 'SCHEDULED' && !(cb.state === 'QUEUED' && cb.notifiedReservationId === null))
      throw new DomainError(
        'callback/not_reschedulable',
        `Callback '${id}' is ${cb.state}; only a SCHEDULED or QUEUED callback can be rescheduled`,
      );
    const now = this.deps.clock.now();
    if (at.getTime() <= now.getTime())
      throw new ValidationError(
        'callback/invalid_time',
        `_new_desired_time ${at.toISOString()} is in the past`,
        '_new_desired_time',
      );
    const row = await this.deps.db.transaction(async (tx) => {
      await this.store.lockService(tx, cb.serviceName);
      const [locked] = await tx.select().from(callbacksTable).where(eq(callbacksTable.id, id)).for('update');
      if (!locked || (locked.state !== 'SCHEDULED' && locked.state !== 'QUEUED'))
        throw new DomainError('callback/not_reschedulable', `Callback '${id}' can no longer be rescheduled`);
      // The same ref moves its place: the old slot is freed only if the new one has room.
      const slot = await this.reserveDesiredTime(tx, locked.serviceName, locked.params, at, now, id);
      const lifetimeMs = (parseTtlSeconds(locked.params._ttl, DEFAULT_SESSION_TTL_SECONDS) ?? 0) * 1000;
      const expiresAt = await this.keepSessionUntil(tx, id, at, lifetimeMs, locked.expiresAt);
      const [updated] = await tx
        .update(callbacksTable)
        .set({
          state: 'SCHEDULED',
          desiredTime: at,
          slotStart: slot,
          expiresAt,
          waitForAgent: true,
          enqueuedAt: null,
          agentId: null,
          reservationId: null,
          updatedAt: now,
        })
        .where(eq(callbacksTable.id, id))
        .returning();
      return updated as CallbackRow;
    });
    return { before: cb, row };
  }
}
