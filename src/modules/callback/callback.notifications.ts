import { and, eq, gt, isNull, lt, lte } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { UnavailableError, ValidationError } from '../../errors.js';
import type { EventStore, SessionEvent } from '../event/event.manager.js';
import { agentReservedColumns, type CallbackStore } from './callback.store.js';
import { type CallbackRow, callbackAgentMessagesTable, callbacksTable } from './callback.tables.js';

export const AGENT_AVAILABLE_TAG = 'service.agentavailable.';
export const NOTIFICATION_TAG = 'service.notification.';

/**
 * The agent-available push as a value: the device is to confirm (the DisplayMenu continuation,
 * asking for an access code when `provideCode`). callback.legacy.ts presents it where it leaves.
 */
export interface AgentAvailable {
  callbackId: string;
  provideCode: boolean;
}

/** What internal-notification (agent → device) and agent-notification (device → agent) carry. */
export interface NotificationInput {
  displayMessage: string;
  applicationMessage: string;
}

/** A notification between the device and the agent of a callback, as a value (presented by callback.legacy.ts). */
export interface CallbackNotification extends NotificationInput {
  callbackId: string;
}

declare module '../event/event.types.js' {
  interface SessionEventKinds {
    'callback.agent-available': AgentAvailable;
    /** Agent → device (`internal-notification`). */
    'callback.notification': CallbackNotification;
  }
}

/**
 * What reaches the device and the agent, and when. To the device: the agent-available push (once
 * per reservation, in the transaction that records it) and agent notifications, both session events
 * that every push channel reads; `retrieve-notifications` hands out the ones not yet delivered.
 * To the agent: the device's messages, kept in `callback_agent_messages` until retrieved or expired.
 */
export class CallbackNotifications {
  constructor(
    private readonly deps: Deps,
    private readonly store: CallbackStore,
    private readonly events: EventStore,
  ) {}

  /** Routing reserved an agent for a waiting callback: the device is told, once per reservation. */
  async agentAvailable(cb: CallbackRow, agentId: string, reservationId: number): Promise<void> {
    const now = this.deps.clock.now();
    const result = await this.deps.db.transaction(async (tx) => {
      const [locked] = await tx
        .select()
        .from(callbacksTable)
        .where(eq(callbacksTable.id, cb.id))
        .for('update');
      if (!locked || locked.state === 'COMPLETED' || locked.arrivedAt) return null;
      if (locked.notifiedReservationId === reservationId) return null;
      const event = await this.events.append(tx, {
        sessionId: cb.id,
        gmsUser: cb.gmsUser,
        tag: `${AGENT_AVAILABLE_TAG}${cb.id}`,
        kind: 'callback.agent-available',
        message: { callbackId: cb.id, provideCode: locked.provideCode },
        expiresAt: locked.expiresAt,
      });
      const [row] = await tx
        .update(callbacksTable)
        .set(agentReservedColumns(agentId, reservationId, now))
        .where(eq(callbacksTable.id, cb.id))
        .returning();
      return row ? { row, event } : null;
    });
    if (!result) return;
    await this.events.announce([result.event]);
    await this.store.announce(result.row);
  }

  /** Agent → device (`internal-notification`): stored as a session event, then announced. */
  async notifyDevice(id: string, input: NotificationInput): Promise<SessionEvent> {
    checkNotification(input);
    const cb = await this.store.get(id);
    const event = await this.events.publish({
      sessionId: id,
      gmsUser: cb.gmsUser,
      tag: `${NOTIFICATION_TAG}${id}`,
      kind: 'callback.notification',
      message: {
        callbackId: id,
        displayMessage: input.displayMessage,
        applicationMessage: input.applicationMessage,
      },
      expiresAt: cb.expiresAt,
    });
    return event;
  }

  /**
   * `retrieve-notifications`: the agent notifications not yet handed out (by an earlier poll, or
   * confirmed delivered by push through `markNotificationsDelivered`), oldest first: the stored
   * events, which the legacy edge presents as it presents their push.
   */
  async retrieveNotifications(id: string): Promise<SessionEvent[]> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cb = await this.store.get(id);
      const events = (await this.events.readSession(id, cb.notificationsDeliveredSeq)).filter((e) =>
        e.tag.startsWith(NOTIFICATION_TAG),
      );
      const last = events.at(-1);
      if (!last) return [];
      const moved = await this.deps.db
        .update(callbacksTable)
        .set({ notificationsDeliveredSeq: last.seq })
        .where(
          and(
            eq(callbacksTable.id, id),
            eq(callbacksTable.notificationsDeliveredSeq, cb.notificationsDeliveredSeq),
          ),
        )
        .returning({ id: callbacksTable.id });
      if (moved.length > 0) return events;
    }
    throw new UnavailableError(
      'callback/busy',
      `Notifications of callback '${id}' are being retrieved concurrently; retry`,
    );
  }

  /** For the push module: events up to `seq` reached the device, so polling must not repeat them. */
  async markNotificationsDelivered(id: string, seq: number): Promise<void> {
    await this.deps.db
      .update(callbacksTable)
      .set({ notificationsDeliveredSeq: seq })
      .where(and(eq(callbacksTable.id, id), lt(callbacksTable.notificationsDeliveredSeq, seq)));
  }

  /** Device → agent (`agent-notification`): kept until the agent desktop retrieves it. */
  async notifyAgent(id: string, input: NotificationInput): Promise<void> {
    checkNotification(input);
    const cb = await this.store.get(id);
    const now = this.deps.clock.now();
    await this.deps.db.insert(callbackAgentMessagesTable).values({
      callbackId: id,
      message: {
        _id: id,
        _internal_message: input.applicationMessage,
        _display_message: input.displayMessage,
      },
      createdAt: now,
      expiresAt: cb.expiresAt,
    });
    await this.deps.bus.publish('callback:changed', cb.serviceName, this.store.change(cb));
  }

  /** `retrieve-agent-notifications`: the device's messages not yet retrieved, each once, oldest first. */
  async retrieveAgentNotifications(id: string): Promise<CallbackNotification[]> {
    await this.store.get(id);
    const now = this.deps.clock.now();
    const rows = await this.deps.db
      .update(callbackAgentMessagesTable)
      .set({ retrievedAt: now })
      .where(
        and(
          eq(callbackAgentMessagesTable.callbackId, id),
          isNull(callbackAgentMessagesTable.retrievedAt),
          gt(callbackAgentMessagesTable.expiresAt, now),
        ),
      )
      .returning();
    rows.sort((a, b) => a.position - b.position);
    // The stored record names its fields after the request's parameters (see notifyAgent).
    return rows.map((r) => ({
      callbackId: r.message._id ?? id,
      displayMessage: r.message._display_message ?? '',
      applicationMessage: r.message._internal_message ?? '',
    }));
  }

  /**
   * Housekeeping: expired agent messages. Completed callbacks leave through the retention task
   * (src/lifecycle/policies.ts, RETENTION_CALLBACK_DAYS).
   */
  async sweep(): Promise<number> {
    const gone = await this.deps.db
      .delete(callbackAgentMessagesTable)
      .where(lte(callbackAgentMessagesTable.expiresAt, this.deps.clock.now()))
      .returning({ p: callbackAgentMessagesTable.position });
    return gone.length;
  }
}

/** A notification says something: `_display_message`, `_application_message` or both. */
function checkNotification(input: NotificationInput): void {
  if (input.displayMessage === '' && input.applicationMessage === '')
    throw new ValidationError(
      'callback/empty_notification',
      'A notification needs _display_message or _application_message (or both)',
      '_display_message',
    );
}
