import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError, ValidationError } from '../../errors.js';
import type { OfficeHoursManager } from '../office-hours/office-hours.manager.js';
import { parseTtlSeconds } from '../services/service-options.js';
import type { ResolvedService } from '../services/services.manager.js';
import { DEFAULT_SESSION_TTL_SECONDS, type SessionManager } from '../sessions/sessions.manager.js';
import type { StorageManager } from '../storage/storage.manager.js';
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
    private readonly storage: StorageManager,
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
   * PUT /genesys/1/service/callback/{name}/{id}: the clients' update (the Android sample and the iOS
   * GMSLibrary send `_new_desired_time` only when the time changes, and the properties to store).
   * With a new desired time the callback is SCHEDULED again there, its capacity place moved; the
   * properties (user data) go into the callback record and the session's user data (what the agent
   * and the Storage API read), in the same transaction. Returns the row as it was and as it is now.
   */
  async update(
    id: string,
    change: { newDesiredTime: string | null; properties: Record<string, string> },
    serviceName?: string,
  ): Promise<{ before: CallbackRow; row: CallbackRow }> {
    const at =
      change.newDesiredTime === null ? null : parseInstant(change.newDesiredTime, '_new_desired_time');
    const cb = await this.store.get(id);
    if (serviceName && cb.serviceName !== serviceName) throw this.store.notFound(id);
    const now = this.deps.clock.now();
    if (at) {
      if (cb.state !== 'SCHEDULED' && !(cb.state === 'QUEUED' && cb.notifiedReservationId === null))
        throw new DomainError(
          'callback/not_reschedulable',
          `Callback '${id}' is ${cb.state}; only a SCHEDULED or QUEUED callback can be rescheduled`,
        );
      if (at.getTime() <= now.getTime())
        throw new ValidationError(
          'callback/invalid_time',
          `_new_desired_time ${at.toISOString()} is in the past`,
          '_new_desired_time',
        );
    } else if (cb.state === 'COMPLETED') throw this.finished(cb);
    const row = await this.deps.db.transaction(async (tx) => {
      await this.store.lockService(tx, cb.serviceName);
      const [locked] = await tx.select().from(callbacksTable).where(eq(callbacksTable.id, id)).for('update');
      if (!locked) throw this.store.notFound(id);
      if (at && locked.state !== 'SCHEDULED' && locked.state !== 'QUEUED')
        throw new DomainError('callback/not_reschedulable', `Callback '${id}' can no longer be rescheduled`);
      if (locked.state === 'COMPLETED') throw this.finished(locked);
      const set: Partial<CallbackRow> = { updatedAt: now };
      if (Object.keys(change.properties).length > 0) {
        set.userData = { ...locked.userData, ...change.properties };
        const session = await this.sessions.get(id, tx);
        await this.storage.put({ id: session.dataId }, { text: change.properties, binary: [] }, tx);
      }
      if (at) {
        // The same ref moves its place: the old slot is freed only if the new one has room.
        const slot = await this.reserveDesiredTime(tx, locked.serviceName, locked.params, at, now, id);
        const lifetimeMs = (parseTtlSeconds(locked.params._ttl, DEFAULT_SESSION_TTL_SECONDS) ?? 0) * 1000;
        Object.assign(set, {
          state: 'SCHEDULED',
          desiredTime: at,
          slotStart: slot,
          expiresAt: await this.keepSessionUntil(tx, id, at, lifetimeMs, locked.expiresAt),
          waitForAgent: true,
          enqueuedAt: null,
          agentId: null,
          reservationId: null,
        } satisfies Partial<CallbackRow>);
      }
      const [updated] = await tx.update(callbacksTable).set(set).where(eq(callbacksTable.id, id)).returning();
      return updated as CallbackRow;
    });
    return { before: cb, row };
  }

  private finished(cb: CallbackRow): DomainError {
    return new DomainError(
      'callback/not_updatable',
      `Callback '${cb.id}' is COMPLETED${cb.reason ? ` (${cb.reason})` : ''}; it can no longer be updated`,
    );
  }
}
