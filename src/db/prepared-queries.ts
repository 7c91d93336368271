import { type Placeholder, type Query, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.js';

/**
 * Hot statements with their SQL text built once per process instead of on every call.
 *
 * drizzle builds a query's text from its parts on every call (`is()` entity checks, parameter
 * typing, selections): 25–30 % of the server's CPU on a request-interaction under load
 * (BENCHMARKS.md). Its own `.prepare(name)` keeps the built text, but binds it to the database or
 * transaction it was built on, and a transaction is new on every request. These helpers build the
 * query once (with `sql.placeholder` for what changes) and run it on whatever database or
 * transaction the caller holds, so a statement still runs inside the caller's transaction.
 *
 * Postgres: postgres.js names and describes each text once per connection
 * (prepared-statements.ts); with `DATABASE_PREPARED_STATEMENTS=false` the text is sent unnamed as
 * before — what is saved here is the building in JavaScript, not a server-side prepare.
 */

/** What drizzle's `.prepare(name)` answers (a select, insert, update or delete with its SQL built). */
interface Prepared {
  execute(placeholderValues?: Record<string, unknown>): Promise<unknown>;
}

/**
 * The fields of drizzle 0.45's prepared queries (PostgresJsPreparedQuery, PglitePreparedQuery)
 * that tie one to its connection; everything else (SQL text, parameters, result mapping) is shared.
 * test/prepared-queries.test.ts checks that a bound query runs inside the transaction it is given.
 */
interface Binding {
  client: unknown;
  logger: unknown;
  cache: unknown;
  prepare?: boolean;
}

interface SessionLike extends Binding {
  constructor: object;
}

/**
 * A drizzle query built once per driver and run on any database or transaction:
 *
 *     const insertRow = preparedQuery('insert_row', (db) =>
 *       db.insert(table).values({ id: sql.placeholder('id') }).prepare('insert_row'));
 *     await insertRow(tx, { id });
 *
 * Values given for placeholders of a column (insert values, `set`) go through the column's encoder
 * as usual; placeholders in conditions (`eq(col, sql.placeholder('x'))`) are sent as given, so pass
 * what the driver expects (ISO strings for timestamps).
 */
export function preparedQuery<V extends Record<string, unknown>, Q extends Prepared>(
  build: (db: DbOrTx) => Q,
): (db: DbOrTx, values: V) => ReturnType<Q['execute']> {
  // One template per driver (a process may hold PGlite and Postgres databases, e.g. in tests).
  const templates = new Map<object, Q>();
  return (db, values) => {
    const session = db._.session as unknown as SessionLike;
    let template = templates.get(session.constructor);
    if (!template) {
      template = build(db);
      templates.set(session.constructor, template);
    }
    const bound = Object.create(template) as Q & Binding;
    bound.client = session.client;
    bound.logger = session.logger;
    bound.cache = session.cache;
    // postgres.js: drizzle asks for a named statement whenever `.prepare(name)` was used; leave the
    // choice to the client as for every other query (prepared-statements.ts prepares unless the
    // deployment turned it off for PgBouncer).
    if ('prepare' in template) bound.prepare = false;
    return bound.execute(values) as ReturnType<Q['execute']>;
  };
}

const dialect = new PgDialect();

/**
 * A raw SQL statement (written with drizzle's `sql` and `sql.placeholder`) built once per `key` and
 * run on any database or transaction. Answers the rows as objects, on both drivers.
 */
export class PreparedSql {
  private readonly queries = new Map<string, Query>();

  /** `build` runs the first time a key is used; the key must decide the statement's text. */
  async rows<T>(db: DbOrTx, key: string, build: () => SQL, values: Record<string, unknown>): Promise<T[]> {
    let query = this.queries.get(key);
    if (!query) {
      query = dialect.sqlToQuery(build());
      this.queries.set(key, query);
    }
    const result: unknown = await db._.session
      .prepareQuery(query, undefined, undefined, false)
      .execute(values);
    if (Array.isArray(result)) return result as T[];
    return (result as { rows: T[] }).rows;
  }
}

/** `{ a: sql.placeholder('a'), b: sql.placeholder('b') }`: the values of a prepared insert. */
export function placeholders<K extends string>(keys: readonly K[]): { [P in K]: Placeholder<P> } {
  const out: Record<string, Placeholder> = {};
  for (const key of keys) out[key] = sql.placeholder(key);
  return out as { [P in K]: Placeholder<P> };
}
