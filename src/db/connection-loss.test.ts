import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backend, createTestDatabase, type TestDatabase } from '../../test/harness.js';
import { errorResponse } from '../http/http-errors.js';
import { CommitOutcomeUnknownError, isCommitOutcomeUnknown, isDatabaseUnreachable } from './availability.js';
import { type Database, openDatabase } from './client.js';

/**
 * A pool connection whose backend dies, on real PostgreSQL (the backend is terminated at a chosen
 * point of a transaction). A connection lost at COMMIT is not one lost before it (commit-outcome.ts):
 * the first may have committed, so the caller must not be told that nothing happened. And the
 * driver's fixes (scripts/patch-postgres.mjs): the reconnected connection does not replay the dead
 * backend's error, and a transaction whose connection died runs nothing more. One pool connection,
 * so that every query after a death goes to the connection that died.
 */
describe.skipIf(backend !== 'postgres')('a transaction whose connection dies (PostgreSQL)', () => {
  let scratch: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    scratch = await createTestDatabase();
    database = await openDatabase({ kind: 'postgres', url: scratch.url, poolSize: 1 });
    await database.db.execute(sql`create table probe (id int primary key)`);
    // Deferred to COMMIT: the backend signals itself while committing, after every statement of the
    // transaction succeeded, so the client loses the connection with its COMMIT unanswered.
    await database.db.execute(sql`
      create function end_own_backend() returns trigger language plpgsql as $$
      begin perform pg_terminate_backend(pg_backend_pid()); return null; end $$`);
    await database.db.execute(sql`
      create constraint trigger end_at_commit after insert on probe deferrable initially deferred
      for each row when (new.id < 0) execute function end_own_backend()`);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('is a CommitOutcomeUnknownError when the connection dies while committing', async () => {
    const failure = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into probe values (-1)`);
        return 'body done';
      })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(isDatabaseUnreachable(failure)).toBe(true);
    // On the legacy paths: a 503 to retry that says the request may have taken effect.
    const { response, unexpected } = errorResponse(failure);
    expect(unexpected).toBe(false);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({
      code: 503,
      phrase: 'Service Unavailable',
      message: expect.stringContaining('may have taken effect'),
    });
    // The reconnected connection answers: the dead backend's FATAL is not thrown again.
    await expect(database.db.execute(sql`select 1 as one`)).resolves.toEqual([{ one: 1 }]);
  });

  it('runs nothing more of a transaction whose connection died, even once the connection is back', async () => {
    const admin = postgres(scratch.url, { max: 1, onnotice: () => {} });
    try {
      let proceed!: () => void;
      const resumed = new Promise<void>((resolve) => {
        proceed = resolve;
      });
      let pid!: (pid: number) => void;
      const backend = new Promise<number>((resolve) => {
        pid = resolve;
      });
      let later: Promise<unknown> | null = null;
      const transaction = database.db.transaction(async (tx) => {
        const [row] = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
        await tx.execute(sql`insert into probe values (10)`);
        pid(row?.pid ?? -1);
        await resumed;
        later = tx.execute(sql`insert into probe values (11)`).then(
          () => 'ran',
          (err: unknown) => err,
        );
        await later;
      });
      const failed = transaction.then(
        () => null,
        (err: unknown) => err,
      );
      const dead = await backend;
      await admin`select pg_terminate_backend(${dead})`;
      expect(isDatabaseUnreachable(await failed)).toBe(true);
      // The pool's one connection reconnects for another query, while the callback still runs.
      await expect(database.db.execute(sql`select 1 as one`)).resolves.toEqual([{ one: 1 }]);
      proceed();
      await vi.waitFor(() => expect(later).not.toBeNull());
      expect(isDatabaseUnreachable(await later)).toBe(true);
      const [counted] = await admin<
        { n: number }[]
      >`select count(*)::int as n from probe where id in (10, 11)`;
      expect(counted?.n).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('keeps the plain unreachable error when the connection dies before the body finished', async () => {
    const failure = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into probe values (1)`);
        await tx.execute(sql`select pg_terminate_backend(pg_backend_pid())`);
        return 'body done';
      })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(failure).not.toBeNull();
    expect(isDatabaseUnreachable(failure)).toBe(true);
    expect(isCommitOutcomeUnknown(failure)).toBe(false);
    const { response } = errorResponse(failure);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('unreachable') });
    // Nothing of it was committed, and the pool works again.
    const rows = await database.db.execute(sql`select count(*)::int as n from probe where id = 1`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('passes a transaction that commits, and a failure inside the body, through unchanged', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe values (2)`);
        return 'committed';
      }),
    ).resolves.toBe('committed');
    const failure = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into probe values (2)`);
      })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(isDatabaseUnreachable(failure)).toBe(false);
    expect(isCommitOutcomeUnknown(failure)).toBe(false);
  });
});
