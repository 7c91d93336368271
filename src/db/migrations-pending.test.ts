import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../test/harness.js';
import { ConfigError } from '../config.js';
import {
  type DatabaseOptions,
  migrationsFolder,
  migrationsPending,
  openDatabase,
  queryRows,
} from './client.js';
import { DATA_DIR_LOCK } from './pglite-lock.js';
import { initialStateFor } from './pglite-snapshot.js';

/** This build's newest migration (the journal's last `when`, ms). */
const newest = Math.max(
  ...(
    JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
      entries: { when: number }[];
    }
  ).entries.map((e) => e.when),
);

/** The start-up check that lets a migrated database skip drizzle's migrator (client.ts). */
describe('migrationsPending', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ startup: false });
  });
  afterAll(() => t?.close());

  it('is false for a database the migrator has brought up to date (either backend)', async () => {
    const last = async () =>
      (
        await queryRows<{ at: unknown }>(
          t.app.deps.db,
          sql`select max(created_at) as at from drizzle.__drizzle_migrations`,
        )
      )[0]?.at ?? null;
    expect(Number(await last())).toBe(newest);
    expect(await migrationsPending(last)).toBe(false);
  });

  it('is true when the journal has an entry newer than the last applied one', async () => {
    expect(await migrationsPending(async () => newest - 1)).toBe(true);
    expect(await migrationsPending(async () => String(newest - 1))).toBe(true);
    expect(await migrationsPending(async () => BigInt(newest))).toBe(false);
  });

  it('is true when nothing was applied or the record cannot be read (the migrator decides)', async () => {
    expect(await migrationsPending(async () => null)).toBe(true);
    expect(
      await migrationsPending(async () => {
        throw new Error('relation "drizzle.__drizzle_migrations" does not exist');
      }),
    ).toBe(true);
    expect(await migrationsPending(async () => 'not a number')).toBe(true);
  });
});

/** An older release started on a database a newer one has migrated (client.ts, newerSchema). */
describe('a database a newer release migrated', () => {
  it('is reported with the applied and the known migration, and nothing is pending', async () => {
    const seen: number[][] = [];
    expect(
      await migrationsPending(
        async () => String(newest + 5),
        (a, k) => seen.push([a, k]),
      ),
    ).toBe(false);
    expect(seen).toEqual([[newest + 5, newest]]);
    await expect(
      migrationsPending(
        async () => newest + 5,
        () => {
          throw new ConfigError('refused');
        },
      ),
    ).rejects.toThrow('refused');
  });

  /** Opens, records a migration from a newer release, closes; then the start this test is about. */
  async function refusedThenAllowed(options: DatabaseOptions, afterRefusal: () => void = () => {}) {
    const first = await openDatabase(options);
    await queryRows(
      first.db,
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from a newer release', ${newest + 60_000})`,
    );
    await first.close();
    const refused = openDatabase(options);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/migrated by a newer release.*ALLOW_NEWER_DATABASE=true/);
    afterRefusal();
    const warnings: string[] = [];
    const allowed = await openDatabase({ ...options, onNewerSchema: (m) => warnings.push(m) });
    try {
      await allowed.ping();
    } finally {
      await allowed.close();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(new Date(newest + 60_000).toISOString());
  }

  it('stops an embedded start (and leaves the data directory unlocked), unless allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gms-newer-'));
    try {
      await initialStateFor(join(dir, 'data'), inject('pgliteSnapshotPath'));
      await refusedThenAllowed({ kind: 'pglite', dataDir: join(dir, 'data') }, () =>
        expect(existsSync(join(dir, 'data', DATA_DIR_LOCK))).toBe(false),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(backend === 'postgres')('stops a PostgreSQL start, unless allowed', async () => {
    const database = await createTestDatabase();
    try {
      await refusedThenAllowed({ kind: 'postgres', url: database.url, poolSize: 2 });
    } finally {
      await database.drop();
    }
  });
});
