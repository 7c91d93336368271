import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { activityCategories } from './report.tables.js';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Rollup grains in seconds: per minute, hour and day (UTC slots, `date_bin` from the epoch). */
export const rollupGrains = [60, 3600, 86_400] as const;
export type RollupGrain = (typeof rollupGrains)[number];

/**
 * Activity rows not yet folded into the rollups. Every statement that inserts into `activity` also
 * inserts its rows here (activity.manager.ts; a statement trigger did until migration 0024); the roll-up task deletes a batch and
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

/**
 * Fixed wait bins (lower bounds in ms, for `width_bucket`) of rollup_callback_wait_bins: 1 s up to
 * a minute, 10 s up to 5 minutes, 30 s up to 30 minutes, 1 minute up to an hour, 5 minutes up to 2
 * hours, an hour up to a day, then one open bin. Every WAIT_BINS_SECONDS bound is one of them, so
 * the report's histogram is a sum of whole bins. Changing the list needs a migration that refills
 * the table (migration 0020 filled it from rollup_callback_waits).
 */
export const WAIT_FINE_BOUNDS_MS: readonly number[] = [
  ...Array.from({ length: 60 }, (_, i) => i),
  ...Array.from({ length: 24 }, (_, i) => 60 + i * 10),
  ...Array.from({ length: 50 }, (_, i) => 300 + i * 30),
  ...Array.from({ length: 30 }, (_, i) => 1800 + i * 60),
  ...Array.from({ length: 12 }, (_, i) => 3600 + i * 300),
  ...Array.from({ length: 22 }, (_, i) => 7200 + i * 3600),
  86_400,
].map((s) => s * 1000);

/**
 * Count, sum and maximum of the connected waits per slot × service × queue × wait bin: the first
 * level of the exact percentiles. A report sums the bins over its range to find which bin holds each
 * percentile's rank, then reads rollup_callback_waits only inside those bins (one index range per
 * slot), so its cost follows the number of slots and bins, not the number of callbacks.
 */
export const rollupCallbackWaitBinsTable = pgTable(
  'rollup_callback_wait_bins',
  {
    grain: integer('grain').notNull(),
    slot: timestamptz('slot').notNull(),
    service: text('service').notNull(),
    queue: text('queue').notNull(),
    bin: integer('bin').notNull(),
    n: integer('n').notNull(),
    waitSum: bigint('wait_sum', { mode: 'number' }).notNull(),
    waitMax: integer('wait_max').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.slot, t.service, t.queue, t.bin] })],
);
