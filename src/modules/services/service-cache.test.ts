import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { createLogger } from '../../log/logger.js';
import { createEventBus, type EventBus } from '../../pubsub/event-bus.js';
import { createRedisTransport } from '../../pubsub/redis-transport.js';
import type { Topic } from '../../pubsub/topics.js';
import { createMemoryTransport, type Transport } from '../../pubsub/transport.js';
import { ServiceCache } from './service-cache.js';
import './services.manager.js';
import './templates.manager.js';

const redisUrl = process.env.TEST_REDIS_URL;
const logger = createLogger('silent');

/** Two buses on one namespace: this instance's and another instance's (one memory transport is both). */
type Pair = { here: EventBus; elsewhere: EventBus; transport: Transport; namespace: string };
const kinds: Array<[string, () => Promise<Pair>]> = [
  [
    'memory',
    async () => {
      const namespace = `sc${randomUUID().slice(0, 8)}`;
      const transport = createMemoryTransport(() => {});
      const bus = createEventBus(transport, { bufferSize: 8, namespace });
      return { here: bus, elsewhere: bus, transport, namespace };
    },
  ],
];
if (redisUrl)
  kinds.push([
    'redis',
    async () => {
      const namespace = `sc${randomUUID().slice(0, 8)}`;
      const open = () => createRedisTransport({ url: redisUrl, commandTimeoutMs: 1000, onError: () => {} });
      const transport = await open();
      return {
        here: createEventBus(transport, { bufferSize: 8, namespace }),
        elsewhere: createEventBus(await open(), { bufferSize: 8, namespace }),
        transport,
        namespace,
      };
    },
  ]);

describe.each(kinds)('service cache over the %s bus', (_kind, make) => {
  const buses: EventBus[] = [];
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });

  async function setUp(maxAgeMs = 10_000) {
    const pair = await make();
    buses.push(...new Set([pair.here, pair.elsewhere]));
    const clock = new ManualClock();
    const cache = new ServiceCache<{ name: string }>({ bus: pair.here, clock, logger }, maxAgeMs);
    await cache.listen();
    return { ...pair, clock, cache };
  }

  /** Resolves once `topic` reached `bus` (after the cache's own watch, registered first, ran). */
  async function arrival(bus: EventBus, topic: Topic): Promise<{ heard: Promise<void> }> {
    let heard: () => void = () => {};
    const done = new Promise<void>((resolve) => (heard = resolve));
    const stop = await bus.watch(topic, null, () => heard());
    return { heard: done.finally(() => stop()) };
  }

  it('keeps an answer (and a "no such service") until a change published elsewhere arrives', async () => {
    const { cache, here, elsewhere } = await setUp();
    cache.put('a', { name: 'a' }, cache.ticket());
    cache.put('missing', null, cache.ticket());
    expect(cache.get('a')).toEqual({ name: 'a' });
    expect(cache.get('missing')).toBeNull();
    const { heard } = await arrival(here, 'services:changed');
    await elsewhere.publish('services:changed', null, { name: 'a', action: 'updated' });
    await heard;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('missing')).toBeUndefined();
  });

  it('a template change drops every service too', async () => {
    const { cache, here, elsewhere } = await setUp();
    cache.put('a', { name: 'a' }, cache.ticket());
    const { heard } = await arrival(here, 'templates:changed');
    await elsewhere.publish('templates:changed', null, { name: 't', action: 'replaced' });
    await heard;
    expect(cache.get('a')).toBeUndefined();
  });

  it('a lookup that started before a change is not kept', async () => {
    const { cache } = await setUp();
    const ticket = cache.ticket();
    cache.clear(); // the change committed and was heard while the lookup was reading
    cache.put('a', { name: 'a' }, ticket);
    expect(cache.get('a')).toBeUndefined();
    cache.put('a', { name: 'a' }, cache.ticket());
    expect(cache.get('a')).toEqual({ name: 'a' });
  });

  it('a gap (a Redis connection came back somewhere: messages may be lost) drops everything', async () => {
    const { cache, here, transport, namespace } = await setUp();
    cache.put('a', { name: 'a' }, cache.ticket());
    let gap: () => void = () => {};
    const gapped = new Promise<void>((resolve) => (gap = resolve));
    here.onGap(() => gap());
    // What an instance whose connection came back sends to every instance (event-bus.ts).
    transport.publish(`${namespace}:_gap`, '1');
    await gapped;
    expect(cache.get('a')).toBeUndefined();
  });

  it('an entry lives at most the configured time', async () => {
    const { cache, clock } = await setUp(1_000);
    cache.put('a', { name: 'a' }, cache.ticket());
    clock.advance(999);
    expect(cache.get('a')).toEqual({ name: 'a' });
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('SERVICE_CACHE_MS=0 keeps nothing', async () => {
    const { cache } = await setUp(0);
    cache.put('a', { name: 'a' }, cache.ticket());
    expect(cache.ticket()).toBeNull();
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing before its watches listen', async () => {
    const { here } = await setUp();
    const fresh = new ServiceCache<{ name: string }>({ bus: here, clock: new ManualClock(), logger }, 10_000);
    expect(fresh.ticket()).toBeNull(); // this first use starts the watches
    fresh.put('a', { name: 'a' }, null);
    expect(fresh.get('a')).toBeUndefined();
    await fresh.listen();
    fresh.put('a', { name: 'a' }, fresh.ticket());
    expect(fresh.get('a')).toEqual({ name: 'a' });
  });
});
