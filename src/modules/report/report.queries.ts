import { type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../db/client.js';
import type { ReportPlan } from './report.plan.js';
import type { ResolvedRange } from './report.ranges.js';
import {
  type CallbackRow,
  num,
  numOrNull,
  type ResourceRowAgg,
  type ServiceRow,
  toCallbackRow,
  toResourceRow,
  toResourceState,
  toServiceRow,
} from './report.rows.js';

export type { CallbackRow, ResourceRowAgg, ServiceRow } from './report.rows.js';

/**
 * The report queries straight over the raw activity rows: the reference the rollup queries
 * (report.rollup-queries.ts) must agree with, kept for that comparison and for the benchmark.
 * Their cost grows with the rows in the range. Everything is aggregated by Postgres (date_bin buckets, FILTER counts,
 * percentile_cont, width_bucket); what comes back is one row per bucket × subject (× status), never
 * one per activity row. Numbers are cast to int/float8 and times to epoch seconds, so postgres.js and
 * PGlite hand back the same JavaScript values.
 */

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** The start of the row's bucket (report.ranges.ts): its boundary on the grid, or `from` for the first. */
function bucketExpr(range: ResolvedRange): SQL {
  return sql`extract(epoch from greatest(${ts(range.from)}, date_bin((${range.bucketSeconds}::int * interval '1 second'), occurred_at, ${ts(range.bucketOrigin)})))::float8`;
}

function inRange(category: string, range: ResolvedRange, extra: SQL[] = []): SQL {
  const parts = [
    sql`category = ${category}`,
    sql`occurred_at >= ${ts(range.from)}`,
    sql`occurred_at < ${ts(range.to)}`,
    ...extra,
  ];
  return sql.join(parts, sql` and `);
}

export async function serviceRows(
  db: DbOrTx,
  range: ResolvedRange,
  service: string | null,
): Promise<ServiceRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${bucketExpr(range)} as bucket, subject as service, coalesce(status, 0)::int as status,
          coalesce(outcome, 'ok') as outcome, count(*)::int as count
        from activity
        where ${inRange('service', range, service ? [sql`subject = ${service}`] : [])}
        group by 1, 2, 3, 4
        order by 1, 2, 3, 4`,
  );
  return rows.map(toServiceRow);
}

export async function resourceRows(
  db: DbOrTx,
  range: ResolvedRange,
  group: string | null,
): Promise<ResourceRowAgg[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${bucketExpr(range)} as bucket, subject as grp,
          (count(*) filter (where kind = 'allocated'))::int as allocations,
          (count(*) filter (where kind = 'released'))::int as releases,
          (count(*) filter (where kind = 'expired'))::int as expirations,
          (count(*) filter (where kind = 'exhausted'))::int as exhaustions,
          max(booked)::int as peak_booked,
          min(free)::int as min_free,
          ((array_agg(booked order by occurred_at desc, id desc))[1])::int as last_booked,
          ((array_agg(free order by occurred_at desc, id desc))[1])::int as last_free
        from activity
        where ${inRange('resource', range, group ? [sql`subject = ${group}`] : [])}
        group by 1, 2
        order by 1, 2`,
  );
  return rows.map(toResourceRow);
}

/**
 * Each group's booked/free as of the range start (its last event before it), so idle buckets and
 * idle groups still show their state. Distinct groups come from a loose index scan over
 * (category, subject, occurred_at); each lookup is one backwards index probe.
 */
export async function resourceStateBefore(
  db: DbOrTx,
  range: ResolvedRange,
  group: string | null,
): Promise<{ group: string; booked: number; free: number }[]> {
  const subjects = group
    ? sql`select ${group}::text as subject`
    : sql`with recursive s(subject) as (
            (select subject from activity where category = 'resource' order by subject limit 1)
            union all
            select (select a.subject from activity a where a.category = 'resource' and a.subject > s.subject
                    order by a.subject limit 1)
            from s where s.subject is not null
          )
          select subject from s where subject is not null`;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select g.subject as grp, l.booked::int as booked, l.free::int as free
        from (${subjects}) g
        cross join lateral (
          select booked, free from activity a
          where a.category = 'resource' and a.subject = g.subject and a.occurred_at < ${ts(range.from)}
          order by a.occurred_at desc, a.id desc
          limit 1
        ) l
        order by 1`,
  );
  return rows.map(toResourceState);
}

export interface CallbackFilter {
  service: string | null;
  queue: string | null;
}

function callbackFilter(f: CallbackFilter): SQL[] {
  const parts: SQL[] = [];
  if (f.service) parts.push(sql`subject = ${f.service}`);
  if (f.queue !== null) parts.push(sql`coalesce(queue, '') = ${f.queue}`);
  return parts;
}

export async function callbackRows(
  db: DbOrTx,
  range: ResolvedRange,
  f: CallbackFilter,
): Promise<CallbackRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${bucketExpr(range)} as bucket, subject as service, coalesce(queue, '') as queue,
          (count(*) filter (where kind = 'created'))::int as created,
          (count(*) filter (where kind = 'connected'))::int as connected,
          (count(*) filter (where kind = 'cancelled'))::int as cancelled,
          (count(*) filter (where kind = 'abandoned'))::int as abandoned,
          (count(*) filter (where kind = 'completed'))::int as completed,
          round(avg(wait_ms) filter (where kind = 'connected') / 1000.0, 3)::float8 as avg_wait
        from activity
        where ${inRange('callback', range, callbackFilter(f))}
        group by 1, 2, 3
        order by 1, 2, 3`,
  );
  return rows.map(toCallbackRow);
}

/** Upper bounds (seconds, exclusive) of the wait histogram's bins; the last bin is open-ended. */
export const WAIT_BINS_SECONDS = [30, 60, 120, 300, 600, 1800] as const;

export interface WaitStats {
  /** null service/queue: every callback of the range. */
  service: string | null;
  queue: string | null;
  connected: number;
  avgSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  p95Seconds: number | null;
  maxSeconds: number | null;
  /** Counts per bin of WAIT_BINS_SECONDS, plus one for longer waits. */
  histogram: number[];
}

/**
 * Wait-time distribution of connected callbacks (time from creation to connection), per service and
 * queue and overall (GROUPING SETS): percentiles by percentile_cont, counts by fixed bins.
 */
export async function waitStats(db: DbOrTx, range: ResolvedRange, f: CallbackFilter): Promise<WaitStats[]> {
  const where = inRange('callback', range, [
    sql`kind = 'connected'`,
    sql`wait_ms is not null`,
    ...callbackFilter(f),
  ]);
  const bounds = sql.raw(`array[${WAIT_BINS_SECONDS.map((s) => s * 1000).join(',')}]::int[]`);
  const stats = await queryRows<Record<string, unknown>>(
    db,
    sql`select subject as service, coalesce(queue, '') as queue, grouping(subject, coalesce(queue, ''))::int as overall,
          count(*)::int as connected,
          round(avg(wait_ms) / 1000.0, 3)::float8 as avg_wait,
          round((percentile_cont(0.5) within group (order by wait_ms))::numeric / 1000, 3)::float8 as p50,
          round((percentile_cont(0.9) within group (order by wait_ms))::numeric / 1000, 3)::float8 as p90,
          round((percentile_cont(0.95) within group (order by wait_ms))::numeric / 1000, 3)::float8 as p95,
          round(max(wait_ms) / 1000.0, 3)::float8 as max_wait
        from activity where ${where}
        group by grouping sets ((subject, coalesce(queue, '')), ())
        order by 3 desc, 1, 2`,
  );
  const bins = await queryRows<Record<string, unknown>>(
    db,
    sql`select subject as service, coalesce(queue, '') as queue, width_bucket(wait_ms, ${bounds})::int as bin,
          count(*)::int as count
        from activity where ${where}
        group by 1, 2, 3`,
  );
  const key = (s: unknown, q: unknown) => `${String(s)}\u0000${String(q)}`;
  const histograms = new Map<string, number[]>();
  const overall = new Array<number>(WAIT_BINS_SECONDS.length + 1).fill(0);
  for (const b of bins) {
    const k = key(b.service, b.queue);
    const h = histograms.get(k) ?? new Array<number>(WAIT_BINS_SECONDS.length + 1).fill(0);
    const bin = num(b.bin);
    h[bin] = (h[bin] ?? 0) + num(b.count);
    overall[bin] = (overall[bin] ?? 0) + num(b.count);
    histograms.set(k, h);
  }
  return stats.map((r) => {
    const isOverall = num(r.overall) !== 0;
    return {
      service: isOverall ? null : String(r.service),
      queue: isOverall ? null : String(r.queue),
      connected: num(r.connected),
      avgSeconds: numOrNull(r.avg_wait),
      p50Seconds: numOrNull(r.p50),
      p90Seconds: numOrNull(r.p90),
      p95Seconds: numOrNull(r.p95),
      maxSeconds: numOrNull(r.max_wait),
      histogram: isOverall
        ? overall
        : (histograms.get(key(r.service, r.queue)) ??
          new Array<number>(WAIT_BINS_SECONDS.length + 1).fill(0)),
    };
  });
}

/** What a report needs from storage; ReportManager uses the rollup implementation. */
export interface ReportQueries {
  serviceRows(
    db: DbOrTx,
    range: ResolvedRange,
    plan: ReportPlan,
    service: string | null,
  ): Promise<ServiceRow[]>;
  resourceRows(
    db: DbOrTx,
    range: ResolvedRange,
    plan: ReportPlan,
    group: string | null,
  ): Promise<ResourceRowAgg[]>;
  resourceStateBefore(
    db: DbOrTx,
    range: ResolvedRange,
    plan: ReportPlan,
    group: string | null,
  ): Promise<{ group: string; booked: number; free: number }[]>;
  callbackRows(db: DbOrTx, range: ResolvedRange, plan: ReportPlan, f: CallbackFilter): Promise<CallbackRow[]>;
  waitStats(db: DbOrTx, range: ResolvedRange, plan: ReportPlan, f: CallbackFilter): Promise<WaitStats[]>;
}

/** The raw-row implementation (ignores the plan: it reads every row of the range). */
export const rawReportQueries: ReportQueries = {
  serviceRows: (db, range, _plan, service) => serviceRows(db, range, service),
  resourceRows: (db, range, _plan, group) => resourceRows(db, range, group),
  resourceStateBefore: (db, range, _plan, group) => resourceStateBefore(db, range, group),
  callbackRows: (db, range, _plan, f) => callbackRows(db, range, f),
  waitStats: (db, range, _plan, f) => waitStats(db, range, f),
};
