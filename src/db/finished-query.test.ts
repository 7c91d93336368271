import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestDatabase, type TestDatabase } from '../../test/harness.js';

/** What postgres.js's Query object carries (not in its typings). */
interface QueryFields {
  parameters: unknown[] | null;
  args: unknown[] | null;
  strings: unknown[] | null;
}

/**
 * scripts/patch-postgres.mjs: a query that answered drops its arguments and their serialized text,
 * so a finished query kept past young-generation collections (BENCHMARKS.md, issue 18) no longer
 * drags them into the old generation; the answer, a prepared statement's next use and a failure's
 * error are as before. On real PostgreSQL (the driver is postgres.js there only).
 */
describe.skipIf(backend !== 'postgres')('a finished postgres.js query (PostgreSQL)', () => {
  let scratch: TestDatabase;
  let client: postgres.Sql;
  beforeAll(async () => {
    scratch = await createTestDatabase();
    client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
  });

  it('answers, then holds neither its arguments nor their serialized text', async () => {
    const payload = JSON.stringify({ event: 'x'.repeat(1000) });
    const query = client.unsafe('select $1::text as payload, $2::int + 1 as n', [payload, 41], {
      prepare: true,
    });
    const rows = await query;
    expect(rows).toEqual([{ payload, n: 42 }]);
    const fields = query as unknown as QueryFields;
    expect(fields.args).toBeNull();
    expect(fields.parameters).toBeNull();
    expect(fields.strings).toBeNull();
  });

  it('runs the same prepared statement again with new arguments', async () => {
    const text = 'select $1::int * 2 as doubled';
    const answers: unknown[] = [];
    for (const n of [1, 2, 3]) answers.push(...(await client.unsafe(text, [n], { prepare: true })));
    expect(answers).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
  });

  it('keeps the arguments of a query that failed, for its error', async () => {
    const query = client.unsafe('select $1::int / 0 as boom', [7], { prepare: true });
    const failure = await query.then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(postgres.PostgresError);
    expect((failure as { parameters?: unknown[] }).parameters).toEqual(['7']);
    expect((query as unknown as QueryFields).args).toEqual([7]);
  });
});
