import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printedSchema } from '../src/graphql/schema.js';
import { graphql } from './gql/index.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

const Login = graphql(`
  mutation GraphqlLogin($u: String!, $p: String!) {
    login(username: $u, password: $p) {
      __typename
      ... on MutationLoginSuccess {
        data {
          token
          expiresAt
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const Nodes = graphql(`
  query GraphqlNodes {
    nodes {
      id
      name
      status
      health
    }
  }
`);

const Viewer = graphql(`
  query GraphqlViewer {
    viewer {
      kind
      username
      gmsUser
    }
  }
`);

async function post(t: TestApp, body: unknown, headers: Record<string, string> = {}) {
  const res = await t.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: unknown;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    },
  };
}

describe('GraphQL endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No console build: /graphql falls back to yoga's GraphiQL (the bundled page is tested in
    // src/http/console.test.ts), whether or not dist/console exists in this checkout.
    t = await createTestApp({ env: { CONSOLE_DIR: '/nonexistent/console-build' } });
  });
  afterAll(() => t.close());

  it('schema.graphql is the printed schema (run npm run schema:print when this fails)', () => {
    expect(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')).toBe(printedSchema());
  });

  it('knows the caller: anonymous with gms_user, or admin by Basic', async () => {
    expect((await t.gql(Viewer, {}, { gms_user: 'dev-1' })).viewer).toEqual({
      kind: 'user',
      username: null,
      gmsUser: 'dev-1',
    });
    expect((await t.admin(Viewer)).viewer).toMatchObject({ kind: 'admin', username: 'default' });
  });

  it('refuses admin fields to anonymous callers', async () => {
    await expect(t.gql(Nodes)).rejects.toThrow(/Not authorized/);
    const nodes = await t.admin(Nodes);
    expect(nodes.nodes.map((n) => n.id)).toContain(t.app.deps.node.id);
  });

  it('issues bearer tokens from login and refuses bad passwords as a typed error', async () => {
    const bad = await t.gql(Login, { u: 'default', p: 'nope' });
    expect(bad.login).toMatchObject({ __typename: 'DomainError', code: 'auth/unauthorized' });
    const ok = await t.gql(Login, { u: 'default', p: 'password' });
    if (ok.login.__typename !== 'MutationLoginSuccess') throw new Error('login failed');
    const { status, body } = await post(
      t,
      { query: '{ nodes { id } }' },
      { authorization: `Bearer ${ok.login.data.token}` },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const wrong = await post(t, { query: '{ nodes { id } }' }, { authorization: 'Bearer not-a-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors?.[0]).toMatchObject({
      message: 'Invalid or expired token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('expires tokens by the clock', async () => {
    const ok = await t.gql(Login, { u: 'default', p: 'password' });
    if (ok.login.__typename !== 'MutationLoginSuccess') throw new Error('login failed');
    t.clock.advance(13 * 3600 * 1000);
    const r = await post(
      t,
      { query: '{ nodes { id } }' },
      { authorization: `Bearer ${ok.login.data.token}` },
    );
    expect(r.body.data).toBeFalsy();
  });

  it('limits depth, aliases and tokens (graphql-armor)', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: serverInfo { nodeId }`).join(' ');
    const r1 = await post(t, { query: `{ ${aliases} }` });
    expect(r1.body.errors?.[0]?.message).toMatch(/alias/i);
    const tokens = `{ serverInfo { ${'nodeId '.repeat(2500)} } }`;
    const r2 = await post(t, { query: tokens });
    expect(r2.body.errors?.[0]?.message).toMatch(/token/i);
  });

  it('serves GraphiQL with a runnable example in development', async () => {
    const res = await t.fetch('/graphql', { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('subscription WatchNodes');
    // GraphiQL runs subscriptions over graphql-ws on this same path.
    expect(html).toContain('"subscriptionsProtocol":"WS"');
  });
});

describe('GraphQL in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
  });
  afterAll(() => t.close());

  it('refuses introspection and hides field suggestions', async () => {
    const r = await post(t, { query: '{ __schema { types { name } } }' });
    expect(r.body.errors?.[0]?.message).toMatch(/introspection/i);
    const device = await post(t, { query: '{ __schema { types { name } } }' }, { gms_user: 'a-device' });
    expect(device.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await post(t, { query: '{ serverInfx { nodeId } }' });
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean/);
  });

  it('lets an admin introspect (the Lab’s GraphiQL needs the schema)', async () => {
    const r = await post(t, { query: '{ __schema { queryType { name } } }' }, { authorization: adminAuth });
    expect(r.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const wrong = await post(
      t,
      { query: '{ __schema { queryType { name } } }' },
      { authorization: `Basic ${Buffer.from('default:wrong').toString('base64')}` },
    );
    expect(wrong.body.data).toBeUndefined();
    expect(wrong.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('masks unexpected errors', async () => {
    await t.app.deps.database.close();
    const r = await post(t, { query: '{ nodes { id } }' }, { authorization: adminAuth });
    expect(r.body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(JSON.stringify(r.body)).not.toMatch(/stack|closed|PGlite/i);
  });
});

describe('GraphQL request size', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  });
  afterAll(() => t.close());

  it('answers 413 for a body over BODY_LIMIT_BYTES, declared or streamed, and serves the rest', async () => {
    const padding = 'x'.repeat(5000);
    const declared = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ serverInfo { version } } # ${padding}` }),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });

    // A multipart upload with no Content-Length (streamed) is cut off the same way.
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: '{ serverInfo { version } }' }));
    form.append('map', '{}');
    form.append('0', new Blob([padding]), 'big.txt');
    const encoded = new Response(form);
    const streamed = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': encoded.headers.get('content-type') ?? '', 'x-graphql-yoga-csrf': '1' },
      body: encoded.body,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    const small = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });
    expect(small.status).toBe(200);
  });
});
