import {
  DrizzleQueryError,
  is,
  Param,
  Placeholder,
  type Query,
  type QueryWithTypings,
  type SQL,
  sql,
} from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { PostgresJsSession } from 'drizzle-orm/postgres-js';
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

/** Where a statement's parameter comes from: a placeholder's value (through a column's encoder), or a constant. */
type Slot = { name: string; encode: ((value: unknown) => unknown) | null } | { name: null; value: unknown };

interface Built {
  query: Query;
  slots: Slot[];
}

function slotOf(param: unknown): Slot {
  if (is(param, Placeholder)) return { name: param.name, encode: null };
  if (is(param, Param) && is(param.value, Placeholder)) {
    const { encoder } = param;
    return { name: param.value.name, encode: (value) => encoder.mapToDriverValue(value) };
  }
  return { name: null, value: param };
}

/** drizzle's fillPlaceholders, with the slots worked out once per statement. */
function bind(slots: Slot[], values: Record<string, unknown>): unknown[] {
  const params = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as Slot;
    if (slot.name === null) {
      params[i] = slot.value;
      continue;
    }
    if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
    const value = values[slot.name];
    params[i] = slot.encode ? slot.encode(value) : value;
  }
  return params;
}

/**
 * A raw SQL statement (written with drizzle's `sql` and `sql.placeholder`) built once per `key` and
 * run on any database or transaction. Answers the rows as objects, on both drivers.
 *
 * On postgres.js the statement goes to the client directly, as drizzle's prepared query would send
 * it (`unsafe(text, params, { prepare: false })`, which prepared-statements.ts turns into a named
 * statement; a failure wrapped in DrizzleQueryError): drizzle's layers around that call (a query
 * object, tracer spans, its cache check, three nested async functions, entity checks for every
 * parameter) were ~3 % of the server's CPU on a request-interaction (issue 18).
 */
export class PreparedSql {
  private readonly queries = new Map<string, Built>();

  /** `build` runs the first time a key is used; the key must decide the statement's text. */
  async rows<T>(db: DbOrTx, key: string, build: () => SQL, values: Record<string, unknown>): Promise<T[]> {
    let built = this.queries.get(key);
    if (!built) {
      const query = sharePlaceholders(dialect.sqlToQuery(build()));
      built = { query, slots: query.params.map(slotOf) };
      this.queries.set(key, built);
    }
    const session = db._.session;
    if (is(session, PostgresJsSession)) {
      const params = bind(built.slots, values);
      try {
        return (await session.client.unsafe(built.query.sql, params as never[], { prepare: false })) as T[];
      } catch (err) {
        throw new DrizzleQueryError(built.query.sql, params, err as Error);
      }
    }
    const result: unknown = await session
      .prepareQuery(built.query, undefined, undefined, false)
      .execute(values);
    if (Array.isArray(result)) return result as T[];
    return (result as { rows: T[] }).rows;
  }
}

/**
 * One parameter per placeholder name. drizzle numbers every occurrence of a placeholder on its own:
 * the allocation claim sent its `now` 11 times and the session statement 8 times, and PostgreSQL
 * parsed each copy (timestamptz_in was ~2 % of its CPU on a request-interaction; issue 18). Later
 * occurrences of a name now refer to the first one's `$n`. Each occurrence keeps its own cast, so a
 * parameter's type is what its first use says, as before for the first copy; a statement that used one
 * name as two types would now fail to prepare (the prepared-queries tests run every PreparedSql).
 */
export function sharePlaceholders(query: QueryWithTypings): QueryWithTypings {
  const firstOf = new Map<string, number>();
  const renumbered: number[] = [];
  const params: unknown[] = [];
  const typings: NonNullable<QueryWithTypings['typings']> = [];
  query.params.forEach((param, i) => {
    const name = is(param, Placeholder) ? param.name : null;
    const seen = name === null ? undefined : firstOf.get(name);
    if (seen !== undefined) {
      renumbered[i] = seen;
      return;
    }
    params.push(param);
    if (query.typings) typings.push(query.typings[i] ?? 'none');
    renumbered[i] = params.length;
    if (name !== null) firstOf.set(name, params.length);
  });
  if (params.length === query.params.length) return query;
  // The text is ours (built from `sql` templates): `$n` only ever stands for a parameter there.
  const text = query.sql.replace(
    /(?<![\w$])\$(\d+)(?!\d)/g,
    (_, n: string) => `$${renumbered[Number(n) - 1]}`,
  );
  return query.typings ? { sql: text, params, typings } : { sql: text, params };
}

/** `{ a: sql.placeholder('a'), b: sql.placeholder('b') }`: the values of a prepared insert. */
export function placeholders<K extends string>(keys: readonly K[]): { [P in K]: Placeholder<P> } {
  const out: Record<string, Placeholder> = {};
  for (const key of keys) out[key] = sql.placeholder(key);
  return out as { [P in K]: Placeholder<P> };
}
