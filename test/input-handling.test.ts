import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbacksTable } from '../src/modules/callback/callback.tables.js';
import { sessionsTable } from '../src/modules/sessions/sessions.tables.js';
import { storageEntriesTable, storageValuesTable } from '../src/modules/storage/storage.tables.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

/**
 * Issue 16 finding 6: malformed input answered 500 (NUL bytes reaching PostgreSQL, JSON nested
 * thousands of levels deep, a non-integer `max`). Every one is now a 4xx in GMS's shape on the
 * legacy paths and a named GraphQL error, and nothing is written.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.managers.services.create({
    name: 'cb-input',
    template: 'callback',
    preset: 'User-Originated-Immediate',
    options: [
      { name: '_target', value: 'Billing@StatServer.GA' },
      { name: '_urs_virtual_queue', value: 'VQ_Input' },
    ],
  });
});
afterAll(() => t.close());

async function expectGmsError(res: Response, status = 400): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, body }).toMatchObject({ status, body: { code: status } });
  expect(res.headers.get('content-type')).toContain('application/json');
  for (const key of ['message', 'exception', 'phrase']) expect(typeof body[key]).toBe('string');
  return body;
}

/** Rows of the tables a legacy write could touch: equal before and after a refused request. */
async function rowCounts() {
  const db = t.app.deps.db;
  const [entries] = await db.select({ n: count() }).from(storageEntriesTable);
  const [values] = await db.select({ n: count() }).from(storageValuesTable);
  const [sessions] = await db.select({ n: count() }).from(sessionsTable);
  const [callbacks] = await db.select({ n: count() }).from(callbacksTable);
  return [entries?.n, values?.n, sessions?.n, callbacks?.n];
}

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

describe('NUL characters', () => {
  it('in a value, key or file name of a multipart, urlencoded or JSON body: 400 naming it, nothing written', async () => {
    const before = await rowCounts();
    const bodies: [string, RequestInit][] = [
      ['multipart value', { body: form({ reason: 'ok', a: 'x\u0000y' }) }],
      ['multipart key', { body: form({ reason: 'ok', 'k\u0000': 'v' }) }],
      [
        // A raw NUL in a part header is refused by busboy itself; RFC 5987 encoding gets it through.
        'file name',
        {
          body: `--b\r\nContent-Disposition: form-data; name="screen"; filename*=utf-8''a%00.png\r\n\r\nxy\r\n--b--\r\n`,
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
        },
      ],
      [
        'urlencoded',
        { body: 'reason=ok&a=%00', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      ],
      [
        'JSON value',
        { body: '{"reason":"ok","a":"\\u0000"}', headers: { 'content-type': 'application/json' } },
      ],
      ['nested JSON key', { body: '{"a":{"b\\u0000":1}}', headers: { 'content-type': 'application/json' } }],
    ];
    for (const [label, init] of bodies) {
      const res = await t.fetch('/genesys/1/storage/60', { method: 'POST', ...init });
      const body = await expectGmsError(res);
      // busboy itself refuses a NUL in a part header: still a 400, before anything is stored.
      expect(body.message, label).toMatch(
        label === 'multipart key' ? /NUL character|Malformed part header/ : /NUL character/,
      );
    }
    const callback = await t.fetch('/genesys/1/service/callback/cb-input', {
      method: 'POST',
      body: form({ _customer_number: '5115\u0000' }),
    });
    expect((await expectGmsError(callback)).message).toBe(
      "Parameter '_customer_number' contains a NUL character (U+0000), which is not accepted",
    );
    expect(await rowCounts()).toEqual(before);
  });

  it('in a path id or query parameter: 400 on every legacy route, never 500', async () => {
    const failures: string[] = [];
    for (const route of t.app.routes.list()) {
      const withParams = route.pattern.replace(/[:*][A-Za-z]+/g, 'a%00b');
      const path = withParams === route.pattern ? `${route.pattern}?q=%00` : withParams;
      const res = await t.fetch(path, { method: route.method, headers: { authorization: adminAuth } });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 400 || !String(body.message).includes('NUL'))
        failures.push(`${route.method} ${path}: ${res.status} ${String(body.message)}`);
    }
    expect(failures).toEqual([]);
  });

  it('over GraphQL: a named BAD_USER_INPUT error for a variable, a validation error for a literal', async () => {
    const variable = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query ($id: String!) { storageEntry(id: $id) { id } }',
        variables: { id: 'a\u0000' },
      }),
    });
    expect(variable.status).toBe(400);
    expect(await variable.json()).toEqual({
      errors: [
        {
          message: 'variables.id contains a NUL character (U+0000), which is not accepted',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    const literal = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ storageEntry(id: "a\\u0000") { id } }' }),
    });
    const result = (await literal.json()) as { errors: { message: string }[] };
    expect(result.errors[0]?.message).toBe(
      'A string literal contains a NUL character (U+0000), which is not accepted',
    );
  });
});

describe('deep JSON', () => {
  it.each([5_000, 100_000])(
    'a legacy body nested %i levels deep is a 400, not a stack overflow',
    async (depth) => {
      const body = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await t.fetch('/genesys/1/storage/60', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect((await expectGmsError(res)).message).toBe('JSON body nested deeper than 64 levels');
    },
  );

  it('GraphQL variables nested 20,000 levels deep are a 400', async () => {
    const depth = 20_000;
    const res = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"query ($v: String!) { storageEntry(id: $v) { id } }","variables":{"v":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    });
    expect(res.status).toBe(400);
    const result = (await res.json()) as { errors: { message: string }[] };
    expect(result.errors[0]?.message).toMatch(/is nested deeper than 64 levels$/);
  });

  it('64 levels are still accepted', async () => {
    const body = `{"a":${'['.repeat(63)}${']'.repeat(63)}}`;
    const res = await t.fetch('/genesys/1/storage/60', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
  });
});

describe('GraphQL request parsing', () => {
  it('malformed variables in a GET query string are a 400, not "Unexpected error"', async () => {
    const res = await t.fetch('/graphql?query=%7B__typename%7D&variables=%7Bnope', {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(400);
    const result = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(result.errors[0]?.message).toMatch(/^Malformed GraphQL request/);
    expect(result.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('a domain error from a field without an error union keeps its message and code', async () => {
    const res = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ storageEntry(id: "x", customId: true) { id } }' }),
    });
    const result = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(result.errors[0]?.extensions.code).toBe('storage/gms_user_required');
    expect(result.errors[0]?.message).not.toMatch(/Unexpected error/);
  });
});

describe('GraphQL DateTime', () => {
  it('a year PostgreSQL cannot store is a 400 naming the range, not "Unexpected error"', async () => {
    const res = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: adminAuth },
      body: JSON.stringify({
        query: 'query ($from: DateTime) { callbackQueue(from: $from) { id } }',
        variables: { from: '-271821-04-20T00:00:00.000Z' },
      }),
    });
    expect(res.status).toBe(400);
    const result = (await res.json()) as { errors: { message: string }[] };
    expect(result.errors[0]?.message).toMatch(/DateTime must fall between the years 0001 and 9999$/);
  });
});

describe('callback query max', () => {
  it.each(['1.5', '-1', '0', 'abc', '1e309', '99999999999'])('max=%s is a 400 naming max', async (max) => {
    const res = await t.fetch(`/genesys/1/service/callback/cb-input?max=${max}`);
    expect((await expectGmsError(res)).message).toBe('max must be a whole number from 1 to 10000');
    const admin = await t.fetch(`/genesys/1/admin/callback/queues?max=${max}`, {
      headers: { authorization: adminAuth },
    });
    await expectGmsError(admin);
  });

  it('a whole max (or none) is accepted', async () => {
    for (const q of ['?max=5', '', '?max='])
      expect((await t.fetch(`/genesys/1/service/callback/cb-input${q}`)).status).toBe(200);
  });
});
