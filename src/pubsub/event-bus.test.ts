import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { take } from '../../test/async-iter.js';
import { createEventBus, type EventBus, SubscriptionOverflowError } from './event-bus.js';
import { createRedisTransport } from './redis-transport.js';
import { createMemoryTransport } from './transport.js';

declare module './topics.js' {
  interface TopicMap {
    'test:ping': { n: number };
  }
}

const redisUrl = process.env.TEST_REDIS_URL;
const transports: Array<[string, () => Promise<EventBus>]> = [
  [
    'memory',
    async () =>
      createEventBus(
        createMemoryTransport(() => {}),
        { bufferSize: 8, namespace: ns() },
      ),
  ],
];
if (redisUrl) {
  transports.push([
    'redis',
    async () =>
      createEventBus(
        await createRedisTransport({ url: redisUrl, commandTimeoutMs: 1000, onError: () => {} }),
        {
          bufferSize: 8,
          namespace: ns(),
        },
      ),
  ]);
}
let namespace = '';
function ns() {
  return namespace;
}

describe.each(transports)('event bus contract (%s)', (_name, make) => {
  let bus: EventBus;
  afterEach(async () => {
    await bus?.close();
  });

  it('delivers to subscribers of the same topic and key only', async () => {
    namespace = `t${randomUUID()}`;
    bus = await make();
    const a = bus.subscribe('test:ping', 'A');
    const b = bus.subscribe('test:ping', 'B');
    await Promise.all([a.ready, b.ready]);
    await bus.publish('test:ping', 'A', { n: 1 });
    await bus.publish('test:ping', 'B', { n: 2 });
    await bus.publish('test:ping', 'A', { n: 3 });
    expect(await take(a, 2)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(await take(b, 1)).toEqual([{ n: 2 }]);
  });

  it('drops a subscriber that falls behind, without leaking into others (S3)', async () => {
    namespace = `t${randomUUID()}`;
    bus = await make();
    let overflowed = 0;
    const slow = bus.subscribe('test:ping', 'A', { onOverflow: () => overflowed++ });
    const other = bus.subscribe('test:ping', 'B');
    await Promise.all([slow.ready, other.ready]);
    for (let i = 0; i < 50; i++) await bus.publish('test:ping', 'A', { n: i });
    await bus.publish('test:ping', 'B', { n: 999 });
    expect(await take(other, 1)).toEqual([{ n: 999 }]);
    expect(overflowed).toBe(1);
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriptionOverflowError);
    expect((await slow.next()).done).toBe(true);
    expect(bus.stats().overflows).toBe(1);
  });

  it('keeps delivering when one subscriber is ended', async () => {
    namespace = `t${randomUUID()}`;
    bus = await make();
    const s1 = bus.subscribe('test:ping', null);
    const s2 = bus.subscribe('test:ping', null);
    await Promise.all([s1.ready, s2.ready]);
    await s1.return();
    await bus.publish('test:ping', null, { n: 7 });
    expect(await take(s2, 1)).toEqual([{ n: 7 }]);
    expect(bus.stats().activeSubscriptions).toBe(1);
  });

  it('survives a burst far beyond the buffer (S2)', async () => {
    namespace = `t${randomUUID()}`;
    bus = await make();
    const s = bus.subscribe('test:ping', null);
    await s.ready;
    await Promise.all(Array.from({ length: 2000 }, (_, i) => bus.publish('test:ping', null, { n: i })));
    // The subscriber that never read is dropped; the process is fine and the bus still works.
    await vi.waitFor(() => expect(bus.stats().overflows).toBe(1));
    await expect(s.next()).rejects.toBeInstanceOf(SubscriptionOverflowError);
    const fresh = bus.subscribe('test:ping', 'fresh');
    await fresh.ready;
    await bus.publish('test:ping', 'fresh', { n: -1 });
    expect(await take(fresh, 1)).toEqual([{ n: -1 }]);
  });
});

describe('redis transport failures', () => {
  it('never rejects a publish or leaves an unhandled rejection when Redis is unreachable (S4)', async () => {
    const errors: unknown[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const transport = await createRedisTransport({
      url: 'redis://127.0.0.1:1',
      commandTimeoutMs: 200,
      onError: (e) => errors.push(e),
    });
    const bus = createEventBus(transport, { bufferSize: 8, namespace: 'x' });
    const started = Date.now();
    expect(await bus.publish('test:ping', null, { n: 1 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(bus.ping()).rejects.toThrow();
    await bus.close();
    // Node reports a rejection nobody handled once the microtasks of the turn that made it have run:
    // one turn of the event loop after close() covers everything publish, ping and close started.
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(bus.stats().publishFailures).toBe(1);
  });
});

describe.skipIf(!redisUrl)('redis transport writes', () => {
  it("sends a turn's publishes in one write once the turn's microtasks have run, not a loop iteration later", async () => {
    const transport = await createRedisTransport({
      url: redisUrl as string,
      commandTimeoutMs: 1000,
      onError: () => {},
    });
    const channel = `t${randomUUID()}`;
    const received: string[] = [];
    await transport.listen(channel, (m) => received.push(m));
    // What reaches the socket's own write (one system call each): `_write` for one chunk, `_writev`
    // for what a cork gathered.
    const writeSpy = vi.spyOn(Socket.prototype, '_write');
    const writevSpy = vi.spyOn(Socket.prototype as Required<Pick<Socket, '_writev'>>, '_writev');
    const written = () => [
      ...writeSpy.mock.calls.map(([data]) => String(data)),
      ...writevSpy.mock.calls.map(([chunks]) => chunks.map((c) => String(c.chunk)).join('')),
    ];
    try {
      expect(transport.publish(channel, 'a')).toBe(true);
      expect(transport.publish(channel, 'b')).toBe(true);
      expect(written().filter((data) => data.includes(channel))).toHaveLength(0);
      // The microtasks of this turn: both publishes leave together, in one write to the socket,
      // before any I/O callback of the next loop iteration (ioredis's auto-pipelining waited for
      // setImmediate).
      await Promise.resolve();
      const calls = written().filter((data) => data.includes(channel));
      expect(calls).toHaveLength(1);
      expect(calls[0]?.match(/PUBLISH/gi)).toHaveLength(2);
    } finally {
      writeSpy.mockRestore();
      writevSpy.mockRestore();
    }
    await vi.waitFor(() => expect(received).toEqual(['a', 'b']));
    await vi.waitFor(() => expect(transport.stats()).toEqual({ pendingPublishes: 0, failedPublishes: 0 }));
    await transport.close();
  });
});
