import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase, queryRows, sql } from './client.js';
import { checkpointIfDue, walSinceRedo } from './pglite-checkpoint.js';

const MB = 1024 * 1024;

/**
 * PGlite has no checkpointer process, so nothing checkpoints unless the server asks: these tests
 * run the server's own PGlite (its start parameters, from the migrated dump) and show the WAL
 * bounded with the checks and growing without them.
 */
describe('PGlite checkpoints', () => {
  let database: Database;

  beforeAll(async () => {
    const snapshot = new Blob([await readFile(inject('pgliteSnapshotPath'))]);
    database = await openDatabase({ kind: 'pglite', dataDir: null, snapshot });
    await database.db.execute(sql`create table wal_filler (id int, pad text)`);
  });
  afterAll(async () => {
    await database?.close();
  });

  /** ~1 KB a row: ~1.2 MB of WAL per 1,000 rows. */
  const write = async (rows: number) =>
    database.db.execute(
      sql`insert into wal_filler select g, repeat('x', 1000) from generate_series(1, ${rows}) g`,
    );
  const walSince = () => walSinceRedo(database.db);
  const walFiles = async () =>
    (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from pg_ls_waldir()`))[0]?.n ??
    0;

  it('never checkpoints on its own: the WAL since the redo point only grows', async () => {
    const before = await walSince();
    await write(20_000);
    expect(await walSince()).toBeGreaterThan(before + 16 * MB);
  });

  it('checkpoints once the WAL since the last checkpoint reaches the bound, not before', async () => {
    expect(await walSince()).toBeGreaterThan(16 * MB);
    expect(await checkpointIfDue(database.db, { walBytes: 16 * MB })).toBe(true);
    expect(await walSince()).toBeLessThan(MB);
    expect(await checkpointIfDue(database.db, { walBytes: 16 * MB })).toBe(false);
  });

  it('keeps pg_wal bounded under a steady stream of writes (segments reused, not added)', async () => {
    // 8 rounds of ~24 MB: without checkpoints pg_wal would gain a 16 MB segment every ~13,000 rows.
    const counts: number[] = [];
    for (let round = 0; round < 8; round++) {
      await write(20_000);
      await checkpointIfDue(database.db, { walBytes: 16 * MB });
      counts.push(await walFiles());
    }
    // max_wal_size (64 MB: 4 segments) of old segments kept for reuse, plus the current ones.
    expect(Math.max(...counts)).toBeLessThanOrEqual(7);
  }, 60_000);
});
