import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { ConfigError } from '../config.js';
import { fromPackageRoot } from '../paths.js';
import { DatabaseAvailability } from './availability.js';
import { reportingCommitOutcome } from './commit-outcome.js';
import { lockDataDir } from './pglite-lock.js';
import { PoolSockets } from './pool-sockets.js';
import { preparingClient } from './prepared-statements.js';

/**
 * One drizzle type for both drivers: every manager is written against this. Without drizzle's
 * relational query API (`db.query.<table>`, unused): given the schema, drizzle builds a query
 * builder for each of its 43 tables in every transaction object, 3 % of the server's busy time on
 * a request-interaction (issue 18). Tables are imported where they are used.
 */
type NoSchema = Record<string, never>;
export type Db = PgDatabase<PgQueryResultHKT, NoSchema>;
export type Tx = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Whether it answers, known without asking (probed in the background; PGlite: always). */
  availability: DatabaseAvailability;
  close(): Promise<void>;
}

export const migrationsFolder = fromPackageRoot('drizzle');

/**
 * PGlite's own start parameters plus a smaller buffer pool: initdb's 128 MB of shared_buffers live
 * in the WebAssembly heap and made ~40 % of an idle server's memory (BENCHMARKS.md, idle memory);
 * 16 MB is plenty for this schema, and pages beyond it come from the OS page cache (data directory)
 * or the in-memory file system anyway.
 */
const PGLITE_START_PARAMS = [
  ...['--single', '-F', '-O', '-j'],
  ...['-c', 'search_path=public', '-c', 'exit_on_error=false', '-c', 'log_checkpoints=false'],
  ...['-c', 'max_worker_processes=0', '-c', 'max_parallel_workers=0'],
  ...['-c', 'max_parallel_workers_per_gather=0', '-c', 'max_parallel_maintenance_workers=0'],
  ...['-c', 'io_method=sync', '-c', 'shared_buffers=16MB'],
  // A new WAL segment is not written full of zeros first: on the in-memory file system that grew a
  // 16 MB buffer by copying, a 50–400 ms stall of the engine at every segment (BENCHMARKS.md,
  // "Spread on PGlite"). Checkpoints come from pglite-checkpoint.ts; after each one PostgreSQL
  // keeps at most max_wal_size of old segments for reuse.
  ...['-c', 'wal_init_zero=off', '-c', 'min_wal_size=32MB', '-c', 'max_wal_size=64MB'],
];

/** Advisory-lock key that serialises migrations across instances sharing one Postgres. */
const MIGRATION_LOCK_KEY = 727_001;

export type DatabaseOptions = (
  | { kind: 'postgres'; url: string; poolSize: number; preparedStatements?: boolean }
  | { kind: 'pglite'; dataDir: string | null; snapshot?: Blob }
) & {
  /**
   * Sees every statement sent after the migrations, transaction control included (the statement
   * count test and the per-request statement log in BENCHMARKS.md use it).
   */
  onStatement?: (statement: string) => void;
  /** Told when the database stops or starts answering (Postgres only). */
  onAvailability?: (up: boolean, err?: unknown) => void;
  /**
   * A database a newer release has migrated (it has migrations this build does not): refused with a
   * ConfigError, unless this is given, which is told why and the start goes on (ALLOW_NEWER_DATABASE).
   */
  onNewerSchema?: (message: string) => void;
};

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const tap = options.onStatement;
  const onNewer = newerSchema(options.onNewerSchema);
  if (options.kind === 'postgres') {
    await migratePostgresWithLock(options.url, onNewer);
    const prepare = options.preparedStatements ?? true;
    let availability: DatabaseAvailability | null = null;
    const sockets = new PoolSockets(() => availability?.up === false);
    const client = postgres(options.url, {
      max: options.poolSize,
      // Off: nothing is prepared, not even postgres.js's own `commit` (PgBouncer transaction mode).
      prepare,
      onnotice: () => {},
      ...(PoolSockets.usable(options.url) ? { socket: sockets.open } : {}),
      // A database that is not there must not hold requests for long (availability.ts answers 503).
      connect_timeout: 3,
      idle_timeout: 60,
      // postgres.js waits up to 20 s between reconnects after repeated failures (3^n / 100 s); while
      // the database is down the HTTP gate keeps requests away, so reconnect at once when it is back.
      // A pool connection reconnects only for a query queued behind it, and each attempt settles
      // that one query: while the database is known down attempts fail at once (pool-sockets.ts),
      // so there is no pause between them and the queries queued when it went away get their 503
      // together instead of one per connection every backoff.
      backoff: (retries: number) => (availability?.up === false ? 0 : Math.min(0.05 * retries, 0.25)),
      ...(tap ? { debug: (_connection: number, query: string) => tap(query) } : {}),
    });
    const db = drizzlePostgres({
      client: preparingClient(reportingCommitOutcome(client), { enabled: prepare }),
    }) as unknown as Db;
    // Probed on a connection of its own, so that a busy pool never looks like a database that is gone.
    const probeClient = postgres(options.url, {
      max: 1,
      onnotice: () => {},
      connect_timeout: 1,
      // Never wait between attempts: the probe paces itself (availability.ts).
      backoff: () => 0,
    });
    const probe = new DatabaseAvailability({
      ping: async () => {
        await probeClient`select 1`;
      },
      probeMs: 500,
      downProbeMs: 200,
      pingTimeoutMs: 800,
      onChange: (up, err) => {
        if (!up) sockets.down();
        options.onAvailability?.(up, err);
      },
    });
    availability = probe;
    probe.start();
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await client`select 1`;
      },
      availability: probe,
      close: once(async () => {
        probe.stop();
        await probeClient.end({ timeout: 1 });
        await client.end({ timeout: 5 });
      }),
    };
  }
  const dataDir = options.dataDir ? resolve(options.dataDir) : null;
  // One process at a time on a data directory, from before a new one is unpacked: two first starts
  // on one empty directory both unpacked into it, and one took the other's half-written files for
  // an interrupted unpack and deleted them.
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const unlock = dataDir ? await lockDataDir(dataDir) : () => {};
  try {
    // A new database starts from the build-time dump (initdb + migrations are most of a first
    // start): a test's in-memory copy, or the dump file unpacked by pglite-snapshot.ts.
    const initial = options.snapshot
      ? { loadDataDir: options.snapshot }
      : await (await import('./pglite-snapshot.js')).initialStateFor(dataDir);
    return await openPglite(dataDir, initial, tap, unlock, onNewer);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function openPglite(
  dataDir: string | null,
  initial: Pick<PGliteOptions, 'fs' | 'loadDataDir'>,
  tap: DatabaseOptions['onStatement'],
  unlock: () => void,
  onNewer: OnNewer,
): Promise<Database> {
  // The embedded engine (and its dump) is loaded only when used: a Postgres instance never needs it.
  const [
    { PGlite },
    { btree_gist },
    { drizzle: drizzlePglite },
    { migrate: migratePglite },
    { pgliteDriver },
  ] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
    import('./pglite-driver.js'),
  ]);
  const pgliteOptions: PGliteOptions = {
    dataDir: dataDir ?? undefined,
    ...initial,
    startParams: PGLITE_START_PARAMS,
    extensions: { btree_gist },
  };
  const client = await PGlite.create(pgliteOptions);
  // PGlite keeps this very object for the life of the client: without this the 41 MB dump, read
  // once at start, stayed in memory (a third of an idle in-memory server's JavaScript memory).
  pgliteOptions.loadDataDir = undefined;
  const applied = async () => (await client.query<{ at: unknown }>(LAST_MIGRATION_SQL)).rows[0]?.at ?? null;
  try {
    if (await migrationsPending(applied, onNewer))
      await migratePglite(drizzlePglite({ client }), { migrationsFolder });
  } catch (err) {
    await client.close();
    throw err;
  }
  // Prepared statements, one protocol call per batch of statements, cheap result parsing
  // (pglite-driver.ts). It opens and ends transactions itself (drizzle's logger does not see them),
  // so it reports those to the tap.
  const driver = pgliteDriver(client, tap ? { onTransaction: tap } : {});
  const pglite = drizzlePglite({
    client: driver as unknown as PGlite,
    ...(tap ? { logger: { logQuery: (query: string) => tap(query) } } : {}),
  });
  return {
    db: pglite as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await driver.query('select 1');
    },
    availability: new DatabaseAvailability(null),
    close: once(async () => {
      await client.close();
      unlock();
    }),
  };
}

/** Closing twice (e.g. a failed start-up, then shutdown) is harmless. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= fn();
    return closing;
  };
}

/** drizzle's own record of applied migrations (its default schema and table). */
const LAST_MIGRATION_SQL = 'select max(created_at) as at from drizzle.__drizzle_migrations';

/**
 * Whether drizzle's migrator would apply anything: it runs every journal entry newer than the last
 * applied migration's `created_at`, so nothing is pending when that is at least the newest entry's
 * `when`. One query instead of the migrator's five statements (schema and table creation, the read,
 * an empty transaction) and reading and hashing every migration file at each start. When in doubt
 * (no table yet, a journal that cannot be read) the migrator runs, and it decides as before.
 */
export async function migrationsPending(
  lastApplied: () => Promise<unknown>,
  onNewer: OnNewer = () => {},
): Promise<boolean> {
  let newest: number;
  try {
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
      entries: { when: number }[];
    };
    newest = Math.max(...journal.entries.map((e) => e.when));
  } catch {
    return true;
  }
  let at: unknown;
  try {
    at = await lastApplied();
  } catch {
    return true;
  }
  if (at === null) return true;
  if (Number(at) > newest) onNewer(Number(at), newest);
  return !(Number(at) >= newest);
}

/** Called with the database's last migration and this build's newest (journal `when`, ms). */
type OnNewer = (applied: number, known: number) => void;

/**
 * An older release on a database a newer one migrated would write as the old schema did, and lose
 * what the new one keeps another way: after migration 0024, say, an old instance's activity rows
 * would never reach the reports (the trigger that queued them is gone). So a start is refused, unless
 * the operator said otherwise (a rollback that knows its migrations are harmless to the old code).
 */
function newerSchema(allow: ((message: string) => void) | undefined): OnNewer {
  return (applied, known) => {
    const message =
      `The database was migrated by a newer release: its last migration is from ${new Date(applied).toISOString()}, ` +
      `the newest this build knows from ${new Date(known).toISOString()}. An older release writing to it can lose data ` +
      'the newer schema keeps another way (SCALING.md, "Upgrades")';
    if (!allow)
      throw new ConfigError(
        `${message}: start the newer release, or set ALLOW_NEWER_DATABASE=true to run this one anyway.`,
      );
    allow(`${message}. ALLOW_NEWER_DATABASE is set: starting anyway.`);
  };
}

async function migratePostgresWithLock(url: string, onNewer: OnNewer): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const applied = async () => (await client.unsafe<{ at: unknown }[]>(LAST_MIGRATION_SQL))[0]?.at ?? null;
    if (!(await migrationsPending(applied, onNewer))) return;
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres({ client }), { migrationsFolder });
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Raw SQL rows: postgres.js answers an array, PGlite an object with `rows`. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

export { sql };
