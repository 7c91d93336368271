import { Redis } from 'ioredis';
import type { Transport } from './transport.js';

export interface RedisTransportOptions {
  url: string;
  commandTimeoutMs: number;
  onError: (err: unknown, context: string) => void;
}

/**
 * Redis pub/sub with the guards yoga's redis-event-target lacks: every publish is awaited,
 * bounded by a timeout and caught; subscriptions are awaited and reference-counted; a throwing
 * listener never stops delivery to the others. Redis is only a poke: what must not be lost is
 * stored in Postgres first.
 */
export async function createRedisTransport(options: RedisTransportOptions): Promise<Transport> {
  const common = {
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  const pub = new Redis(options.url, { ...common, connectionName: 'gms-pub' });
  const sub = new Redis(options.url, { ...common, connectionName: 'gms-sub', commandTimeout: undefined });
  pub.on('error', (err) => options.onError(err, 'redis publisher'));
  sub.on('error', (err) => options.onError(err, 'redis subscriber'));
  // An unreachable Redis at start-up is not fatal: ioredis keeps retrying and /readyz reports it.
  await Promise.all([
    pub.connect().catch((err: unknown) => options.onError(err, 'redis connect')),
    sub.connect().catch((err: unknown) => options.onError(err, 'redis connect')),
  ]);

  const listeners = new Map<string, Set<(m: string) => void>>();
  sub.on('message', (channel: string, message: string) => {
    const set = listeners.get(channel);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (err) {
        options.onError(err, 'pubsub listener');
      }
    }
  });

  const withTimeout = <T>(p: Promise<T>, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what} timed out after ${options.commandTimeoutMs} ms`)),
        options.commandTimeoutMs,
      );
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });

  return {
    kind: 'redis',
    async publish(channel, message) {
      try {
        await withTimeout(pub.publish(channel, message), 'redis publish');
        return true;
      } catch (err) {
        options.onError(err, `redis publish ${channel}`);
        return false;
      }
    },
    async listen(channel, onMessage) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(onMessage);
      if (set.size === 1) {
        try {
          await withTimeout(sub.subscribe(channel), 'redis subscribe');
        } catch (err) {
          // ioredis resubscribes every channel on reconnect; the caller also catches up from storage.
          options.onError(err, `redis subscribe ${channel}`);
        }
      }
      return async () => {
        const current = listeners.get(channel);
        if (!current) return;
        current.delete(onMessage);
        if (current.size === 0) {
          listeners.delete(channel);
          await sub.unsubscribe(channel).catch((err: unknown) => options.onError(err, 'redis unsubscribe'));
        }
      };
    },
    async ping() {
      await withTimeout(pub.ping(), 'redis ping');
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
      pub.disconnect();
      sub.disconnect();
    },
  };
}
