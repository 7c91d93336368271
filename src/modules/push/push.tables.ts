import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Notification API subscriptions (`POST /genesys/1/notification/subscription`). */
export const notificationSubscriptionsTable = pgTable(
  'notification_subscriptions',
  {
    id: text('id').primaryKey(),
    subscriberId: text('subscriber_id').notNull(),
    providerName: text('provider_name'),
    /** Delivery type: comet, httpcb, customhttp, ios, fcm, android, gcm, orscb. */
    type: text('type').notNull(),
    deviceId: text('device_id'),
    properties: jsonb('properties').$type<Record<string, string>>().notNull(),
    /** Copied as the `authorization` header of customhttp deliveries. */
    authorization: text('authorization'),
    /** The filter as given (matched against event tags; `*` is a wildcard). */
    filter: text('filter').notNull(),
    /** The same filter as a SQL LIKE pattern. */
    filterLike: text('filter_like').notNull(),
    /** The subscriber's `gms_user` header: comet deliveries go to this device's CometD clients. */
    gmsUser: text('gms_user'),
    /** sha256 of the creator's device token (`x-gms-device-token`), or null: bound to gms_user only. */
    ownerTokenHash: text('owner_token_hash'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('notification_subscriptions_expires_at_idx').on(t.expiresAt)],
);

/**
 * Outbox of provider deliveries (httpcb, customhttp, APNs, FCM). Written in the transaction that
 * causes them; a worker claims due rows with `FOR UPDATE SKIP LOCKED` under a lease, so two
 * instances never send the same row at once. `dead` rows are the dead-letter record.
 */
export const pushDeliveriesTable = pgTable(
  'push_deliveries',
  {
    id: text('id').primaryKey(),
    /** `session:<session id>:<seq>` or `notification:<subscription id>:<event id>`: idempotency. */
    dedupeKey: text('dedupe_key').notNull().unique(),
    source: text('source').$type<'session' | 'notification'>().notNull(),
    subscriptionId: text('subscription_id'),
    sessionId: text('session_id'),
    seq: integer('seq'),
    type: text('type').notNull(),
    deviceId: text('device_id').notNull(),
    authorization: text('authorization'),
    /** The push `id` the device sees. */
    eventId: text('event_id').notNull(),
    tag: text('tag').notNull(),
    message: jsonb('message').notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'dead'>().notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('push_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('push_deliveries_subscription_idx').on(t.subscriptionId),
    index('push_deliveries_session_idx').on(t.sessionId),
    // Retention scans old rows by creation time; BRIN costs next to nothing on insert.
    index('push_deliveries_created_brin').using('brin', t.createdAt),
  ],
);

/** How far each push-enabled session's events were handed to the outbox (row-locked per session). */
export const pushSessionCursorsTable = pgTable('push_session_cursors', {
  sessionId: text('session_id').primaryKey(),
  deliveredSeq: integer('delivered_seq').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** Where a device's CometD delivery stands: a device reconnecting resumes here. */
export const pushCometCursorsTable = pgTable('push_comet_cursors', {
  gmsUser: text('gms_user').primaryKey(),
  cursor: jsonb('cursor').$type<Record<string, number>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});

export type NotificationSubscriptionRow = typeof notificationSubscriptionsTable.$inferSelect;
export type PushDeliveryRow = typeof pushDeliveriesTable.$inferSelect;
