import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** GMS callback states (reference §7.5). */
export const CALLBACK_STATES = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/**
 * A dialog a callback hands the device: what it asks of the customer, as a value. The discriminant
 * is the GMS dialog's `_action` (reference §7.3); callback.legacy.ts builds the GMS JSON of each.
 * Stored in `callbacks.dialog` as it is (jsonb: instants are ISO strings), so every field is JSON.
 * Rows written before the start's dialog was stored hold only DialNumber (these fields) or StartChat.
 */
export type CallbackDialog =
  /** Wait for the agent-available push (scheduled, or `_wait_for_agent`). GMS sends no `_action`. */
  | { action: 'WaitForAgent'; desiredTime: string | null }
  /** User-terminated: the customer will be called (8.5). */
  | { action: 'ConfirmationDialog' }
  /** Chat: the customer starts this callback's chat interaction. */
  | { action: 'StartChat' }
  /** Voice, user-originated: the customer dials the booked access number (with its code) before `expiresAt`. */
  | {
      action: 'DialNumber';
      accessNumber: string;
      accessCode: string | null;
      bookingId: string;
      expiresAt: string;
    }
  /** The agent-available continuation: a menu whose one entry is `connect`. Answered, never stored. */
  | { action: 'DisplayMenu' };

/**
 * One row per callback (a session of a `callback` service). The row outlives its session so that
 * queries and reports still see completed callbacks; every transition locks this row first.
 */
export const callbacksTable = pgTable(
  'callbacks',
  {
    /** The session id (`<node>-<uuid>`), also the routing request id. */
    id: text('id').primaryKey(),
    serviceName: text('service_name').notNull(),
    gmsUser: text('gms_user'),
    /** sha256 of the creator's device token (`x-gms-device-token`), or null: bound to gms_user only. */
    ownerTokenHash: text('owner_token_hash'),
    state: text('state').$type<CallbackState>().notNull(),
    /** `_callback_reason` once COMPLETED (AGENT_CONNECTED, CANCELLED, CANCELLED_BY_ADMIN, FAIL_…). */
    reason: text('reason'),
    /** voice | chat */
    mediaType: text('media_type').notNull(),
    /** USERORIGINATED | USERTERMINATED */
    callDirection: text('call_direction').notNull(),
    waitForAgent: boolean('wait_for_agent').notNull(),
    waitForUserConfirm: boolean('wait_for_user_confirm').notNull(),
    provideCode: boolean('provide_code').notNull(),
    /** As given (seed captures send national numbers); `customer_key` is the normalised form. */
    customerNumber: text('customer_number'),
    /** Digits with a leading `+` when known, else digits only: duplicate checks and ANI matching. */
    customerKey: text('customer_key'),
    desiredTime: ts('desired_time'),
    /** Start of the `_request_time_bucket` slot of `desired_time` (capacity counting). */
    slotStart: ts('slot_start'),
    deviceOs: text('device_os'),
    deviceNotificationId: text('device_notification_id'),
    virtualQueue: text('virtual_queue').notNull(),
    target: text('target'),
    priority: integer('priority').notNull().default(0),
    connectCount: integer('connect_count').notNull().default(0),
    connectLimit: integer('connect_limit').notNull(),
    /** The routing request exists (enqueued at least once). */
    enqueuedAt: ts('enqueued_at'),
    agentId: text('agent_id'),
    reservationId: integer('reservation_id'),
    /** The reservation the device was told about (agent-available is sent once per reservation). */
    notifiedReservationId: integer('notified_reservation_id'),
    /** The customer's call was matched or the chat arrived. */
    arrivedAt: ts('arrived_at'),
    /** An agent took the customer (reservation accepted after arrival). */
    connectedAt: ts('connected_at'),
    completedAt: ts('completed_at'),
    /** User-terminated: when the dial step was requested of the dialer, and its reported outcome. */
    dialRequestedAt: ts('dial_requested_at'),
    dialOutcome: text('dial_outcome'),
    /** The dialog the start or the latest connect answered with (null: none stored yet, see CallbackDialog). */
    dialog: jsonb('dialog').$type<CallbackDialog>(),
    /** Public base URL seen at start (for `_start_chat_url`, `_comet_url`). */
    baseUrl: text('base_url').notNull(),
    /** Session events up to this seq were handed out by `retrieve-notifications` or confirmed pushed. */
    notificationsDeliveredSeq: integer('notifications_delivered_seq').notNull().default(0),
    /** Control parameters in force (for queries by property). */
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    userData: jsonb('user_data').$type<Record<string, string>>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    /** The session's expiry. */
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    index('callbacks_state_idx').on(t.state, t.desiredTime),
    index('callbacks_service_slot_idx').on(t.serviceName, t.slotStart),
    index('callbacks_customer_idx').on(t.customerKey, t.state),
    index('callbacks_service_created_idx').on(t.serviceName, t.createdAt),
    // Retention: completed callbacks by completion time (written once, at completion).
    index('callbacks_completed_idx').on(t.completedAt).where(sql`state = 'COMPLETED'`),
  ],
);

export type CallbackRow = typeof callbacksTable.$inferSelect;

/** Mobile → agent messages (`agent-notification`), kept until the agent desktop retrieves them. */
export const callbackAgentMessagesTable = pgTable(
  'callback_agent_messages',
  {
    position: bigserial('position', { mode: 'number' }).primaryKey(),
    callbackId: text('callback_id').notNull(),
    message: jsonb('message').$type<Record<string, string>>().notNull(),
    createdAt: ts('created_at').notNull(),
    retrievedAt: ts('retrieved_at'),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('callback_agent_messages_callback_idx').on(t.callbackId, t.position)],
);
