import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { adminAuth, backend, createTestApp, type TestApp } from './harness.js';

const Login = graphql(`
  mutation NodeTestLogin {
    login(username: "default", password: "password") {
      __typename
      ... on MutationLoginSuccess {
        data {
          token
        }
      }
    }
  }
`);

describe('node identity, status and health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz', async () => {
    expect((await t.fetch('/healthz')).status).toBe(200);
    const ready = await t.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', node: 'ONLINE' } });
  });

  it('reports and changes the node status as text/plain; OFFLINE drains /readyz', async () => {
    const status = await t.fetch('/genesys/1/admin/node/status');
    expect(status.headers.get('content-type')).toContain('text/plain');
    expect(await status.text()).toBe('ONLINE');
    expect((await t.fetch('/genesys/1/admin/node/changestatus/OFFLINE', { method: 'POST' })).status).toBe(
      401,
    );
    const off = await t.fetch('/genesys/1/admin/node/changestatus/OFFLINE', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
    expect(await off.text()).toBe('OFFLINE');
    expect(await (await t.fetch('/genesys/1/admin/node/status')).text()).toBe('OFFLINE');
    expect((await t.fetch('/readyz')).status).toBe(503);
    const bad = await t.fetch('/genesys/1/admin/node/changestatus/SLEEPING', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
    expect(bad.status).toBe(400);
    await t.fetch('/genesys/1/admin/node/changestatus/online', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
    expect((await t.fetch('/readyz')).status).toBe(200);
  });

  it('flags a node DOWN once its heartbeats stop', async () => {
    await t.app.managers.nodes.heartbeat();
    expect((await t.app.managers.nodes.get(t.app.deps.node.id)).health).toBe('UP');
    t.clock.advance(t.config.node.downAfterMs + 1);
    expect((await t.app.managers.nodes.get(t.app.deps.node.id)).health).toBe('DOWN');
    await t.app.managers.nodes.heartbeat();
    expect((await t.app.managers.nodes.get(t.app.deps.node.id)).health).toBe('UP');
  });

  it('answers /readyz 503 when the database is gone', async () => {
    const other = await createTestApp();
    try {
      await other.app.deps.database.close();
      const r = await other.fetch('/readyz');
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ checks: { database: 'unreachable' } });
    } finally {
      // Its own database (on Postgres) is dropped here; it was left on the server before.
      await other.close();
    }
  });
});

describe.skipIf(backend !== 'pglite')('embedded storage', () => {
  it('keeps data across a restart in its data directory, and keeps the node id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gms-data-'));
    try {
      const env = { DATABASE_URL: `pglite://${dir}`, NODE_NAME: 'restart-test', LOG_LEVEL: 'error' };
      const first = await createTestApp({ env });
      const login = await first.gql(Login);
      const token = login.login.__typename === 'MutationLoginSuccess' ? login.login.data.token : '';
      const nodeId = first.app.deps.node.id;
      await first.close();
      const second = await createTestApp({ env, clock: first.clock });
      const res = await second.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ viewer { kind } }' }),
      });
      expect(await res.json()).toEqual({ data: { viewer: { kind: 'admin' } } });
      expect(second.app.deps.node.id).toBe(nodeId);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A fresh data directory runs initdb and every migration: ~25 s on a loaded 2-core machine.
  }, 90_000);
});
