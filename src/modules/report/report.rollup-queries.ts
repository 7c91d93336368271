import { type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../db/client.js';
import type { Piece, ReportPlan } from './report.plan.js';
import type {
  CallbackFilter,
  CallbackRow,
  ReportQueries,
  ResourceRowAgg,
  ServiceRow,
  WaitStats,
} from './report.queries.js';
import { WAIT_BINS_SECONDS } from './report.queries.js';
import type { ResolvedRange } from './report.ranges.js';
import {
  num,
  numOrNull,
  toCallbackRow,
  toResourceRow,
  toResourceState,
  toServiceRow,
} from './report.rows.js';
import { WAIT_FINE_BOUNDS_MS } from './rollup.tables.js';

/**
 * The report queries over the rollups (report.plan.ts says which source covers which part of the
 * range). Each statement unions three sources under one snapshot: rollup slots, the pending rows
 * not yet folded into them (at the slot they will be folded into), and raw rows for sub-minute
 * edges. They answer with the same rows, numbers and rounding as the raw queries in
 * report.queries.ts (report.rollup.test.ts compares them), at a cost bounded by the number of
 * buckets, not by the size of the activity table.
 */

/**
 * Runs one report statement with JIT off. The planner prices a statement over many pieces high
 * (every piece is an index scan it cannot see is tiny), and PostgreSQL then spends seconds
 * compiling it with LLVM for a query that runs in tens of milliseconds (measured in
 * BENCHMARKS.md). PGlite has no JIT; the setting is accepted and does nothing.
 */
async function reportRows(db: DbOrTx, query: SQL): Promise<Record<string, unknown>[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    // Sorts and hashes over a long range's wait distribution stay in memory instead of spilling.
    await tx.execute(sql`set local work_mem = '64MB'`);
    return queryRows<Record<string, unknown>>(tx, query);
  });
}

const ts = (d: Date | number) => sql`${new Date(d).toISOString()}::timestamptz`;
const EPOCH = sql`timestamptz '1970-01-01 00:00:00+00'`;

/** The plan's pieces as a relation p(grain, lo, hi) (three array parameters, whatever the count). */
function piecesCte(pieces: Piece[]): SQL {
  const grains = `{${pieces.map((p) => p.grain).join(',')}}`;
  const iso = (ms: number) => `"${new Date(ms).toISOString()}"`;
  const los = `{${pieces.map((p) => iso(p.lo)).join(',')}}`;
  const his = `{${pieces.map((p) => iso(p.hi)).join(',')}}`;
  return sql`p as (select * from unnest(${grains}::int[], ${los}::timestamptz[], ${his}::timestamptz[]) as p(grain, lo, hi))`;
}

/** A pending row's slot at the piece's grain: where the roll-up will put it. */
const pendingSlot = sql`date_bin(p.grain * interval '1 second', a.occurred_at, ${EPOCH})`;

/**
 * Joins of a source to the pieces: rollup slots, pending rows (rollup grains) and raw rows (grain
 * 0). Each is a LATERAL subquery fenced with OFFSET 0, so every piece is one index range scan:
 * left to itself the planner merge-joins on the grain alone and filters the ranges afterwards,
 * comparing every slot with every piece.
 */
const rollupJoin = (table: SQL) =>
  sql`from p cross join lateral (select * from ${table} r
        where r.grain = p.grain and r.slot >= p.lo and r.slot < p.hi offset 0) r`;
const pendingJoin = (category: string) =>
  sql`from p cross join lateral (select * from activity_pending a
        where p.grain > 0 and a.category = ${category} and a.occurred_at >= p.lo and a.occurred_at < p.hi offset 0) a`;
const rawJoin = (category: string) =>
  sql`from p cross join lateral (select * from activity a
        where p.grain = 0 and a.category = ${category} and a.occurred_at >= p.lo and a.occurred_at < p.hi offset 0) a`;

/** Same buckets as the raw queries: a slot's start lies in the bucket the plan cut it for. */
function bucketOf(range: ResolvedRange): SQL {
  return sql`extract(epoch from greatest(${ts(range.from)}, date_bin((${range.bucketSeconds}::int * interval '1 second'), at, ${ts(range.bucketOrigin)})))::float8`;
}

const where = (parts: SQL[]) => (parts.length > 0 ? sql`where ${sql.join(parts, sql` and `)}` : sql``);

export async function serviceRows(
  db: DbOrTx,
  range: ResolvedRange,
  plan: ReportPlan,
  service: string | null,
): Promise<ServiceRow[]> {
  if (plan.pieces.length === 0) return [];
  const rf = where(service ? [sql`r.service = ${service}`] : []);
  const af = where(service ? [sql`a.subject = ${service}`] : []);
  const rows = await reportRows(
    db,
    sql`with ${piecesCte(plan.pieces)},
        src as (
          select r.slot as at, r.service, r.status, r.outcome, r.n ${rollupJoin(sql`rollup_services`)} ${rf}
          union all
          select ${pendingSlot}, a.subject, coalesce(a.status, 0), coalesce(a.outcome, 'ok'), 1
            ${pendingJoin('service')} ${af}
          union all
          select a.occurred_at, a.subject, coalesce(a.status, 0), coalesce(a.outcome, 'ok'), 1
            ${rawJoin('service')} ${af})
        select ${bucketOf(range)} as bucket, service, status::int as status, outcome, sum(n)::int as count
        from src group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  );
  return rows.map(toServiceRow);
}

const kindCounts = (kinds: string[]) =>
  sql.join(
    kinds.map((k) => sql`(a.kind = ${k})::int`),
    sql`, `,
  );

export async function resourceRows(
  db: DbOrTx,
  range: ResolvedRange,
  plan: ReportPlan,
  group: string | null,
): Promise<ResourceRowAgg[]> {
  if (plan.pieces.length === 0) return [];
  const rf = where(group ? [sql`r.grp = ${group}`] : []);
  const af = where(group ? [sql`a.subject = ${group}`] : []);
  const kinds = kindCounts(['allocated', 'released', 'expired', 'exhausted']);
  const rows = await reportRows(
    db,
    sql`with ${piecesCte(plan.pieces)},
        src as (
          select r.slot as at, r.grp, r.allocations, r.releases, r.expirations, r.exhaustions,
            r.peak_booked, r.min_free, r.last_at, r.last_id, r.last_booked, r.last_free
            ${rollupJoin(sql`rollup_resources`)} ${rf}
          union all
          select ${pendingSlot}, a.subject, ${kinds}, a.booked, a.free, a.occurred_at, a.id, a.booked, a.free
            ${pendingJoin('resource')} ${af}
          union all
          select a.occurred_at, a.subject, ${kinds}, a.booked, a.free, a.occurred_at, a.id, a.booked, a.free
            ${rawJoin('resource')} ${af})
        select ${bucketOf(range)} as bucket, grp,
          sum(allocations)::int as allocations, sum(releases)::int as releases,
          sum(expirations)::int as expirations, sum(exhaustions)::int as exhaustions,
          max(peak_booked)::int as peak_booked, min(min_free)::int as min_free,
          ((array_agg(last_booked order by last_at desc, last_id desc))[1])::int as last_booked,
          ((array_agg(last_free order by last_at desc, last_id desc))[1])::int as last_free
        from src group by 1, 2 order by 1, 2`,
  );
  return rows.map(toResourceRow);
}

/**
 * Each group's booked/free from its last event before the plan's data start: the latest of the
 * raw rows, the pending rows and each grain's last whole slot before it (whichever retention still
 * keeps). Groups come from the day rollups (kept longest) and the pending rows; every lookup is
 * one backwards index probe.
 */
export async function resourceStateBefore(
  db: DbOrTx,
  plan: ReportPlan,
  group: string | null,
): Promise<{ group: string; booked: number; free: number }[]> {
  const start = plan.dataStart;
  const groups = group
    ? sql`select ${group}::text as grp`
    : sql`(with recursive s(grp) as (
            (select grp from rollup_resources where grain = 86400 order by grp limit 1)
            union all
            select (select r.grp from rollup_resources r where r.grain = 86400 and r.grp > s.grp
                    order by r.grp limit 1)
            from s where s.grp is not null)
          select grp from s where grp is not null)
          union
          select distinct subject from activity_pending where category = 'resource'`;
  const slotProbe = (grain: number) =>
    sql`(select last_at as at, last_id as id, last_booked as booked, last_free as free
         from rollup_resources r where r.grain = ${grain} and r.grp = g.grp and r.slot <= ${ts(start - grain * 1000)}
         order by r.slot desc limit 1)`;
  const rowProbe = (table: SQL) =>
    sql`(select occurred_at as at, id, booked, free from ${table} a
         where a.category = 'resource' and a.subject = g.grp and a.occurred_at < ${ts(start)}
         order by a.occurred_at desc, a.id desc limit 1)`;
  const rows = await reportRows(
    db,
    sql`select distinct on (g.grp) g.grp as grp, l.booked::int as booked, l.free::int as free
        from (${groups}) g
        cross join lateral (
          ${rowProbe(sql`activity`)} union all ${rowProbe(sql`activity_pending`)}
          union all ${slotProbe(60)} union all ${slotProbe(3600)} union all ${slotProbe(86_400)}
        ) l
        order by g.grp, l.at desc, l.id desc`,
  );
  return rows.map(toResourceState);
}

function callbackFilters(f: CallbackFilter, rollup: boolean): SQL[] {
  const parts: SQL[] = [];
  if (f.service) parts.push(rollup ? sql`r.service = ${f.service}` : sql`a.subject = ${f.service}`);
  if (f.queue !== null)
    parts.push(rollup ? sql`r.queue = ${f.queue}` : sql`coalesce(a.queue, '') = ${f.queue}`);
  return parts;
}

export async function callbackRows(
  db: DbOrTx,
  range: ResolvedRange,
  plan: ReportPlan,
  f: CallbackFilter,
): Promise<CallbackRow[]> {
  if (plan.pieces.length === 0) return [];
  const rf = where(callbackFilters(f, true));
  const af = where(callbackFilters(f, false));
  const raw = sql`a.subject, coalesce(a.queue, ''),
    ${kindCounts(['created', 'connected', 'cancelled', 'abandoned', 'completed'])},
    case when a.kind = 'connected' then a.wait_ms end,
    (a.kind = 'connected' and a.wait_ms is not null)::int`;
  const rows = await reportRows(
    db,
    sql`with ${piecesCte(plan.pieces)},
        src as (
          select r.slot as at, r.service, r.queue, r.created, r.connected, r.cancelled, r.abandoned,
            r.completed, r.wait_sum, r.wait_n ${rollupJoin(sql`rollup_callbacks`)} ${rf}
          union all
          select ${pendingSlot}, ${raw} ${pendingJoin('callback')} ${af}
          union all
          select a.occurred_at, ${raw} ${rawJoin('callback')} ${af})
        select ${bucketOf(range)} as bucket, service, queue,
          sum(created)::int as created, sum(connected)::int as connected,
          sum(cancelled)::int as cancelled, sum(abandoned)::int as abandoned,
          sum(completed)::int as completed,
          round(sum(wait_sum)::numeric / nullif(sum(wait_n), 0)::numeric / 1000.0, 3)::float8 as avg_wait
        from src group by 1, 2, 3 order by 1, 2, 3`,
  );
  return rows.map(toCallbackRow);
}

const PERCENTILES = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
] as const;

const intArray = (values: readonly number[]) => sql.raw(`array[${values.join(',')}]::int[]`);

/**
 * Wait-time distribution per service and queue and overall, exact and in two levels so its cost
 * does not follow the number of callbacks. Level 1: the per-slot bin counts
 * (rollup_callback_wait_bins, WAIT_FINE_BOUNDS_MS) summed over the range give each group's count,
 * mean, maximum and histogram, and say which bin holds each percentile's ranks
 * floor(p·(n−1)) and ceil(p·(n−1)) and how many waits lie below it. Level 2: only inside those bins
 * the exact waits (rollup_callback_waits, count per wait in ms) are read, one index range per slot
 * that has waits in the bin, and the ranks' values interpolated in float8 as percentile_cont does.
 * Pending and raw edge rows (a few) join both levels as single waits.
 */
export async function waitStats(db: DbOrTx, plan: ReportPlan, f: CallbackFilter): Promise<WaitStats[]> {
  if (plan.pieces.length === 0) return [];
  const rf = where(callbackFilters(f, true));
  const connected = where([
    sql`a.kind = 'connected'`,
    sql`a.wait_ms is not null`,
    ...callbackFilters(f, false),
  ]);
  const fine = intArray(WAIT_FINE_BOUNDS_MS);
  const pos = (p: number, t: string) => sql.raw(`(${p}::float8 * (${t}.tot - 1)::float8)`);
  const ranks = sql.join(
    PERCENTILES.map(([, p]) => sql`(floor(${pos(p, 'c')})), (ceil(${pos(p, 'c')}))`),
    sql`, `,
  );
  const picked = sql.join(
    PERCENTILES.map(
      ([name, p]) =>
        sql`max(v.v) filter (where v.k = floor(${pos(p, 'a')}))::float8 as ${sql.raw(`${name}_lo`)},
            max(v.v) filter (where v.k = ceil(${pos(p, 'a')}))::float8 as ${sql.raw(`${name}_hi`)}`,
    ),
    sql`, `,
  );
  const values = sql.join(
    PERCENTILES.map(([name, p]) => {
      const lo = sql.raw(`r.${name}_lo`);
      const hi = sql.raw(`r.${name}_hi`);
      return sql`round((${lo} + (${hi} - ${lo}) * (${pos(p, 'a')} - floor(${pos(p, 'a')})))::numeric / 1000, 3)::float8 as ${sql.raw(name)}`;
    }),
    sql`, `,
  );
  // Every report histogram bound is a fine bound, so a fine bin's lower bound places it.
  const bounds = intArray(WAIT_BINS_SECONDS.map((s) => s * 1000));
  const bins = sql.join(
    Array.from(
      { length: WAIT_BINS_SECONDS.length + 1 },
      (_, i) =>
        sql`coalesce(sum(n) filter (where width_bucket(coalesce((${fine})[bin], -1), ${bounds}) = ${sql.raw(String(i))}), 0)`,
    ),
    sql` || ',' || `,
  );
  const sameGroup = (x: string, y: string) =>
    sql.raw(`${x}.overall = ${y}.overall and ${x}.service is not distinct from ${y}.service
      and ${x}.queue is not distinct from ${y}.queue`);
  const inGroup = (x: string) =>
    sql.raw(`(t.overall = 1 or (${x}.service = t.service and ${x}.queue = t.queue))`);
  const stats = await reportRows(
    db,
    sql`with ${piecesCte(plan.pieces)},
        rs as materialized (
          select r.grain, r.slot, r.service, r.queue, r.bin, r.n, r.wait_sum, r.wait_max
          ${rollupJoin(sql`rollup_callback_wait_bins`)} ${rf}),
        ex as materialized (
          select a.subject as service, coalesce(a.queue, '') as queue, a.wait_ms, width_bucket(a.wait_ms, ${fine}) as bin
            ${pendingJoin('callback')} ${connected}
          union all
          select a.subject, coalesce(a.queue, ''), a.wait_ms, width_bucket(a.wait_ms, ${fine})
            ${rawJoin('callback')} ${connected}),
        b1 as (
          select service, queue, bin, sum(n)::bigint as n, sum(s)::numeric as s, max(mx) as mx from (
            select service, queue, bin, n, wait_sum as s, wait_max as mx from rs
            union all select service, queue, bin, 1, wait_ms, wait_ms from ex) x
          group by 1, 2, 3),
        b as (
          select 0 as overall, service, queue, bin, n, s, mx from b1
          union all
          select 1, null, null, bin, sum(n)::bigint, sum(s), max(mx) from b1 group by bin),
        c as (
          select b.*,
            sum(n) over (partition by overall, service, queue order by bin) as cum,
            sum(n) over (partition by overall, service, queue) as tot
          from b),
        targets as materialized (
          select distinct c.overall, c.service, c.queue, c.bin, c.cum - c.n as before, k.k
          from c cross join lateral (values ${ranks}) k(k)
          where (c.cum - c.n)::float8 <= k.k and c.cum::float8 > k.k),
        tb as (select distinct overall, service, queue, bin from targets),
        fine as materialized (
          select t.overall, t.service, t.queue, t.bin, w.wait_ms, w.n
          from tb t join rs r on r.bin = t.bin and ${inGroup('r')}
          cross join lateral (select w.wait_ms, w.n from rollup_callback_waits w
            where w.grain = r.grain and w.slot = r.slot and w.service = r.service and w.queue = r.queue
              and w.wait_ms >= coalesce((${fine})[r.bin], -2147483648)
              and w.wait_ms <= coalesce((${fine})[r.bin + 1] - 1, 2147483647) offset 0) w
          union all
          select t.overall, t.service, t.queue, t.bin, e.wait_ms, 1
          from tb t join ex e on e.bin = t.bin and ${inGroup('e')}),
        fc as materialized (
          select overall, service, queue, bin, wait_ms,
            sum(sum(n)) over (partition by overall, service, queue, bin order by wait_ms) as cum
          from fine group by 1, 2, 3, 4, 5),
        vals as materialized (
          select t.overall, t.service, t.queue, t.k, min(fc.wait_ms) as v
          from targets t join fc on ${sameGroup('fc', 't')} and fc.bin = t.bin and (t.before + fc.cum)::float8 > t.k
          group by 1, 2, 3, 4),
        agg as (
          select overall, service, queue, tot,
            round(sum(s) / tot::numeric / 1000.0, 3)::float8 as avg_wait,
            round(max(mx) / 1000.0, 3)::float8 as max_wait,
            ${bins} as bins
          from c group by overall, service, queue, tot)
        select a.service, a.queue, a.overall, a.tot::int as connected, a.avg_wait, a.max_wait, a.bins, ${values}
        from agg a cross join lateral (select ${picked} from vals v where ${sameGroup('v', 'a')}) r
        order by a.overall desc, a.service, a.queue`,
  );
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
      histogram: String(r.bins).split(',').map(Number),
    };
  });
}

/** The rollup implementation ReportManager uses. */
export const rollupReportQueries: ReportQueries = {
  serviceRows,
  resourceRows,
  resourceStateBefore: (db, _range, plan, group) => resourceStateBefore(db, plan, group),
  callbackRows,
  waitStats: (db, _range, plan, f) => waitStats(db, plan, f),
};
