import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, queryRows } from '../src/db/client.js';
import { MAX_PREPARED_PARAMETERS } from '../src/db/prepared-statements.js';
import { backend, createTestDatabase, type TestDatabase } from './harness.js';

/**
 * Issue 18: drizzle's queries reach PostgreSQL as named prepared statements (one round trip per
 * call once described, and pipelinable), inside transactions too; bulk statements and
 * DATABASE_PREPARED_STATEMENTS=false stay unprepared. One connection per pool, so
 * pg_prepared_statements shows that connection's statements.
 */
describe.skipIf(backend !== 'postgres')('prepared statements on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function open(preparedStatements: boolean): Promise<Database> {
    return openDatabase({ kind: 'postgres', url: database.url, poolSize: 1, preparedStatements });
  }

  async function preparedTexts(db: Database): Promise<string[]> {
    const rows = await queryRows<{ statement: string }>(
      db.db,
      // postgres.js prepares its own type lookup (pg_catalog) on every new connection.
      sql`select statement from pg_prepared_statements where not from_sql and statement not like '%pg_catalog%'`,
    );
    return rows.map((r) => r.statement);
  }

  it('prepares queries, in and out of transactions, but not bulk statements', async () => {
    const db = await open(true);
    try {
      await queryRows(db.db, sql`select ${'outside'}::text as marker`);
      await db.db.transaction(async (tx) => {
        await queryRows(tx, sql`select ${'inside'}::text as marker, ${1}::int as n`);
      });
      const many = Array.from({ length: MAX_PREPARED_PARAMETERS + 1 }, (_, i) => sql`${i}::int`);
      await queryRows(db.db, sql`select array[${sql.join(many, sql`, `)}] as bulk`);
      const texts = await preparedTexts(db);
      expect(texts.some((t) => t.includes('$1::text as marker') && !t.includes('$2'))).toBe(true);
      expect(texts.some((t) => t.includes('$2::int as n'))).toBe(true);
      expect(texts.some((t) => t.includes('as bulk'))).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('sends everything unprepared when switched off', async () => {
    const db = await open(false);
    try {
      await queryRows(db.db, sql`select ${'outside'}::text as marker`);
      await db.db.transaction(async (tx) => {
        await queryRows(tx, sql`select ${'inside'}::text as marker`);
      });
      expect(await preparedTexts(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
