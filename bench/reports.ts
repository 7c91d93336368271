import { parseArgs } from 'node:util';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { queryRows, sql } from '../src/db/client.js';
import { closeDeps, createDeps, type Deps } from '../src/deps.js';
import { createManagers, type Managers } from '../src/managers.js';
import type { ExportFormat } from '../src/modules/report/report.manager.js';
import type { RangeInput } from '../src/modules/report/report.ranges.js';
import { insertActivity } from './activity-data.js';
import { scratchDatabase } from './harness.js';
import { benchReports, median, reportRanges, reportTime, timed } from './report-timing.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
  },
});
const rows = Number(args.rows);
const runs = Number(args.runs);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = new Date('2026-01-30T12:00:00Z');

const out = (line = '') => process.stdout.write(`${line}\n`);

async function generate(deps: Deps): Promise<number> {
  const [ms] = await timed(() =>
    deps.db.transaction(async (tx) => {
      await tx.execute(sql`select setseed(0.42)`);
      await tx.execute(
        insertActivity(
          sql`generate_series(1, ${rows}) i`,
          sql`${NOW.toISOString()}::timestamptz - random() * interval '30 days'`,
          true,
        ),
      );
    }),
  );
  await deps.db.execute(sql`analyze activity`);
  return ms;
}

async function reportTimes(m: Managers): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const [label, range] of reportRanges)
    for (const kind of benchReports)
      times.set(`${kind}|${label}`, await reportTime(m.reports, kind, range, runs));
  return times;
}

async function exportTimes(m: Managers): Promise<Map<string, [number, number]>> {
  const times = new Map<string, [number, number]>();
  for (const kind of benchReports)
    for (const format of ['csv', 'xlsx', 'pdf'] as ExportFormat[]) {
      const range: RangeInput = { preset: 'LAST_30_DAYS' };
      await m.reports.export({ report: kind, format, range });
      const samples: number[] = [];
      let size = 0;
      for (let i = 0; i < runs; i++) {
        const [ms, file] = await timed(() => m.reports.export({ report: kind, format, range }));
        samples.push(ms);
        size = file.body.byteLength;
      }
      times.set(`${kind}.${format}`, [median(samples), size]);
    }
  return times;
}

async function recordTimes(deps: Deps, m: Managers, n: number): Promise<number> {
  const [ms] = await timed(async () => {
    for (let i = 0; i < n; i++)
      await m.activity.record(deps.db, {
        category: 'service',
        kind: 'accessed',
        service: 'bench',
        status: 200,
      });
  });
  return (ms * 1000) / n;
}

/** Sizes summed over every partition: the partitioned parents themselves hold no data. */
async function sizes(deps: Deps): Promise<Record<string, string>> {
  const r = await queryRows<{ name: string; size: string }>(
    deps.db,
    sql`select n as name, pg_size_pretty(coalesce(sum(pg_relation_size(t.relid)), 0)) as size
        from unnest(array['activity', 'activity_id_occurred_at_pk', 'activity_category_time_idx',
                          'activity_category_subject_time_idx']) as n
        cross join lateral pg_partition_tree(n::regclass) t
        group by n`,
  );
  return Object.fromEntries(r.map((x) => [x.name, x.size]));
}

async function main() {
  const scratch = await scratchDatabase(baseUrl);
  const { name, url } = scratch;
  try {
    const deps = await createDeps(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: url,
        NODE_NAME: `bench-${name}`,
        LOG_LEVEL: 'silent',
      }),
      { clock: new ManualClock(NOW) },
    );
    try {
      const m = createManagers(deps);
      const version = (
        await queryRows<{ v: string }>(deps.db, sql`select current_setting('server_version') as v`)
      )[0]?.v;
      out(`PostgreSQL ${version}; ${rows.toLocaleString('en')} activity rows; median of ${runs} runs`);
      const insertMs = await generate(deps);
      out(`generate_series insert (with indexes): ${(insertMs / 1000).toFixed(1)} s`);
      out(`sizes: ${JSON.stringify(await sizes(deps))}`);

      const indexed = await reportTimes(m);
      const exports = await exportTimes(m);
      const recordIndexed = await recordTimes(deps, m, 2000);

      await deps.db.execute(sql`drop index activity_category_time_idx`);
      await deps.db.execute(sql`drop index activity_category_subject_time_idx`);
      await deps.db.execute(sql`analyze activity`);
      const bare = await reportTimes(m);
      const recordBare = await recordTimes(deps, m, 2000);

      out('\n| Report | Range (bucket) | with indexes | without |');
      out('|---|---|---:|---:|');
      for (const [label] of reportRanges)
        for (const kind of benchReports) {
          const k = `${kind}|${label}`;
          out(`| ${kind} | ${label} | ${indexed.get(k)?.toFixed(0)} ms | ${bare.get(k)?.toFixed(0)} ms |`);
        }
      out('\n| Export (last 30 days) | time | size |');
      out('|---|---:|---:|');
      for (const [k, [ms, size]] of exports)
        out(`| ${k} | ${ms.toFixed(0)} ms | ${(size / 1024).toFixed(0)} KiB |`);
      out(
        `\nrecord one entry (own statement): ${recordIndexed.toFixed(0)} µs with indexes, ${recordBare.toFixed(0)} µs without`,
      );
    } finally {
      await closeDeps(deps);
    }
  } finally {
    await scratch.drop();
  }
}

await main();
