import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { migrationsFolder, migrationsPending, queryRows } from './client.js';

/** The start-up check that lets a migrated database skip drizzle's migrator (client.ts). */
describe('migrationsPending', () => {
  const newest = Math.max(
    ...(
      JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
        entries: { when: number }[];
      }
    ).entries.map((e) => e.when),
  );
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
