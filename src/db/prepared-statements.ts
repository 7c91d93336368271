import type { Sql } from 'postgres';

/**
 * Statements with more parameters than this are sent unprepared: they are the bulk statements
 * (provisioning thousands of numbers, multi-row inserts) whose text changes with their row count, so
 * a per-connection cache would only fill up with shapes used once.
 */
export const MAX_PREPARED_PARAMETERS = 100;

type Unsafe = (query: string, parameters?: unknown[], options?: Record<string, unknown>) => unknown;
type Begin = (...args: unknown[]) => Promise<unknown>;

/**
 * drizzle-orm sends every query that was not `.prepare()`d with `prepare: false`. For postgres.js
 * that means an unnamed statement whose parameter types must be described first: two round trips
 * per statement (Parse/Describe, wait, then Bind/Execute), and nothing can be pipelined behind it.
 * A request-interaction paid that on each of its 9 statements (the profile in BENCHMARKS.md). This
 * wrapper lets postgres.js prepare them instead — a named statement per query text and connection,
 * described once, then one Bind/Execute per call that can share a round trip with the statements
 * sent after it. Transactions and savepoints hand drizzle a new `sql` object, so those are wrapped
 * too. `enabled: false` keeps drizzle's behaviour (PgBouncer in transaction mode before 1.21 cannot
 * keep named statements).
 */
export function preparingClient<T extends Sql>(client: T, options: { enabled: boolean }): T {
  if (!options.enabled) return client;
  return wrap(client);
}

function wrap<T extends Sql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'unsafe') {
        const unsafe = value as Unsafe;
        const preparing: Unsafe = (query, parameters, queryOptions) =>
          unsafe.call(target, query, parameters, {
            ...queryOptions,
            prepare: (parameters?.length ?? 0) <= MAX_PREPARED_PARAMETERS,
          });
        return preparing;
      }
      if (property === 'begin' || property === 'savepoint') {
        // The last argument is the callback that receives the transaction's (or savepoint's) `sql`.
        const open = value as Begin;
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const fn = args[last];
          if (typeof fn === 'function') args[last] = (sql: Sql) => (fn as (sql: Sql) => unknown)(wrap(sql));
          return open.apply(target, args);
        };
      }
      return value;
    },
  });
}
