import { sql } from 'drizzle-orm';
import type { RetentionConfig } from '../../config.js';
import { queryRows } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { CounterHandle } from '../../metrics/registry.js';
import { rollupGrains, WAIT_FINE_BOUNDS_MS } from './rollup.tables.js';

declare module '../../managers.types.js' {
  interface Managers {
    rollups: RollupManager;
  }
}

/**
 * Up to which time each source still holds everything (epoch ms): raw activity rows from `raw` on,
 * minute rollups from `minute` on, hour rollups from `hour` on. Retention only removes what is older
 * than `now − keep`, so a source is complete for every time at or after its horizon.
 */
export interface Horizons {
  raw: number;
  minute: number;
  hour: number;
}

const DAY_MS = 86_400_000;

export function reportHorizons(r: RetentionConfig, now: Date): Horizons {
  const t = now.getTime();
  return {
    raw: t - r.activityDays * DAY_MS,
    minute: t - r.rollupMinuteDays * DAY_MS,
    hour: t - r.rollupHourDays * DAY_MS,
  };
}

/**
 * Folds recorded activity into the per-minute, per-hour and per-day rollups the reports read.
 *
 * Why a background fold and not an upsert in the recording transaction: every access to one service
 * in one minute would update the same rollup row, three times (minute, hour, day), holding its lock
 * until the caller's transaction commits, so concurrent requests would queue on it. Instead the
 * recording transaction only appends (its statement also queues the row in `activity_pending`), and this task
 * claims a batch with `FOR UPDATE SKIP LOCKED`, deletes it and adds it to the rollups in one
 * statement: a row is in `activity_pending` or in the rollups, never both and never neither, at any
 * snapshot, whatever the commit order and however many instances run it. No watermark is needed,
 * so rows written late or with a past `at` are counted too. Reports read the rollups plus the
 * (small) pending table in one statement, so they are exact the moment activity commits.
 */
export class RollupManager {
  private readonly folded: CounterHandle<never>;
  private readonly vacuums: CounterHandle<never>;
  /** Rows this instance folded since it last vacuumed the queue. */
  private sinceVacuum = 0;

  constructor(private readonly deps: Deps) {
    this.folded = deps.metrics.counter(
      'gms_rollup_folded_rows_total',
      'Activity rows folded into the report rollups',
      [],
    );
    this.vacuums = deps.metrics.counter(
      'gms_rollup_queue_vacuums_total',
      'VACUUMs of the activity_pending queue after large folds',
      [],
    );
  }

  /** Folds until the pending rows are drained or RETENTION_MAX_BATCHES batches ran; returns rows folded. */
  async run(): Promise<number> {
    const { rollupBatchRows, maxBatches, rollupVacuumRows } = this.deps.config.retention;
    let total = 0;
    let drained = false;
    for (let i = 0; i < maxBatches && !drained; i++) {
      const n = await this.foldBatch(rollupBatchRows);
      total += n;
      drained = n < rollupBatchRows;
    }
    this.sinceVacuum += total;
    if (drained && rollupVacuumRows > 0 && this.sinceVacuum >= rollupVacuumRows) await this.vacuumQueue();
    return total;
  }

  /**
   * Vacuums the (drained) queue. Every folded row leaves a dead heap tuple and two dead index
   * entries; in steady state the queue holds seconds of traffic and autovacuum keeps up, but after a
   * large backlog (the migration's back-fill of an existing history, an instance that was down)
   * autovacuum waits for 20 % of the table's former size in dead rows and its naptime, and until it
   * runs every probe of the queue's index (each report reads the pending rows) walks the dead
   * entries: measured 750 MB of them after 10 M rows, short reports at ~1 s instead of ~30 ms
   * (BENCHMARKS.md). VACUUM removes them and unlinks the emptied index pages, and truncates the
   * emptied heap, without blocking inserts; SKIP_LOCKED: when another instance is vacuuming it
   * already, this one does not wait. Run only once the queue is drained, so the scan is paid once
   * per backlog rather than once per batch.
   */
  async vacuumQueue(): Promise<void> {
    this.sinceVacuum = 0;
    await this.deps.db.execute(sql`vacuum (skip_locked) activity_pending`);
    this.vacuums.inc(undefined, 1);
  }

  /** One batch: claim, delete and add to every grain, as one statement (one short transaction). */
  async foldBatch(limit: number): Promise<number> {
    const grains = sql.raw(rollupGrains.map((g) => `(${g})`).join(', '));
    const waitBounds = sql.raw(`array[${WAIT_FINE_BOUNDS_MS.join(',')}]::int[]`);
    // Keys are inserted in order, so two instances folding at once lock rollup rows in the same order.
    const [row] = await queryRows<{ n: unknown }>(
      this.deps.db,
      sql`with claimed as (
            delete from activity_pending where id in (
              select id from activity_pending order by id limit ${limit} for update skip locked)
            returning *),
          g as (
            select c.*, gr.grain,
              date_bin(gr.grain * interval '1 second', c.occurred_at, timestamptz '1970-01-01 00:00:00+00') as slot
            from claimed c cross join (values ${grains}) gr(grain)),
          svc as (
            insert into rollup_services as t (grain, slot, service, status, outcome, n)
            select grain, slot, subject, coalesce(status, 0), coalesce(outcome, 'ok'), count(*)::int
            from g where category = 'service' group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
            on conflict (grain, slot, service, status, outcome) do update set n = t.n + excluded.n
            returning 1),
          res as (
            insert into rollup_resources as t (grain, slot, grp, allocations, releases, expirations,
              exhaustions, peak_booked, min_free, last_at, last_id, last_booked, last_free)
            select grain, slot, subject,
              (count(*) filter (where kind = 'allocated'))::int,
              (count(*) filter (where kind = 'released'))::int,
              (count(*) filter (where kind = 'expired'))::int,
              (count(*) filter (where kind = 'exhausted'))::int,
              max(booked), min(free),
              (array_agg(occurred_at order by occurred_at desc, id desc))[1],
              (array_agg(id order by occurred_at desc, id desc))[1],
              (array_agg(booked order by occurred_at desc, id desc))[1],
              (array_agg(free order by occurred_at desc, id desc))[1]
            from g where category = 'resource' group by 1, 2, 3 order by 1, 2, 3
            on conflict (grain, slot, grp) do update set
              allocations = t.allocations + excluded.allocations,
              releases = t.releases + excluded.releases,
              expirations = t.expirations + excluded.expirations,
              exhaustions = t.exhaustions + excluded.exhaustions,
              peak_booked = greatest(t.peak_booked, excluded.peak_booked),
              min_free = least(t.min_free, excluded.min_free),
              last_booked = case when (excluded.last_at, excluded.last_id) > (t.last_at, t.last_id)
                then excluded.last_booked else t.last_booked end,
              last_free = case when (excluded.last_at, excluded.last_id) > (t.last_at, t.last_id)
                then excluded.last_free else t.last_free end,
              last_id = case when (excluded.last_at, excluded.last_id) > (t.last_at, t.last_id)
                then excluded.last_id else t.last_id end,
              last_at = greatest(t.last_at, excluded.last_at)
            returning 1),
          cb as (
            insert into rollup_callbacks as t (grain, slot, service, queue, created, connected,
              cancelled, abandoned, completed, wait_sum, wait_n)
            select grain, slot, subject, coalesce(queue, ''),
              (count(*) filter (where kind = 'created'))::int,
              (count(*) filter (where kind = 'connected'))::int,
              (count(*) filter (where kind = 'cancelled'))::int,
              (count(*) filter (where kind = 'abandoned'))::int,
              (count(*) filter (where kind = 'completed'))::int,
              coalesce(sum(wait_ms) filter (where kind = 'connected'), 0)::bigint,
              (count(wait_ms) filter (where kind = 'connected'))::int
            from g where category = 'callback' group by 1, 2, 3, 4 order by 1, 2, 3, 4
            on conflict (grain, slot, service, queue) do update set
              created = t.created + excluded.created,
              connected = t.connected + excluded.connected,
              cancelled = t.cancelled + excluded.cancelled,
              abandoned = t.abandoned + excluded.abandoned,
              completed = t.completed + excluded.completed,
              wait_sum = t.wait_sum + excluded.wait_sum,
              wait_n = t.wait_n + excluded.wait_n
            returning 1),
          waits as (
            insert into rollup_callback_waits as t (grain, slot, service, queue, wait_ms, n)
            select grain, slot, subject, coalesce(queue, ''), wait_ms, count(*)::int
            from g where category = 'callback' and kind = 'connected' and wait_ms is not null
            group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
            on conflict (grain, slot, service, queue, wait_ms) do update set n = t.n + excluded.n
            returning 1),
          wait_bins as (
            insert into rollup_callback_wait_bins as t (grain, slot, service, queue, bin, n, wait_sum, wait_max)
            select grain, slot, subject, coalesce(queue, ''), width_bucket(wait_ms, ${waitBounds}),
              count(*)::int, sum(wait_ms)::bigint, max(wait_ms)
            from g where category = 'callback' and kind = 'connected' and wait_ms is not null
            group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
            on conflict (grain, slot, service, queue, bin) do update set
              n = t.n + excluded.n, wait_sum = t.wait_sum + excluded.wait_sum,
              wait_max = greatest(t.wait_max, excluded.wait_max)
            returning 1)
          select count(*)::int as n from claimed`,
    );
    const n = Number(row?.n ?? 0);
    if (n > 0) this.folded.inc(undefined, n);
    return n;
  }
}
