import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { initialStateFor } from './pglite-snapshot.js';

// The dump global-setup wrote (the same kind `npm run build` writes to dist/pglite-initial.tar).
const dump = inject('pgliteSnapshotPath');
const scratch = mkdtempSync(join(tmpdir(), 'gms-snapshot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the dump holds: the migrations drizzle recorded, and the schema's tables. */
async function contents(client: PGlite) {
  const migrations = await client.query<{ n: number }>(
    'select count(*)::int as n from drizzle.__drizzle_migrations',
  );
  const tables = await client.query<{ n: number }>(
    "select count(*)::int as n from pg_tables where schemaname = 'public'",
  );
  return { migrations: migrations.rows[0]?.n ?? 0, tables: tables.rows[0]?.n ?? 0 };
}

describe('opening a new PGlite database from the dump', () => {
  test('a new data directory: unpacked onto disk, then opened as an existing database', async () => {
    const dir = join(scratch, 'new');
    expect(await initialStateFor(dir, dump)).toEqual({});
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir, '.gms-unpacking'))).toBe(false);
    const client = await PGlite.create({ dataDir: dir, extensions: { btree_gist } });
    try {
      const { migrations, tables } = await contents(client);
      expect(migrations).toBeGreaterThan(0);
      expect(tables).toBeGreaterThan(10);
      // Writable, and what is written is there after reopening.
      await client.query('create table snapshot_probe (id int)');
    } finally {
      await client.close();
    }
    expect(await initialStateFor(dir, dump)).toEqual({}); // an existing database is left alone
    const again = await PGlite.create({ dataDir: dir, extensions: { btree_gist } });
    try {
      expect((await again.query("select to_regclass('snapshot_probe') is not null as t")).rows).toEqual([
        { t: true },
      ]);
    } finally {
      await again.close();
    }
  });

  test('in memory: the file system is filled from the dump, with the same contents', async () => {
    const fromFile = await PGlite.create({
      ...(await initialStateFor(null, dump)),
      extensions: { btree_gist },
    });
    const fromBlob = await PGlite.create({
      loadDataDir: new Blob([readFileSync(dump)]),
      extensions: { btree_gist },
    });
    try {
      const expected = await contents(fromBlob);
      expect(expected.migrations).toBeGreaterThan(0);
      expect(await contents(fromFile)).toEqual(expected);
    } finally {
      await fromFile.close();
      await fromBlob.close();
    }
  });

  test('an unpack that was interrupted is redone; a directory that is not ours is not touched', async () => {
    const interrupted = join(scratch, 'interrupted');
    mkdirSync(join(interrupted, 'base'), { recursive: true });
    writeFileSync(join(interrupted, '.gms-unpacking'), '');
    writeFileSync(join(interrupted, 'base', 'half-written'), 'x');
    await initialStateFor(interrupted, dump);
    expect(existsSync(join(interrupted, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(interrupted, 'base', 'half-written'))).toBe(false);
    expect(existsSync(join(interrupted, '.gms-unpacking'))).toBe(false);

    const foreign = join(scratch, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'x');
    expect(await initialStateFor(foreign, dump)).toEqual({});
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });

  test('a damaged dump is refused rather than half unpacked into a database', async () => {
    const bad = join(scratch, 'bad.tar');
    const bytes = readFileSync(dump);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff; // inside the first header: its checksum no longer matches
    writeFileSync(bad, bytes);
    const dir = join(scratch, 'from-bad');
    await expect(initialStateFor(dir, bad)).rejects.toThrow(/Invalid tar header/);
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false);
  });
});
