import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscriptionReady } from './async-iter.js';
import {
  adminAuth,
  backend,
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from './harness.js';

/** Two instances on one Postgres and one Redis: the scaled deployment. */
describe.skipIf(backend !== 'postgres')('two instances', () => {
  const apps: TestApp[] = [];
  let database: TestDatabase;
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database?.drop();
  });

  it('start together on a fresh database without racing on migrations', async () => {
    database = await createTestDatabase();
    const namespace = `mi${randomUUID().slice(0, 8)}`;
    const [a, b] = await Promise.all([
      createTestApp({ database, namespace }),
      createTestApp({ database, namespace }),
    ]);
    apps.push(a, b);
    expect(a.app.deps.node.id).not.toBe(b.app.deps.node.id);
  });

  it('an event published through instance A reaches a GraphQL subscriber on instance B', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const { url } = await b.app.start({ port: 0, host: '127.0.0.1' });
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: adminAuth },
      retryAttempts: 0,
    });
    const ready = subscriptionReady(b.app.deps.bus, 'node:changed');
    const received = new Promise<{ id: number; status: string }>((resolve, reject) => {
      client.subscribe<{ nodeChanged: { id: number; status: string } }>(
        { query: 'subscription { nodeChanged { id status } }' },
        {
          next: (v) => {
            const n = v.data?.nodeChanged;
            if (n && n.id === a.app.deps.node.id && n.status === 'OFFLINE') resolve(n);
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    // Publish from A only once B's SUBSCRIBE is acknowledged by Redis.
    await ready;
    const res = await a.fetch('/genesys/1/admin/node/changestatus/OFFLINE', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
    expect(res.status).toBe(200);
    expect(await received).toEqual({ id: a.app.deps.node.id, status: 'OFFLINE' });
    await client.dispose();
    // A is draining, B is not: readiness is per node.
    expect((await a.fetch('/readyz')).status).toBe(503);
    expect((await b.fetch('/readyz')).status).toBe(200);
  });
});
