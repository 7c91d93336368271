import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { CometD, type Message } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import type { Client } from 'graphql-ws';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  backend,
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../../../test/harness.js';
import { createSession, pushService, raise, subscription, wsClient } from './push.test-support.js';

const DEVICE_EVENTS = `subscription PushMiDevice { deviceEvents { sessionId seq tag message } }`;
type DeviceData = { deviceEvents: { sessionId: string; seq: number; tag: string; message: unknown } };

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A private redis-server, so this test can kill and restart it without touching anyone else's. */
async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  return proc;
}

describe.skipIf(backend !== 'postgres')('push across instances (Postgres + Redis)', () => {
  let database: TestDatabase;
  const apps: TestApp[] = [];
  const clients: Client[] = [];
  let redis: ChildProcess | null = null;
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    for (const a of apps) await a.close();
    redis?.kill('SIGKILL');
    await database?.drop();
  });

  it('a device on A receives events raised on B: graphql-ws and CometD, woken by Redis', async () => {
    database = await createTestDatabase();
    const namespace = `pu${randomUUID().slice(0, 8)}`;
    // Polling only every minute: delivery within the test's timeouts proves the Redis poke.
    const env = { EVENT_POLL_MS: '60000' };
    const a = await createTestApp({ database, namespace, env });
    const b = await createTestApp({ database, namespace, env, clock: a.clock });
    apps.push(a, b);
    await pushService(a);
    const { url } = await a.app.start({ port: 0, host: '127.0.0.1' });
    adapt();

    const sessionId = await createSession(b, 'cross-device');
    const c = wsClient(url, { gms_user: 'cross-device' });
    clients.push(c);
    const sub = subscription<DeviceData>(c, DEVICE_EVENTS);
    const comet = new CometD();
    for (const type of comet.getTransportTypes())
      if (type !== 'long-polling') comet.unregisterTransport(type);
    comet.configure({
      url: `${url}/genesys/cometd`,
      requestHeaders: { gms_user: 'cross-device' },
      logLevel: 'warn',
    });
    const cometGot: Message[] = [];
    await new Promise<void>((resolve, reject) =>
      comet.handshake((m) => (m.successful ? resolve() : reject(new Error(String(m.error))))),
    );
    await new Promise<void>((resolve) =>
      comet.subscribe(
        '/_genesys',
        (m) => cometGot.push(m),
        () => resolve(),
      ),
    );
    // Both readers are listening once the first event reaches them.
    await raise(b, sessionId, 'cross-device', 'first', 1);
    expect((await sub.next(10_000)).deviceEvents).toMatchObject({ sessionId, seq: 1, tag: 'first' });
    await vi.waitFor(() => expect(cometGot.length).toBeGreaterThanOrEqual(1), { timeout: 5_000 });
    expect(cometGot.map((m) => (m.data as { tag: string }).tag)).toEqual(['first']);

    // Raised on B through the Notification API for a comet subscriber: same path.
    const sub2 = await b.fetch('/genesys/1/notification/subscription', {
      method: 'POST',
      headers: { 'content-type': 'application/json', gms_user: 'cross-device' },
      body: JSON.stringify({ subscriberId: 'x', filter: 'ors.*', notificationDetails: { type: 'comet' } }),
    });
    expect(sub2.status).toBe(200);
    await b.fetch('/genesys/1/notification/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tag: 'ors.contact.1', message: 'from B' }),
    });
    expect((await sub.next(10_000)).deviceEvents).toMatchObject({ tag: 'ors.contact.1', message: 'from B' });
    await vi.waitFor(() => expect(cometGot.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    expect(cometGot.map((m) => (m.data as { message: unknown }).message)).toEqual([1, 'from B']);
    await new Promise<void>((resolve) => comet.disconnect(() => resolve()));
    sub.stop();
  });

  it('with Redis down nothing persisted is lost: polling delivers throughout, pokes resume after', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const namespace = `pr${randomUUID().slice(0, 8)}`;
    const env = {
      EVENT_POLL_MS: '500',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_COMMAND_TIMEOUT_MS: '200',
    };
    const a = await createTestApp({ database, namespace, env });
    const b = await createTestApp({ database, namespace, env, clock: a.clock });
    apps.push(a, b);
    const { url } = await a.app.start({ port: 0, host: '127.0.0.1' });
    const sessionId = await createSession(b, 'outage-device');
    const c = wsClient(url, { gms_user: 'outage-device' });
    clients.push(c);
    const sub = subscription<DeviceData>(c, DEVICE_EVENTS);
    await raise(b, sessionId, 'outage-device', 'before', 0);
    expect((await sub.next(10_000)).deviceEvents.tag).toBe('before');

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis?.once('exit', resolve));
    for (let i = 1; i <= 5; i++) await raise(b, sessionId, 'outage-device', `during-${i}`, i);
    const during = [];
    for (let i = 0; i < 5; i++) during.push((await sub.next(15_000)).deviceEvents);
    expect(during.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);

    redis = await startRedis(port);
    await raise(b, sessionId, 'outage-device', 'after', 7);
    expect((await sub.next(15_000)).deviceEvents).toMatchObject({ seq: 7, tag: 'after' });
    sub.stop();
  });
});
