import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { activityCategories } from './report.tables.js';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Rollup grains in seconds: per minute, hour and day (UTC slots, `date_bin` from the epoch). */
export const rollupGrains = [60, 3600, 86_400] as const;
export type RollupGrain = (typeof rollupGrains)[number];

/**
 * Activity rows not yet folded into the rollups. A statement trigger on `activity` (migration 0017)
 * copies every inserted row here in the inserting transaction; the roll-up task deletes a batch and
 * adds it to the rollups in one statement, so at any snapshot each row is counted exactly once,
 * either here or in the rollups, and reports read both. Normally a few seconds of traffic.
 */
export const activityPendingTable = pgTable(
  'activity_pending',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamptz('occurred_at').notNull(),
    category: text('category', { enum: activityCategories }).notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    outcome: text('outcome'),
    status: integer('status'),
    queue: text('queue'),
    waitMs: integer('wait_ms'),
    booked: integer('booked'),
    free: integer('free'),
  },
  (t) => [index('activity_pending_category_time_idx').on(t.category, t.occurredAt)],
);

/** Services report: accesses per slot × service × status × outcome. */
export const rollupServicesTable = pgTable(
  'rollup_services',
  {
    grain: integer('grain').notNull(),
    slot: timestamptz('slot').notNull(),
    service: text('service').notNull(),
    status: integer('status').notNull(),
    outcome: text('outcome').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.slot, t.service, t.status, t.outcome] })],
);

/**
 * Resources report: counts per kind, the extremes, and the slot's last event (its time and id
 * order slots' "last" values exactly as the raw rows did).
 */
export const rollupResourcesTable = pgTable(
  'rollup_resources',
  {
    grain: integer('grain').notNull(),
    slot: timestamptz('slot').notNull(),
    grp: text('grp').notNull(),
    allocations: integer('allocations').notNull(),
    releases: integer('releases').notNull(),
    expirations: integer('expirations').notNull(),
    exhaustions: integer('exhaustions').notNull(),
    peakBooked: integer('peak_booked'),
    minFree: integer('min_free'),
    lastAt: timestamptz('last_at').notNull(),
    lastId: bigint('last_id', { mode: 'number' }).notNull(),
    lastBooked: integer('last_booked'),
    lastFree: integer('last_free'),
  },
  (t) => [
    primaryKey({ columns: [t.grain, t.slot, t.grp] }),
    // A group's state before a range: one backwards probe per group.
    index('rollup_resources_grp_idx').on(t.grain, t.grp, t.slot),
  ],
);

/** Callback report: steps per slot × service × queue ('' for none), and the connected waits' sum. */
export const rollupCallbacksTable = pgTable(
  'rollup_callbacks',
  {
    grain: integer('grain').notNull(),
    slot: timestamptz('slot').notNull(),
    service: text('service').notNull(),
    queue: text('queue').notNull(),
    created: integer('created').notNull(),
    connected: integer('connected').notNull(),
    cancelled: integer('cancelled').notNull(),
    abandoned: integer('abandoned').notNull(),
    completed: integer('completed').notNull(),
    waitSum: bigint('wait_sum', { mode: 'number' }).notNull(),
    waitN: integer('wait_n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.slot, t.service, t.queue] })],
);

/**
 * Exact wait distribution of connected callbacks (count per wait in ms), so percentiles over any
 * range are the same as percentile_cont over the raw rows. Bounded by connected callbacks, a small
 * fraction of the activity.
 */
export const rollupCallbackWaitsTable = pgTable(
  'rollup_callback_waits',
  {
    grain: integer('grain').notNull(),
    slot: timestamptz('slot').notNull(),
    service: text('service').notNull(),
    queue: text('queue').notNull(),
    waitMs: integer('wait_ms').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.slot, t.service, t.queue, t.waitMs] })],
);
