import { and, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../errors.js';
import type { ResourceManager } from '../resource/resource.manager.js';
import type { CallbackDialer } from './callback.dialer.js';
import { userTerminated } from './callback.routing-sync.js';
import { expirationSeconds, positiveInt } from './callback.rules.js';
import type { CallbackStore } from './callback.store.js';
import { type CallbackRow, callbacksTable } from './callback.tables.js';

/**
 * The GMS dialogs a callback answers the device with (the start, `connect`, the agent-available
 * menu), key for key as the seed captures them, and the `connect` step that chooses one: a
 * DialNumber dialog books an access number, a user-terminated confirmation asks for the dial.
 */

const DELAYED_TEXT = 'We will notify you when agent is available';

/** The start's answer when the device is to wait for the agent-available push (scheduled or `_wait_for_agent`). */
export function delayedDialog(id: string, desiredTime: Date | null): Record<string, unknown> {
  const body: Record<string, unknown> = { _id: id, _text: DELAYED_TEXT };
  if (desiredTime) body._desired_time = desiredTime.toISOString();
  return body;
}

/** The 8.5 user-terminated confirmation (reference §7.3, QA-observed). */
export const confirmationDialog = (id: string) => ({
  _id: id,
  _action: 'ConfirmationDialog',
  _text: 'You will receive the call shortly',
  _ok_title: 'Ok',
  _dialog_id: '0',
});

/** The StartChat dialog (seed "Chat Immediate" / "Chat Delayed" captures), keys in their order. */
export function startChatDialog(
  cb: Pick<CallbackRow, 'id' | 'baseUrl' | 'gmsUser' | 'userData'>,
): Record<string, unknown> {
  return {
    _dialog_id: '1',
    _action: 'StartChat',
    _label: 'Start Chat',
    _start_chat_url: `${cb.baseUrl}/genesys/1/service/${cb.id}/ixn/chat`,
    _comet_url: `${cb.baseUrl}/genesys/cometd`,
    _user_header: cb.gmsUser ?? '',
    _id_to_jump_before: 'exit://',
    _chat_parameters: { subject: cb.userData.subject || 'None' },
    _id: cb.id,
  };
}

/**
 * The dialog behind the agent-available push's `_action` (a DisplayMenu, the form the GMS sample
 * clients parse): one entry whose `_user_action_url` is this callback's `connect`.
 */
export function confirmationMenu(cb: Pick<CallbackRow, 'id' | 'baseUrl'>): Record<string, unknown> {
  return {
    _dialog_id: '2',
    _action: 'DisplayMenu',
    _label: 'Agent is available',
    _content: [
      {
        _group_name: 'Connect',
        _group_content: [
          { _label: 'Connect now', _user_action_url: `${cb.baseUrl}/genesys/1/service/${cb.id}/connect` },
        ],
      },
    ],
    _id: cb.id,
  };
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
   * and the DialNumber dialog returned; chat: the StartChat dialog. At most `_userorig_connect_limit`.
   */
  async connect(id: string): Promise<Record<string, unknown>> {
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
    const [counted] = await this.deps.db
      .update(callbacksTable)
      .set({ connectCount: sql`${callbacksTable.connectCount} + 1`, updatedAt: now })
      .where(and(eq(callbacksTable.id, id), lt(callbacksTable.connectCount, callbacksTable.connectLimit)))
      .returning();
    if (!counted)
      throw new DomainError(
        'callback/connect_limit',
        `Callback '${id}' was already connected ${cb.connectLimit} times (limit _userorig_connect_limit=${cb.connectLimit})`,
      );
    if (userTerminated(cb)) {
      if (cb.agentId !== null && cb.reservationId !== null && !cb.dialRequestedAt)
        await this.dialer.requestDial(counted, cb.agentId, cb.reservationId);
      return confirmationDialog(id);
    }
    if (cb.mediaType === 'chat') {
      await this.store.setDialog(id, { action: 'StartChat' });
      return startChatDialog(counted);
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
   * answers the DialNumber dialog. With `scope` the booking is made in the caller's transaction.
   */
  async dialNumber(
    cb: CallbackRow,
    scope?: { tx: DbOrTx; onRollback(fn: () => Promise<void>): void },
  ): Promise<Record<string, unknown>> {
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
    await this.store.setDialog(
      cb.id,
      {
        action: 'DialNumber',
        accessNumber: allocation.accessNumber,
        accessCode: allocation.accessCode,
        bookingId: allocation.bookingId,
        expiresAt: allocation.expiresAt.toISOString(),
      },
      scope?.tx,
    );
    return {
      _dialog_id: '0',
      _label: 'Connecting ...',
      _action: 'DialNumber',
      _tel_url: `tel:${allocation.accessNumber}`,
      _access_code: allocation.accessCode ?? 'n/a',
      _access_number: allocation.accessNumber,
      _expiration_time: expirationSeconds(allocation.expiresAt, this.deps.clock.now()),
      _id: cb.id,
    };
  }
}
