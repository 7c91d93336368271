import { eq, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/client.js';
import { PreparedSql, placeholders, preparedQuery, sharePlaceholders } from '../src/db/prepared-queries.js';
import { storageEntriesTable } from '../src/modules/storage/storage.tables.js';
import { createTestApp, type TestApp } from './harness.js';

/**
 * Issue 18: statements built once per process (src/db/prepared-queries.ts) run on the database or
 * inside the caller's transaction — never on another connection — on both backends: a row written
 * through a transaction is seen by that transaction's next statement and gone with its rollback.
 */
describe('statements built once', () => {
  let t: TestApp;
  let db: Db;
  beforeAll(async () => {
    t = await createTestApp({ startup: false });
    db = t.app.deps.db;
  });
  afterAll(async () => {
    await t?.close();
  });

  const insert = preparedQuery((d) =>
    d
      .insert(storageEntriesTable)
      .values(placeholders(['id', 'createdAt', 'updatedAt', 'expiresAt']))
      .returning({ id: storageEntriesTable.id, expiresAt: storageEntriesTable.expiresAt })
      .prepare('test_entry_insert'),
  );
  const find = preparedQuery((d) =>
    d
      .select({ id: storageEntriesTable.id, expiresAt: storageEntriesTable.expiresAt })
      .from(storageEntriesTable)
      .where(eq(storageEntriesTable.id, sql.placeholder('id')))
      .prepare('test_entry_find'),
  );
  const raw = new PreparedSql();
  const count = (d: Parameters<typeof find>[0], id: string) =>
    raw.rows<{ n: number }>(
      d,
      'count',
      () => sql`select count(*)::int as n from storage_entries where id = ${sql.placeholder('id')}`,
      { id },
    );
  const at = new Date('2026-01-02T03:04:05.678Z');
  const row = (id: string) => ({ id, createdAt: at, updatedAt: at, expiresAt: at });

  it('maps values through the columns and results back, outside a transaction', async () => {
    expect(await insert(db, row('pq-outside'))).toEqual([{ id: 'pq-outside', expiresAt: at }]);
    expect(await find(db, { id: 'pq-outside' })).toEqual([{ id: 'pq-outside', expiresAt: at }]);
    expect(await count(db, 'pq-outside')).toEqual([{ n: 1 }]);
  });

  it('runs inside the transaction it is given: visible there, gone with its rollback', async () => {
    const rollback = new Error('roll back');
    await expect(
      db.transaction(async (tx) => {
        await insert(tx, row('pq-inside'));
        expect(await find(tx, { id: 'pq-inside' })).toHaveLength(1);
        expect(await count(tx, 'pq-inside')).toEqual([{ n: 1 }]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await find(db, { id: 'pq-inside' })).toEqual([]);
    expect(await count(db, 'pq-inside')).toEqual([{ n: 0 }]);
  });

  it('commits with the transaction', async () => {
    await db.transaction(async (tx) => {
      await insert(tx, row('pq-commit'));
    });
    expect(await find(db, { id: 'pq-commit' })).toHaveLength(1);
  });

  it('sends a placeholder used several times as one parameter, each use with its own cast', async () => {
    const p = (name: string) => sql.placeholder(name);
    const built = () =>
      sql`select ${p('at')}::timestamptz as a, ${p('at')}::timestamptz + interval '1 second' as b,
        ${p('n')}::int as n, ${p('at')}::timestamptz::text <> '' as c, ${p('n')}::int + 1 as m`;
    const query = sharePlaceholders(new PgDialect().sqlToQuery(built()));
    expect(query.params).toHaveLength(2);
    expect(query.sql.match(/\$\d+/g)).toEqual(['$1', '$1', '$2', '$1', '$2']);
    const [r] = await raw.rows<{ a: unknown; b: unknown; n: number; c: boolean; m: number }>(
      db,
      'shared',
      built,
      {
        at: at.toISOString(),
        n: 41,
      },
    );
    expect(new Date(r?.a as string).getTime()).toBe(at.getTime());
    expect(new Date(r?.b as string).getTime()).toBe(at.getTime() + 1000);
    expect([r?.n, r?.c, r?.m]).toEqual([41, true, 42]);
  });
});
