/**
 * Issue 19: a long history on PostgreSQL. Generates `--activity` activity rows over 30 days and
 * `--events` session events over `--event-days` days of expiry (in SQL, into the day partitions),
 * folds the activity into the rollups, then measures every report (rollups vs the raw queries),
 * retention by DROP of day partitions against batched DELETE, and table/index sizes before and
 * after. Runs in its own scratch database, dropped at the end.
 *
 *   node --import tsx bench/lifecycle.ts --activity 10000000 --events 10000000
 */

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { queryRows, sql } from '../src/db/client.js';
import { closeDeps, createDeps, type Deps } from '../src/deps.js';
import { createManagers, type Managers } from '../src/managers.js';
import { ReportManager } from '../src/modules/report/report.manager.js';
import { rawReportQueries } from '../src/modules/report/report.queries.js';
import type { RangeInput } from '../src/modules/report/report.ranges.js';
import { insertActivity } from './activity-data.js';
import { machine, scratchDatabase } from './harness.js';
import { benchReports, reportRanges, reportTime, timed } from './report-timing.js';

const { values: args } = parseArgs({
  options: {
    activity: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '1000000' },
    'event-days': { type: 'string', default: '30' },
    runs: { type: 'string', default: '3' },
    'skip-raw': { type: 'boolean', default: false },
    // Compare the Callback report with the raw queries over 7 and 30 days (same numbers expected).
    'check-callback': { type: 'boolean', default: false },
  },
});
const activityRows = Number(args.activity);
const eventRows = Number(args.events);
const eventDays = Number(args['event-days']);
const runs = Number(args.runs);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = new Date('2026-01-30T12:00:00Z');
const DAY = 86_400_000;
const CHUNK = 1_000_000;

const out = (line = '') => process.stdout.write(`${line}\n`);
const load = () => `load ${loadavg()[0]?.toFixed(1)}`;

async function dayPartitions(deps: Deps, parent: string, column: string, from: Date, days: number) {
  for (let d = 0; d <= days; d++) {
    const day = new Date(from.getTime() + d * DAY).toISOString().slice(0, 10);
    await deps.db.execute(sql`select gms_ensure_day_partition(${parent}, ${column}, ${day}::date)`);
  }
}

/** Activity over the 30 days before NOW, in time order, in chunks of a million (one statement each). */
async function generateActivity(deps: Deps): Promise<number> {
  await dayPartitions(deps, 'activity', 'occurred_at', new Date(NOW.getTime() - 31 * DAY), 32);
  const [ms] = await timed(async () => {
    for (let start = 0; start < activityRows; start += CHUNK) {
      const n = Math.min(CHUNK, activityRows - start);
      const span = 30 * DAY;
      const lo = NOW.getTime() - span + (span * start) / activityRows;
      const width = (span * n) / activityRows;
      await deps.db.execute(
        insertActivity(
          sql`generate_series(0, ${n - 1}) i`,
          sql`${new Date(lo).toISOString()}::timestamptz + (i::float8 / ${n}) * ${width / 1000} * interval '1 second'`,
          false,
        ),
      );
    }
  });
  await deps.db.execute(sql`analyze activity`);
  return ms;
}

/** Session events: 10 per session, sessions spread over `eventDays` days of expiry from NOW − 10 days. */
async function generateEvents(deps: Deps): Promise<number> {
  const first = new Date(NOW.getTime() - 10 * DAY);
  await dayPartitions(deps, 'session_events', 'expires_at', new Date(first.getTime() - DAY), eventDays + 1);
  const [ms] = await timed(async () => {
    for (let start = 0; start < eventRows; start += CHUNK) {
      const n = Math.min(CHUNK, eventRows - start);
      await deps.db.execute(sql`
        insert into session_events (session_id, seq, tag, delivery_id, message, gms_user, created_at, expires_at)
        select 's' || ((${start} + i) / 10), 1 + (${start} + i) % 10, 'service.agentavailable.' || ((${start} + i) / 10),
          md5((${start} + i)::text), json_build_object('_action', 'AgentAvailable', '_id', ${start} + i),
          'user' || ((${start} + i) / 40),
          e.expires - interval '1 hour', e.expires
        from generate_series(0, ${n - 1}) i
        cross join lateral (select ${first.toISOString()}::timestamptz
          + (((${start} + i) / 10)::float8 / ${Math.ceil(eventRows / 10)}) * ${eventDays} * interval '1 day' as expires) e`);
    }
  });
  await deps.db.execute(sql`analyze session_events`);
  return ms;
}

interface Size {
  table: string;
  rows: number;
  heap: number;
  indexes: number;
}

/** Heap and index bytes over every partition of a table (or the table itself). */
async function size(deps: Deps, table: string): Promise<Size> {
  const [r] = await queryRows<Record<string, unknown>>(
    deps.db,
    sql`select coalesce(sum(pg_relation_size(relid)), 0)::float8 as heap,
          coalesce(sum(pg_indexes_size(relid)), 0)::float8 as indexes,
          (select count(*) from ${sql.identifier(table)})::float8 as rows
        from (select relid from pg_partition_tree(${table}::regclass) where isleaf
              union select ${table}::regclass where not exists (select 1 from pg_partition_tree(${table}::regclass) where isleaf)) t`,
  );
  return { table, rows: Number(r?.rows), heap: Number(r?.heap), indexes: Number(r?.indexes) };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function sizes(deps: Deps): Promise<Size[]> {
  const tables = [
    'activity',
    'activity_pending',
    'rollup_services',
    'rollup_resources',
    'rollup_callbacks',
    'rollup_callback_waits',
    'rollup_callback_wait_bins',
    'session_events',
  ];
  return Promise.all(tables.map((t) => size(deps, t)));
}

function printSizes(title: string, list: Size[]) {
  out(`\n${title}\n\n| Table | rows | heap | indexes |\n|---|---:|---:|---:|`);
  for (const s of list)
    out(`| \`${s.table}\` | ${s.rows.toLocaleString('en')} | ${mb(s.heap)} | ${mb(s.indexes)} |`);
}

/** The emptied queue: its size, its indexes' live and deleted pages, and the reports that probe it. */
async function queueState(deps: Deps, m: Managers): Promise<string> {
  const [q] = await queryRows<Record<string, unknown>>(
    deps.db,
    sql`select pg_relation_size('activity_pending')::float8 as heap,
          pg_indexes_size('activity_pending')::float8 as indexes,
          (select n_dead_tup from pg_stat_user_tables where relname = 'activity_pending')::float8 as dead,
          (select string_agg(format('%s: %s leaf pages, %s deleted, %s empty', i.relname, s.leaf_pages, s.deleted_pages, s.empty_pages), '; ')
           from pg_index x join pg_class i on i.oid = x.indexrelid
           cross join lateral pgstatindex(i.oid::regclass) s
           where x.indrelid = 'activity_pending'::regclass) as idx`,
  );
  const short: string[] = [];
  for (const [label, range] of ranges.slice(0, 2))
    short.push(`${label} ${(await reportTime(m.reports, 'resources', range, runs)).toFixed(0)} ms`);
  return `heap ${mb(Number(q?.heap))}, indexes ${mb(Number(q?.indexes))}, ${Number(q?.dead).toLocaleString('en')} dead tuples (${String(q?.idx)}); Resources reports: ${short.join(', ')}`;
}

/**
 * After a large fold: the queue as the fold leaves it, then the VACUUM the roll-up task runs once it
 * has drained a backlog of ROLLUP_VACUUM_ROWS or more (RollupManager.vacuumQueue).
 */
async function queueAfterFold(deps: Deps, m: Managers): Promise<void> {
  await deps.db.execute(sql`create extension if not exists pgstattuple`);
  out(`\nactivity_pending straight after the fold: ${await queueState(deps, m)}; ${load()}`);
  const [vacuumMs] = await timed(() => m.rollups.vacuumQueue());
  out(`VACUUM (SKIP_LOCKED) activity_pending: ${(vacuumMs / 1000).toFixed(1)} s; ${load()}`);
  out(`activity_pending after it: ${await queueState(deps, m)}`);
}

const ranges: [string, RangeInput][] = [
  ...reportRanges,
  [
    '30 days off the minute (hour)',
    { preset: 'CUSTOM', from: new Date(NOW.getTime() - 30 * DAY + 12_345), to: NOW, bucket: 'HOUR' },
  ],
];

async function main() {
  const scratch = await scratchDatabase(baseUrl);
  const clock = new ManualClock(NOW);
  try {
    const deps = await createDeps(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: scratch.url,
        NODE_NAME: `bench-${scratch.name}`,
        LOG_LEVEL: 'silent',
      }),
      { clock },
    );
    try {
      const m: Managers = createManagers(deps);
      const version = (
        await queryRows<{ v: string }>(deps.db, sql`select current_setting('server_version') as v`)
      )[0]?.v;
      out(
        `PostgreSQL ${version}; ${activityRows.toLocaleString('en')} activity rows over 30 days; ${eventRows.toLocaleString('en')} session events over ${eventDays} days; ${machine()}; ${load()}`,
      );

      const activityMs = await generateActivity(deps);
      out(
        `\nactivity insert (generate_series, 1 M rows per statement, trigger queues each row for the roll-up): ${(activityMs / 1000).toFixed(0)} s = ${((activityRows / activityMs) * 1000).toFixed(0)} rows/s; ${load()}`,
      );
      let folded = 0;
      const [foldMs] = await timed(async () => {
        for (;;) {
          const n = await m.rollups.foldBatch(50_000);
          folded += n;
          if (n < 50_000) break;
        }
      });
      await deps.db.execute(sql`analyze`);
      out(
        `roll-up of ${folded.toLocaleString('en')} pending rows (batches of 50,000): ${(foldMs / 1000).toFixed(0)} s = ${((folded / foldMs) * 1000).toFixed(0)} rows/s; ${load()}`,
      );
      await queueAfterFold(deps, m);
      const eventsMs = await generateEvents(deps);
      out(
        `session_events insert: ${(eventsMs / 1000).toFixed(0)} s = ${((eventRows / eventsMs) * 1000).toFixed(0)} rows/s; ${load()}`,
      );
      const before = await sizes(deps);
      printSizes('Sizes after the inserts:', before);

      const raw = new ReportManager(deps, rawReportQueries);
      out(`\n| Report | Range (bucket) | rollups | raw rows |\n|---|---|---:|---:|`);
      for (const [label, range] of ranges)
        for (const kind of benchReports) {
          const rolled = await reportTime(m.reports, kind, range, runs);
          const rawMs =
            !args['skip-raw'] && !label.includes('hour (5')
              ? await reportTime(raw, kind, range, 1)
              : Number.NaN;
          out(
            `| ${kind} | ${label} | ${rolled.toFixed(0)} ms | ${Number.isNaN(rawMs) ? '–' : `${rawMs.toFixed(0)} ms`} |`,
          );
        }
      out(`(${load()})`);
      if (args['check-callback'])
        for (const [label, range] of ranges.slice(2)) {
          const same =
            JSON.stringify(await m.reports.callback(range)) === JSON.stringify(await raw.callback(range));
          out(`Callback ${label}: rollups ${same ? 'same as' : 'DIFFER FROM'} the raw queries`);
        }

      // The same work by DELETE: one day of events copied to an unpartitioned table with the same
      // indexes, then removed by the retention's batched DELETE statement (5,000 rows a batch).
      const dayPart = (await m.partitions.list('session_events'))[5];
      if (dayPart) {
        await deps.db.execute(
          sql`create table bench_events_unpartitioned (like session_events including all)`,
        );
        await deps.db.execute(
          sql`insert into bench_events_unpartitioned select * from ${sql.identifier(dayPart.name)}`,
        );
        await deps.db.execute(sql`analyze bench_events_unpartitioned`);
        const [rowsRow] = await queryRows<{ n: unknown }>(
          deps.db,
          sql`select count(*)::int as n from bench_events_unpartitioned`,
        );
        const n = Number(rowsRow?.n);
        const [delMs] = await timed(async () => {
          for (;;) {
            const [r] = await queryRows<{ n: unknown }>(
              deps.db,
              sql`with doomed as (delete from bench_events_unpartitioned where (session_id, seq, expires_at) in (
                    select session_id, seq, expires_at from bench_events_unpartitioned limit 5000 for update skip locked) returning 1)
                  select count(*)::int as n from doomed`,
            );
            if (Number(r?.n) < 5000) break;
          }
        });
        const [dropOneMs] = await timed(() =>
          deps.db.execute(sql`drop table ${sql.identifier(dayPart.name)}`),
        );
        out(
          `\none day of events (${n.toLocaleString('en')} rows): batched DELETE ${(delMs / 1000).toFixed(1)} s (${((n / delMs) * 1000).toFixed(0)} rows/s, leaves dead tuples for vacuum) vs DROP of its partition ${dropOneMs.toFixed(0)} ms; ${load()}`,
        );
      }
      // Retention by DROP, 15 days on: activity days older than 20 days ago (35-day retention) and
      // event days that expired more than 3 days before go.
      clock.set(new Date(NOW.getTime() + 15 * DAY));
      const [dropMs, run] = await timed(() => m.partitions.maintain());
      out(
        `\nretention by DROP (clock +15 days): ${run.dropped.length} day partitions dropped in ${dropMs.toFixed(0)} ms (${run.dropped.filter((p) => p.startsWith('activity')).length} activity, ${run.dropped.filter((p) => p.startsWith('session')).length} session_events), ${run.created.length} created; ${load()}`,
      );
      const [retMs, ret] = await timed(() => m.retention.run());
      out(
        `retention DELETE policies afterwards (default partitions, other tables): ${retMs.toFixed(0)} ms, deleted ${JSON.stringify(Object.fromEntries(Object.entries(ret.deleted).filter(([, n]) => n > 0)))}`,
      );
      const after = await sizes(deps);
      printSizes('Sizes after retention:', after);
    } finally {
      await closeDeps(deps);
    }
  } finally {
    if (process.env.BENCH_KEEP) out(`kept database ${scratch.url}`);
    else await scratch.drop();
  }
}

await main();
