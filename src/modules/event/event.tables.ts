import { bigserial, index, integer, json, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Durable per-session event log: everything a device must see (agent available, notifications,
 * chat transcript changes…) is appended here in the transaction that causes it. `seq` is dense per
 * session and assigned under the session's counter row lock, so commit order equals seq order.
 */
export const sessionEventsTable = pgTable(
  'session_events',
  {
    sessionId: text('session_id').notNull(),
    seq: integer('seq').notNull(),
    /**
     * Insertion order: orders a device's stream (EventStore.readUser). Taken with the seq, under the
     * session's counter row lock, so within a session it rises with seq whatever the clocks say.
     */
    position: bigserial('position', { mode: 'number' }).notNull(),
    /** Routing tag as GMS pushes it, e.g. `service.agentavailable.<id>`. */
    tag: text('tag').notNull(),
    /** Delivery id (`id` in a GMS push), unique. */
    deliveryId: text('delivery_id').notNull(),
    /**
     * A typed domain event's kind (`chat.transcript`): `message` holds its value, presented as GMS
     * JSON where it leaves the process (EventStore.wire). Null: `message` is the push as delivered
     * (Notification API publishes, callback notifications, and chat events stored before kinds).
     */
    kind: text('kind'),
    // json, not jsonb: the text is kept as written, so pushes keep GMS's key order (`_action` before `_id`).
    message: json('message').notNull(),
    /** The session owner's `gms_user`, so device-wide streams need no join. */
    gmsUser: text('gms_user'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    // Partitioned by day of expires_at (migration 0019, src/lifecycle/partitions.ts): readers only
    // see live events (expires_at > now), so they touch only the current and future partitions,
    // and expired days leave by DROP. Keys must hold the partition column; seq is unique per
    // session by construction (assigned under the counter's row lock), delivery ids are random.
    primaryKey({ columns: [t.sessionId, t.seq, t.expiresAt] }),
    index('session_events_delivery_id_idx').on(t.deliveryId),
    index('session_events_gms_user_idx').on(t.gmsUser, t.createdAt, t.position),
    index('session_events_expires_at_idx').on(t.expiresAt),
  ],
);

export const sessionEventCountersTable = pgTable(
  'session_event_counters',
  {
    sessionId: text('session_id').primaryKey(),
    lastSeq: integer('last_seq').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  // Retention finds expired counters by it (src/lifecycle/policies.ts).
  (t) => [index('session_event_counters_expires_at_idx').on(t.expiresAt)],
);

export type SessionEventRow = typeof sessionEventsTable.$inferSelect;
