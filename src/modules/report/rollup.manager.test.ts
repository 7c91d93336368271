import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../../test/harness.js';
import { ManualClock } from '../../clock.js';
import { type Db, migrationsFolder, queryRows } from '../../db/client.js';
import type { ActivityEntry } from './activity.manager.js';
import { ReportManager } from './report.manager.js';
import { rawReportQueries } from './report.queries.js';
import type { RangeInput } from './report.ranges.js';

const NOW = '2026-01-05T10:15:27.400Z';
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

const one = async (db: Db, query: SQL) => Number((await queryRows<{ n: unknown }>(db, query))[0]?.n);

describe('the roll-up queue after a large fold', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      clock: new ManualClock(NOW),
      startup: false,
      env: { ROLLUP_BATCH_ROWS: '500', ROLLUP_VACUUM_ROWS: '2000' },
    });
  });
  afterAll(() => t?.close());

  const vacuums = () =>
    one(
      t.app.deps.db,
      sql`select coalesce(sum(vacuum_count), 0)::int as n from pg_stat_user_tables where relname = 'activity_pending'`,
    );
  const heapPages = () =>
    one(t.app.deps.db, sql`select (pg_relation_size('activity_pending') / 8192)::int as n`);
  const record = (count: number, offset: number) =>
    t.app.managers.activity.record(
      t.app.deps.db,
      Array.from(
        { length: count },
        (_, i): ActivityEntry => ({
          category: 'service',
          kind: 'accessed',
          service: `s${(offset + i) % 7}`,
          status: 200,
          at: new Date(Date.parse(NOW) - (offset + i + 1) * 1000),
        }),
      ),
    );

  it('is vacuumed once drained, when enough rows were folded since the last time', async () => {
    // Below the threshold: folded, not vacuumed.
    await record(1500, 0);
    expect(await heapPages()).toBeGreaterThan(0);
    expect(await t.app.managers.rollups.run()).toBe(1500);
    expect(await vacuums()).toBe(0);
    // 1,500 + 3,000 folded: past 2,000, and the run drains the queue, so it vacuums.
    await record(3000, 1500);
    expect(await t.app.managers.rollups.run()).toBe(3000);
    expect(await vacuums()).toBe(1);
    // The dead rows are gone and the emptied heap is truncated (nothing else holds an old snapshot).
    expect(await heapPages()).toBe(0);
    expect(await one(t.app.deps.db, sql`select count(*)::int as n from activity_pending`)).toBe(0);
    // The count starts again: the next small fold does not vacuum.
    await record(100, 5000);
    await t.app.managers.rollups.run();
    expect(await vacuums()).toBe(1);
    // The reports still see everything.
    const range: RangeInput = { preset: 'CUSTOM', from: new Date('2026-01-05T08:00:00Z'), to: new Date(NOW) };
    expect((await t.app.managers.reports.services(range)).total).toBe(4600);
  });

  it('a run that stops at RETENTION_MAX_BATCHES with rows left does not vacuum yet', async () => {
    const capped = await createTestApp({
      clock: new ManualClock(NOW),
      startup: false,
      env: { ROLLUP_BATCH_ROWS: '500', ROLLUP_VACUUM_ROWS: '1000', RETENTION_MAX_BATCHES: '2' },
    });
    try {
      await capped.app.managers.activity.record(
        capped.app.deps.db,
        Array.from(
          { length: 1500 },
          (_, i): ActivityEntry => ({
            category: 'service',
            kind: 'accessed',
            service: 's',
            status: 200,
            at: new Date(Date.parse(NOW) - i * 1000),
          }),
        ),
      );
      const count = () =>
        one(
          capped.app.deps.db,
          sql`select coalesce(sum(vacuum_count), 0)::int as n from pg_stat_user_tables where relname = 'activity_pending'`,
        );
      expect(await capped.app.managers.rollups.run()).toBe(1000);
      expect(await count()).toBe(0);
      expect(await capped.app.managers.rollups.run()).toBe(500);
      expect(await count()).toBe(1);
    } finally {
      await capped.close();
    }
  });
});

/**
 * Migration 0020 on a database whose rollups already hold a wait distribution: the bins it fills
 * from rollup_callback_waits must give the same Callback report as the raw rows.
 */
describe('migration 0020 bins an existing wait distribution', () => {
  let folder: string;
  let dataDir: string | null = null;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'gms-migrations-'));
    cpSync(migrationsFolder, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx <= 19);
    writeFileSync(journalPath, JSON.stringify(journal));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Folds the pending callback rows with id ≤ `upTo` as the roll-up did before 0020 (counts and the
   * per-ms distribution; no bins yet), into empty rollup tables.
   */
  const foldBefore0020 = (db: Db, upTo: number) =>
    db.execute(sql`
      with claimed as (
        delete from activity_pending where category = 'callback' and id <= ${upTo} returning *),
      g as (
        select c.*, gr.grain,
          date_bin(gr.grain * interval '1 second', c.occurred_at, timestamptz '1970-01-01 00:00:00+00') as slot
        from claimed c cross join (values (60), (3600), (86400)) gr(grain)),
      cb as (
        insert into rollup_callbacks (grain, slot, service, queue, created, connected, cancelled,
          abandoned, completed, wait_sum, wait_n)
        select grain, slot, subject, coalesce(queue, ''),
          (count(*) filter (where kind = 'created'))::int,
          (count(*) filter (where kind = 'connected'))::int,
          (count(*) filter (where kind = 'cancelled'))::int,
          (count(*) filter (where kind = 'abandoned'))::int,
          (count(*) filter (where kind = 'completed'))::int,
          coalesce(sum(wait_ms) filter (where kind = 'connected'), 0)::bigint,
          (count(wait_ms) filter (where kind = 'connected'))::int
        from g group by 1, 2, 3, 4
        returning 1),
      waits as (
        insert into rollup_callback_waits (grain, slot, service, queue, wait_ms, n)
        select grain, slot, subject, coalesce(queue, ''), wait_ms, count(*)::int
        from g where kind = 'connected' and wait_ms is not null group by 1, 2, 3, 4, 5
        returning 1)
      select count(*) from claimed`);

  it('gives the same Callback report as percentile_cont over the raw rows, before and after the next fold', async () => {
    let db: Db;
    let migrateTo: (dir: string) => Promise<void>;
    let closeRaw: () => Promise<void>;
    let appOptions: Parameters<typeof createTestApp>[0];
    let dropDatabase = async () => {};
    if (backend === 'postgres') {
      const database = await createTestDatabase();
      const client = postgres(database.url, { max: 1, onnotice: () => {} });
      const d = drizzlePostgres({ client });
      db = d as unknown as Db;
      migrateTo = (dir) => migratePostgres(d, { migrationsFolder: dir });
      closeRaw = () => client.end();
      appOptions = { database };
      dropDatabase = () => database.drop();
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'gms-pglite-0020-'));
      const client = await PGlite.create({ dataDir, extensions: { btree_gist } });
      const d = drizzlePglite({ client });
      db = d as unknown as Db;
      migrateTo = (dir) => migratePglite(d, { migrationsFolder: dir });
      closeRaw = () => client.close();
      appOptions = { env: { DATABASE_URL: `pglite://${dataDir}` } };
    }
    try {
      await migrateTo(folder);
      // 6,000 callback events over 40 days at millisecond times: waits on and around the fine-bin
      // and histogram bounds (ties), spread values, waits past the last bound, and none at all.
      await db.execute(sql`
        insert into activity (occurred_at, category, kind, subject, queue, wait_ms, ref)
        select ${NOW}::timestamptz - (i * 577.123 + (i % 13) * 1000.5) * interval '1 second',
          'callback',
          (array['created', 'connected', 'connected', 'connected', 'abandoned', 'completed'])[1 + i % 6],
          (array['cb-sales', 'cb-support'])[1 + (i / 7) % 2],
          (array['q1', 'q2', null])[1 + (i / 3) % 3],
          case
            when i % 6 = 0 or i % 17 = 0 then null
            when i % 5 = 0 then (array[0, 999, 1000, 29999, 30000, 60000, 299999, 1800000])[1 + (i / 5) % 8]
            when i % 11 = 0 then 86400000 + i
            else (i * 7919) % 2400000
          end,
          'c' || i
        from generate_series(1, 6000) i`);
      await db.execute(sql`
        insert into activity (occurred_at, category, kind, subject, status, outcome)
        select ${NOW}::timestamptz - i * interval '7 minutes', 'service', 'accessed', 'svc', 200, 'ok'
        from generate_series(1, 300) i`);
      // Two thirds of the callbacks folded the old way; the rest (and the services) still pending.
      await foldBefore0020(db, 4000);
      const [before] = await queryRows<{ waits: unknown; pending: unknown }>(
        db,
        sql`select (select count(*)::int from rollup_callback_waits) as waits,
              (select count(*)::int from activity_pending) as pending`,
      );
      expect(Number(before?.waits)).toBeGreaterThan(1000);
      expect(Number(before?.pending)).toBe(2300);
      await closeRaw();

      // The app applies 0020 at start.
      const t = await createTestApp({ ...appOptions, clock: new ManualClock(NOW), startup: false });
      try {
        const d = t.app.deps.db;
        // Every folded wait is in exactly one bin, per grain.
        const binned = await queryRows<{ grain: unknown; n: unknown; s: unknown }>(
          d,
          sql`select grain, sum(n)::int as n, sum(wait_sum)::text as s from rollup_callback_wait_bins group by 1 order by 1`,
        );
        const waits = await queryRows<{ grain: unknown; n: unknown; s: unknown }>(
          d,
          sql`select grain, sum(n)::int as n, sum(wait_ms::bigint * n)::text as s from rollup_callback_waits group by 1 order by 1`,
        );
        expect(binned.map((r) => [Number(r.grain), Number(r.n), String(r.s)])).toEqual(
          waits.map((r) => [Number(r.grain), Number(r.n), String(r.s)]),
        );
        expect(binned).toHaveLength(3);

        const raw = new ReportManager(t.app.deps, rawReportQueries);
        const ranges: RangeInput[] = [
          { preset: 'LAST_7_DAYS' },
          { preset: 'LAST_30_DAYS', bucket: 'HOUR' },
          {
            preset: 'CUSTOM',
            from: new Date('2025-11-28T13:07:41.250Z'),
            to: new Date('2026-01-04T22:59:59.999Z'),
            bucket: 'DAY',
          },
        ];
        const compare = async () => {
          for (const range of ranges)
            for (const f of [{}, { service: 'cb-sales' }, { service: 'cb-support', queue: '' }])
              expect(plain(await t.app.managers.reports.callback(range, f))).toEqual(
                plain(await raw.callback(range, f)),
              );
        };
        await compare();
        // The new roll-up folds the rest into both levels.
        expect(await t.app.managers.rollups.run()).toBe(2300);
        await compare();
        const report = await t.app.managers.reports.callback(ranges[2] as RangeInput);
        expect(report.wait.connected).toBeGreaterThan(2000);
        expect(report.wait.p95Seconds).not.toBeNull();
      } finally {
        await t.close();
      }
    } finally {
      await dropDatabase();
    }
  }, 120_000);
});
