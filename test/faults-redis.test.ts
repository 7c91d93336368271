import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSession, pushService, raise } from '../src/modules/push/push.test-support.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';
import { missingServices, type PrivateRedis, startPrivateRedis } from './private-services.js';

const missing = missingServices({ redis: true });
if (missing) console.warn(`faults-redis: skipped (${missing})`);

type Body = { status: string; checks: Record<string, string>; details?: Record<string, object> };

const metric = async (t: TestApp, name: string) => {
  const text = await (await t.fetch('/metrics', { headers: { authorization: adminAuth } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

/** Issue 16 finding 8: Redis only pokes; losing it must not take instances out of rotation. */
describe.skipIf(missing !== null)('Redis down (private redis-server)', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({
      // A poll so slow that only a poke (or the reconnect's gap signal) can explain a fast delivery.
      env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '20000', EVENT_POLL_MS: '60000' },
    });
    await pushService(t);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.destroy();
  });

  it('/readyz stays 200 with redis: degraded, and gms_redis_up says 0, while Redis is down', async () => {
    expect(await (await t.fetch('/readyz')).json()).toMatchObject({ checks: { redis: 'ok' } });
    await redis.stop();
    await vi.waitFor(
      async () => expect(((await (await t.fetch('/readyz')).json()) as Body).checks.redis).not.toBe('ok'),
      { timeout: 5_000 },
    );
    const ready = await t.fetch('/readyz');
    const body = (await ready.json()) as Body;
    expect(body.checks).toMatchObject({ database: 'ok', node: 'ONLINE', redis: 'degraded' });
    expect(ready.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.details?.redis).toMatchObject({ unreachableSince: expect.any(String) });
    expect(await metric(t, 'gms_redis_up')).toBe(0);
    expect(t.app.deps.bus.health().connected).toBe(false);
    // Writes go on; their pokes are dropped at once and counted.
    const failuresBefore = t.app.deps.bus.stats().publishFailures;
    const res = await t.fetch('/genesys/1/admin/node/changestatus/ONLINE', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
    expect(res.status).toBe(200);
    // Publishes are fire-and-forget: one sent before the client noticed the outage is counted when
    // it fails, after the answer (seen under load).
    await vi.waitFor(() => expect(t.app.deps.bus.stats().publishFailures).toBeGreaterThan(failuresBefore));
  });

  it('events raised while Redis was down reach a reader once it is back, without waiting for the poll', async () => {
    const sessionId = await createSession(t, 'redis-gap-device');
    const stream = t.app.managers.events.streamUser('redis-gap-device');
    await stream.ready;
    // Redis is still down (previous test): this event's pokes are lost.
    await raise(t, sessionId, 'redis-gap-device', 'during-outage', 1);
    expect((await stream.next()).value).toMatchObject({ tag: 'during-outage' });
    // The reader looks once more, finds nothing, and waits (for a poke, or the minute's poll).
    const reads = vi.spyOn(t.app.managers.events, 'readUser');
    const second = stream.next();
    await vi.waitFor(async () => {
      expect(reads).toHaveBeenCalled();
      expect(await reads.mock.results.at(-1)?.value).toEqual([]);
    });
    await raise(t, sessionId, 'redis-gap-device', 'also-during-outage', 2);
    await redis.start();
    // EVENT_POLL_MS is a minute: only the reconnect's gap signal makes the reader look again.
    expect((await second).value).toMatchObject({ tag: 'also-during-outage' });
    await vi.waitFor(() => expect(t.app.deps.bus.health().connected).toBe(true), { timeout: 5_000 });
    expect(await (await t.fetch('/readyz')).json()).toMatchObject({ checks: { redis: 'ok' } });
    expect(await metric(t, 'gms_redis_up')).toBe(1);
    reads.mockRestore();
    await stream.return();
  });

  it('a write never waits on its publishes: Redis frozen, the request answers while they are pending', async () => {
    const sessionId = await createSession(t, 'redis-frozen-device');
    // Nothing in flight before the freeze: a publish whose answer was on its way when Redis stopped
    // would settle afterwards and make the count below off by its number.
    await vi.waitFor(() => expect(t.app.deps.bus.stats().pendingPublishes).toBe(0), { timeout: 10_000 });
    redis.signal('SIGSTOP');
    try {
      const pendingBefore = t.app.deps.bus.stats().pendingPublishes;
      // Two pokes per event (session and device); each would wait up to REDIS_COMMAND_TIMEOUT_MS (20 s).
      await raise(t, sessionId, 'redis-frozen-device', 'frozen', 1);
      const res = await t.fetch('/genesys/1/admin/node/changestatus/ONLINE', {
        method: 'POST',
        headers: { authorization: adminAuth },
      });
      expect(res.status).toBe(200);
      // Both writes are done, and their three publishes are still waiting for the frozen Redis.
      expect(t.app.deps.bus.stats().pendingPublishes - pendingBefore).toBe(3);
      expect((await t.fetch('/readyz')).status).toBe(200);
    } finally {
      redis.signal('SIGCONT');
    }
    await vi.waitFor(() => expect(t.app.deps.bus.stats().pendingPublishes).toBe(0), { timeout: 10_000 });
  });
});
