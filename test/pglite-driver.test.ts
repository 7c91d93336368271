import { PGlite, protocol, type Results } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindMessage, type PgliteDriverClient, pgliteDriver } from '../src/db/pglite-driver.js';
import { backend } from './harness.js';

/**
 * The PGlite driver under drizzle (src/db/pglite-driver.ts, issue 18 item 2): named prepared
 * statements, statements sent together in one protocol call, and the semantics of PGlite's own
 * `query`/`transaction` kept — each statement succeeds or fails on its own, a failed transaction
 * leaves nothing behind, errors carry the SQLSTATE and constraint.
 */
describe.skipIf(backend !== 'pglite')('PGlite driver', () => {
  let pg: PGlite;
  let driver: PgliteDriverClient;
  let protocolCalls = 0;

  beforeAll(async () => {
    pg = await PGlite.create();
    const exec = pg.execProtocolStream.bind(pg);
    pg.execProtocolStream = (message, options) => {
      protocolCalls++;
      return exec(message, options);
    };
    driver = pgliteDriver(pg, { maxStatements: 8 });
    await driver.query('create table t (id int primary key, note text, at timestamptz, data bytea)');
  });
  afterAll(async () => {
    await pg?.close();
  });

  const prepared = async (text: string) =>
    (
      await pg.query<{ n: number }>(
        'select count(*)::int as n from pg_prepared_statements where statement = $1',
        [text],
      )
    ).rows[0]?.n;

  it('prepares a statement once and then sends one protocol call per use', async () => {
    const text = 'select $1::int + 1 as n';
    expect((await driver.query<{ n: number }>(text, [1])).rows).toEqual([{ n: 2 }]);
    const before = protocolCalls;
    expect((await driver.query<{ n: number }>(text, [41])).rows).toEqual([{ n: 42 }]);
    expect(protocolCalls - before).toBe(1);
    expect(await prepared(text)).toBe(1);
  });

  it('sends a transaction’s statements together, in order; a failed one undoes the transaction', async () => {
    await driver.query('insert into t (id, note) values (1, $1)', ['kept']);
    const seen: string[] = [];
    const attempt = driver.transaction(async (tx) => {
      const a = tx.query('insert into t (id, note) values (2, $1)', ['first']);
      const b = tx.query('insert into t (id, note) values (1, $1)', ['duplicate']);
      const c = tx.query('select count(*)::int as n from t');
      const settled = await Promise.allSettled([a, b, c]);
      for (const s of settled)
        seen.push(s.status === 'fulfilled' ? 'ok' : String((s.reason as { code?: string }).code));
      throw (settled[1] as PromiseRejectedResult).reason;
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505', constraint: 't_pkey' });
    // The insert before the duplicate ran, the one after it met the aborted transaction.
    expect(seen).toEqual(['ok', '23505', '25P02']);
    expect((await driver.query('select id from t order by id')).rows).toEqual([{ id: 1 }]);
  });

  it('runs statements sent together outside a transaction each on its own', async () => {
    const [dup, fresh] = await Promise.allSettled([
      driver.query('insert into t (id, note) values (1, $1)', ['again']),
      driver.query('insert into t (id, note) values (3, $1)', ['third']),
    ]);
    expect(dup).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    expect(fresh).toMatchObject({ status: 'fulfilled', value: { affectedRows: 1, command: 'INSERT' } });
    expect((await driver.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('a COMMIT that rolled back throws, and nothing is written', async () => {
    const attempt = driver.transaction(async (tx) => {
      await tx.query('insert into t (id, note) values (4, $1)', ['lost']);
      await tx.query('select 1 / 0').catch(() => undefined);
    });
    await expect(attempt).rejects.toMatchObject({ code: '25P02' });
    expect((await driver.query('select count(*)::int as n from t where id = 4')).rows).toEqual([{ n: 0 }]);
    // The engine is usable again: the next transaction commits.
    await driver.transaction(async (tx) => tx.query('insert into t (id) values (5)'));
    expect((await driver.query('select count(*)::int as n from t where id = 5')).rows).toEqual([{ n: 1 }]);
  });

  it('serialises and parses by type: the client’s parsers unless the call brings its own', async () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    await driver.query('insert into t (id, at, data) values (6, $1, $2)', [
      new Date('2026-01-02T03:04:05Z'),
      bytes,
    ]);
    const text = 'select at, data from t where id = $1';
    const own = await driver.query<unknown[]>(text, [6], {
      rowMode: 'array',
      parsers: { 1184: (value: string) => value },
    });
    expect(own.rows[0]?.[0]).toEqual(expect.any(String));
    expect(own.fields.map((f) => f.name)).toEqual(['at', 'data']);
    const plain = (await driver.query<{ at: Date; data: Uint8Array }>(text, [6])).rows[0];
    expect(plain?.at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect([...(plain?.data ?? [])]).toEqual([...bytes]);
  });

  it('sends bulk statements unnamed, and closes the least recently used beyond its limit', async () => {
    const values = Array.from({ length: 150 }, (_, i) => i);
    const bulk = `select ${values.map((_, i) => `$${i + 1}::int`).join(' + ')} as n`;
    const sum: Results<{ n: number }> = await driver.query(bulk, values);
    expect(sum.rows).toEqual([{ n: (149 * 150) / 2 }]);
    expect(await prepared(bulk)).toBe(0);
    for (let i = 0; i < 20; i++) await driver.query(`select ${i} as n`);
    // Closed on the next statement outside a transaction.
    await driver.query('select 1');
    const { rows } = await pg.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements');
    expect(rows[0]?.n).toBeLessThanOrEqual(8 + 1);
  });

  // Outside and inside the BMP, a lone surrogate (sent as U+FFFD, as PGlite's writer does), none.
  const awkward = ['', 'plain', 'é ß €', '😀 x 😀', 'a\ud800b', '{"k":"v","n":[1,2]}'.repeat(300)];

  it('writes Bind messages byte for byte as PGlite does', () => {
    const cases: [string, (string | Uint8Array | ArrayBuffer | null)[]][] = [
      ['', []],
      ['gms_1z', awkward],
      ['gms_é', [null, 'x', null]],
      ['gms_2', [new Uint8Array([0, 1, 254, 255]), 'y', new Uint8Array([9, 8]).buffer]],
      // More than 32,767: the counts are unsigned (a bulk insert of 3,000 activity rows sends 39,000).
      ['gms_3', Array.from({ length: 40_000 }, (_, i) => (i % 3 === 0 ? null : String(i)))],
    ];
    for (const [statement, values] of cases)
      expect([...bindMessage(statement, values)]).toEqual([
        ...protocol.serialize.bind({ statement, values: values as never }),
      ]);
  });

  it('binds more than 32,767 parameters', async () => {
    const values = Array.from({ length: 40_000 }, (_, i) => String(i));
    // A flat array, not a sum: 40,000 nested additions would exceed the parser's stack depth.
    const text = `select (select sum(x) from unnest(array[${values.map((_, i) => `$${i + 1}::int`).join(', ')}]) as x)::int8 as n`;
    const [row] = (await driver.query<{ n: string | number }>(text, values)).rows;
    expect(Number(row?.n)).toBe((39_999 * 40_000) / 2);
  });

  it('sends text parameters as they are and reads them back', async () => {
    const text = 'select $1::text as t, octet_length($1::text) as n';
    for (const value of awkward) {
      const [row] = (await driver.query<{ t: string; n: number }>(text, [value])).rows;
      const sent = Buffer.from(value).toString();
      expect(row).toEqual({ t: sent, n: Buffer.byteLength(sent) });
    }
  });
});
