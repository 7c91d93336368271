import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const activityCategories = ['service', 'resource', 'callback'] as const;
export type ActivityCategory = (typeof activityCategories)[number];

/**
 * The append-only activity record the reports aggregate. One row per thing that happened, written in
 * the transaction that caused it (failures in their own, since the caller's rolled back). Names are
 * copied, so history outlives renames and deletes. Rows are never updated. Partitioned by day of
 * `occurred_at` on every backend; old days leave by DROP (src/lifecycle/partitions.ts).
 *
 * - `service`  kind `accessed`; subject = service name; status = HTTP status answered; outcome
 *   `ok`/`failed`; detail = the error code of a failure.
 * - `resource` kinds `allocated`, `released`, `expired`, `exhausted`; subject = resource group;
 *   booked/free = the group's numbers right after the event; detail = release reason.
 * - `callback` kinds `created`, `connected`, `cancelled`, `abandoned`, `completed`; subject =
 *   service name; queue; wait_ms = time waited since the callback was created.
 */
export const activityTable = pgTable(
  'activity',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    occurredAt: timestamptz('occurred_at').notNull(),
    category: text('category', { enum: activityCategories }).notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    outcome: text('outcome'),
    status: integer('status'),
    detail: text('detail'),
    queue: text('queue'),
    waitMs: integer('wait_ms'),
    booked: integer('booked'),
    free: integer('free'),
    /** Session, booking owner or callback id the entry is about. */
    ref: text('ref'),
    nodeId: integer('node_id'),
  },
  (t) => [
    // Partitioned by day of occurred_at (migration 0019, src/lifecycle/partitions.ts): the key must
    // hold the partition column. ids stay unique (one sequence).
    primaryKey({ columns: [t.id, t.occurredAt] }),
    // Every report reads one category over a time range.
    index('activity_category_time_idx').on(t.category, t.occurredAt),
    // The resources report's "state before the range" per group, and per-subject filters.
    index('activity_category_subject_time_idx').on(t.category, t.subject, t.occurredAt),
  ],
);

/**
 * Short-lived download links for report exports: the token is handed out once (only its SHA-256 is
 * stored) and the resolved request is kept, so the file shows what was asked for when the link was made.
 */
export const reportLinksTable = pgTable(
  'report_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    request: jsonb('request').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('report_links_expires_idx').on(t.expiresAt)],
);

export type ActivityRow = typeof activityTable.$inferSelect;
