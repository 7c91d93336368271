import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../test/harness.js';
import { ManualClock } from '../clock.js';
import { type Db, migrationsFolder, queryRows } from '../db/client.js';
import type { RangeInput } from '../modules/report/report.ranges.js';

const DAY = 86_400_000;
const NOW = '2026-03-10T12:00:00.000Z';

const where = async (db: Db, table: string) =>
  (
    await queryRows<{ part: string; n: unknown }>(
      db,
      sql`select tableoid::regclass::text as part, count(*)::int as n from ${sql.identifier(table)} group by 1 order by 1`,
    )
  ).map((r) => [r.part, Number(r.n)]);

async function insertEvent(db: Db, id: string, expiresAt: Date) {
  await db.execute(sql`
    insert into session_events (session_id, seq, tag, delivery_id, message, created_at, expires_at)
    values (${id}, 1, 't', ${id}, '{}'::json, ${NOW}::timestamptz, ${expiresAt.toISOString()}::timestamptz)`);
}

describe('time partitions (activity by occurred_at, session_events by expires_at)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock: new ManualClock(NOW), startup: false });
  });
  afterAll(() => t?.close());

  it('creates yesterday to PARTITION_AHEAD_DAYS ahead, once', async () => {
    const first = await t.app.managers.partitions.maintain();
    expect(first.failed).toEqual([]);
    expect(first.created).toContain('activity_p20260309');
    expect(first.created).toContain('activity_p20260317');
    expect(first.created).toContain('session_events_p20260317');
    expect(first.created).toHaveLength(18);
    expect((await t.app.managers.partitions.maintain()).created).toEqual([]);
    const days = await t.app.managers.partitions.list('activity');
    expect(days.map((d) => d.name)).toEqual(
      Array.from({ length: 9 }, (_, i) => `activity_p202603${String(9 + i).padStart(2, '0')}`),
    );
  });

  it('routes rows to their day; rows outside wait in the default partition and move when their day is created', async () => {
    const db = t.app.deps.db;
    await t.app.managers.activity.record(db, [
      { category: 'service', kind: 'accessed', service: 's', status: 200 },
      {
        category: 'service',
        kind: 'accessed',
        service: 's',
        status: 200,
        at: new Date('2026-03-01T10:00:00Z'),
      },
    ]);
    expect(await where(db, 'activity')).toEqual([
      ['activity_default', 1],
      ['activity_p20260310', 1],
    ]);
    await insertEvent(db, 'far', new Date(Date.parse(NOW) + 12 * DAY));
    await insertEvent(db, 'near', new Date(Date.parse(NOW) + 2 * DAY));
    expect(await where(db, 'session_events')).toEqual([
      ['session_events_default', 1],
      ['session_events_p20260312', 1],
    ]);
    // Five days later the far event's day is created ahead: its row moves out of the default.
    t.clock.set(new Date(Date.parse(NOW) + 5 * DAY));
    const run = await t.app.managers.partitions.maintain();
    expect(run.created).toContain('session_events_p20260322');
    expect(await where(db, 'session_events')).toEqual([
      ['session_events_p20260312', 1],
      ['session_events_p20260322', 1],
    ]);
    // Reads that only want live events touch the live days: the far event is still found.
    expect((await t.app.managers.events.readSession('far', 0)).map((e) => e.deliveryId)).toEqual(['far']);
  });

  it('retention drops whole days (no DELETE) and the reports keep their numbers from the rollups', async () => {
    const db = t.app.deps.db;
    t.clock.set(new Date(NOW));
    await t.app.managers.activity.record(
      db,
      Array.from({ length: 40 }, (_, i) => ({
        category: 'service' as const,
        kind: 'accessed' as const,
        service: i % 2 ? 'a' : 'b',
        status: i % 5 ? 200 : 503,
        at: new Date(Date.parse(NOW) - (i % 20) * 3_600_000),
      })),
    );
    await t.app.managers.rollups.run();
    const range: RangeInput = {
      preset: 'CUSTOM',
      from: new Date('2026-03-09T00:00:00Z'),
      to: new Date('2026-03-11T00:00:00Z'),
      bucket: 'HOUR',
    };
    const before = JSON.parse(JSON.stringify(await t.app.managers.reports.services(range)));
    expect(before.total).toBe(41);
    // 40 days later: the March days are past RETENTION_ACTIVITY_DAYS (35) and expired events past 3 days.
    t.clock.set(new Date(Date.parse(NOW) + 40 * DAY));
    const run = await t.app.managers.partitions.maintain();
    expect(run.failed).toEqual([]);
    expect(run.dropped).toContain('activity_p20260310');
    expect(run.dropped).toContain('session_events_p20260322');
    // Cut-off 2026-03-15T12:00Z: that day ends after it and stays.
    expect((await t.app.managers.partitions.list('activity'))[0]?.name).toBe('activity_p20260315');
    expect(await where(db, 'session_events')).toEqual([]);
    // Only the default partition's straggler is left to the DELETE policy.
    expect(await where(db, 'activity')).toEqual([['activity_default', 1]]);
    const retention = await t.app.managers.retention.run();
    expect(retention.deleted.activity).toBe(1);
    expect(JSON.parse(JSON.stringify(await t.app.managers.reports.services(range)))).toEqual(before);
  });
});

/** Migration 0019 on a database that already holds activity and events (PGlite or PostgreSQL). */
describe('migration 0019 moves existing rows into partitions', () => {
  let folder: string;
  beforeAll(() => {
    // The migrations up to 0018, as a database that existed before partitioning would have them.
    folder = mkdtempSync(join(tmpdir(), 'gms-migrations-'));
    cpSync(migrationsFolder, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx <= 18);
    writeFileSync(journalPath, JSON.stringify(journal));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('keeps every row and the id sequence', async () => {
    let db: Db;
    let migrateAll: (dir: string) => Promise<void>;
    let close: () => Promise<void>;
    if (backend === 'postgres') {
      const database = await createTestDatabase();
      const client = postgres(database.url, { max: 1, onnotice: () => {} });
      const d = drizzlePostgres({ client });
      db = d as unknown as Db;
      migrateAll = (dir) => migratePostgres(d, { migrationsFolder: dir });
      close = async () => {
        await client.end();
        await database.drop();
      };
    } else {
      const client = await PGlite.create({ extensions: { btree_gist } });
      const d = drizzlePglite({ client });
      db = d as unknown as Db;
      migrateAll = (dir) => migratePglite(d, { migrationsFolder: dir });
      close = () => client.close();
    }
    try {
      await migrateAll(folder);
      await db.execute(sql`
        insert into activity (occurred_at, category, kind, subject, status, outcome)
        select timestamptz '2026-03-01T00:00:00Z' + i * interval '1 hour', 'service', 'accessed', 's', 200, 'ok'
        from generate_series(0, 99) i`);
      await db.execute(sql`
        insert into session_events (session_id, seq, tag, delivery_id, message, created_at, expires_at)
        select 's' || i, 1, 't', 'd' || i, '{}'::json, now(), timestamptz '2026-03-01T00:00:00Z' + i * interval '1 day'
        from generate_series(0, 4) i`);
      await migrateAll(migrationsFolder);
      expect(await where(db, 'activity')).toEqual(
        [1, 2, 3, 4, 5].map((d) => [`activity_p2026030${d}`, d === 5 ? 4 : 24]),
      );
      expect((await where(db, 'session_events')).map(([p]) => p)).toEqual(
        [1, 2, 3, 4, 5].map((d) => `session_events_p2026030${d}`),
      );
      // The id sequence carries on, and the 100 rows queued for the roll-up before the migration stay
      // queued. (A raw insert is not queued: since migration 0024 the app's statements queue their own
      // rows, activity.manager.ts.)
      await db.execute(sql`
        insert into activity (occurred_at, category, kind, subject) values (timestamptz '2026-03-02T05:00:00Z', 'service', 'accessed', 's')`);
      const [row] = await queryRows<{ id: unknown; pending: unknown }>(
        db,
        sql`select max(id)::int as id, (select count(*)::int from activity_pending) as pending from activity`,
      );
      expect([Number(row?.id), Number(row?.pending)]).toEqual([101, 100]);
    } finally {
      await close();
    }
  });
});
