import { and, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../errors.js';
import type { ResourceManager } from '../resource/resource.manager.js';
import type { CallbackDialer } from './callback.dialer.js';
import { userTerminated } from './callback.routing-sync.js';
import { positiveInt } from './callback.rules.js';
import type { CallbackStore } from './callback.store.js';
import { type CallbackDialog, type CallbackRow, callbacksTable } from './callback.tables.js';

/**
 * The dialogs a callback answers the device with (the start, `connect`, the agent-available menu)
 * as values (`CallbackDialog`, callback.tables.ts; callback.legacy.ts presents them as GMS JSON),
 * and the `connect` step that chooses one: a DialNumber dialog books an access number, a
 * user-terminated confirmation asks for the dial.
 */

/** A dialog as answered: the callback it is for, and when (a DialNumber's seconds left count from `at`). */
export interface DialogAnswer {
  callback: CallbackRow;
  dialog: CallbackDialog;
  at: Date;
}

export class CallbackDialogs {
  constructor(
    private readonly deps: Deps,
    private readonly store: CallbackStore,
    private readonly resources: ResourceManager,
    private readonly dialer: CallbackDialer,
  ) {}

  /**
   * POST /genesys/1/service/{id}/connect: the customer confirms. Voice: an access number is booked
   * and the DialNumber dialog returned; chat: the StartChat dialog; user-terminated: the confirmation
   * (and the dial is asked for once an agent is reserved). At most `_userorig_connect_limit`. The
   * dialog is stored with the count (DialNumber: with its booking).
   */
  async connect(id: string): Promise<DialogAnswer> {
    const cb = await this.store.get(id);
    if (cb.state === 'COMPLETED' || cb.state === 'SCHEDULED')
      throw new DomainError(
        'callback/not_connectable',
        `Callback '${id}' is ${cb.state}: nothing to connect`,
      );
    if (cb.waitForAgent && cb.notifiedReservationId === null)
      throw new DomainError(
        'callback/agent_not_available',
        `No agent is available yet for callback '${id}'; wait for the notification`,
      );
    const now = this.deps.clock.now();
    // Known before anything is booked: the confirmation (user-terminated) or StartChat (chat).
    const fixed: CallbackDialog | null = userTerminated(cb)
      ? { action: 'ConfirmationDialog' }
      : cb.mediaType === 'chat'
        ? { action: 'StartChat' }
        : null;
    const [counted] = await this.deps.db
      .update(callbacksTable)
      .set({
        connectCount: sql`${callbacksTable.connectCount} + 1`,
        updatedAt: now,
        ...(fixed ? { dialog: fixed } : {}),
      })
      .where(and(eq(callbacksTable.id, id), lt(callbacksTable.connectCount, callbacksTable.connectLimit)))
      .returning();
    if (!counted)
      throw new DomainError(
        'callback/connect_limit',
        `Callback '${id}' was already connected ${cb.connectLimit} times (limit _userorig_connect_limit=${cb.connectLimit})`,
      );
    if (fixed) {
      // User-terminated with an agent already reserved: the confirmation asks for the dial.
      const { agentId, reservationId } = cb;
      const dial = fixed.action === 'ConfirmationDialog' && !cb.dialRequestedAt;
      if (dial && agentId !== null && reservationId !== null)
        await this.dialer.requestDial(counted, agentId, reservationId);
      return { callback: counted, dialog: fixed, at: now };
    }
    await this.resources.releaseSession(id);
    try {
      return await this.dialNumber(counted);
    } catch (err) {
      // No number was booked: this attempt does not count.
      await this.deps.db
        .update(callbacksTable)
        .set({ connectCount: sql`greatest(${callbacksTable.connectCount} - 1, 0)` })
        .where(eq(callbacksTable.id, id));
      throw err;
    }
  }

  /**
   * Books an access number (`_resource_group`, `_provide_code`, `_booking_expiration_timeout`) and
   * answers the DialNumber dialog (stored). With `scope` the booking is made in the caller's transaction.
   */
  async dialNumber(
    cb: CallbackRow,
    scope?: { tx: DbOrTx; onRollback(fn: () => Promise<void>): void },
  ): Promise<DialogAnswer> {
    const params = cb.params;
    const timeout = params._booking_expiration_timeout?.trim()
      ? positiveInt(params, '_booking_expiration_timeout', 30)
      : null;
    const allocation = await this.resources.allocate(
      {
        group: params._resource_group?.trim() || 'DNIS',
        sessionId: cb.id,
        phoneNumber: cb.customerNumber,
        provideCode: cb.provideCode,
        accessCodeLength: params._access_code_length
          ? positiveInt(params, '_access_code_length', 6)
          : undefined,
        bookingTimeoutSeconds: timeout,
      },
      scope,
    );
    const at = this.deps.clock.now();
    const dialog: CallbackDialog = {
      action: 'DialNumber',
      accessNumber: allocation.accessNumber,
      accessCode: allocation.accessCode,
      bookingId: allocation.bookingId,
      expiresAt: allocation.expiresAt.toISOString(),
    };
    await this.store.setDialog(cb.id, dialog, scope?.tx);
    return { callback: { ...cb, dialog }, dialog, at };
  }
}
