import { Redis } from 'ioredis';
import type { Transport } from './transport.js';

export interface RedisTransportOptions {
  url: string;
  /** Upper bound on a publish, subscribe or ping waiting for Redis. */
  commandTimeoutMs: number;
  /** Most publishes waiting for Redis at once; further ones are dropped (they are only pokes). */
  maxPendingPublishes?: number;
  onError: (err: unknown, context: string) => void;
  /** Called when Redis becomes unreachable (false) and when it is back (true). */
  onStateChange?: (connected: boolean) => void;
}

/**
 * Redis pub/sub as a poke channel that never holds up the caller:
 * - a publish is written to the socket and forgotten: the caller never waits for Redis. While
 *   Redis is known to be down it is dropped at once, and at most `maxPendingPublishes` may wait
 *   for an answer (a frozen Redis cannot grow memory without bound). Failures are counted;
 * - subscriptions are awaited, reference-counted and re-established by ioredis after a reconnect;
 *   `onReconnect` tells consumers that what was published meanwhile may be lost;
 * - a throwing listener never stops delivery to the others.
 * What must not be lost is stored in Postgres first; Redis only shortens the wait for it.
 */
export async function createRedisTransport(options: RedisTransportOptions): Promise<Transport> {
  const maxPending = options.maxPendingPublishes ?? 10_000;
  const common = {
    connectTimeout: 5_000,
    lazyConnect: true,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 1_000),
  };
  const pub = new Redis(options.url, {
    ...common,
    connectionName: 'gms-pub',
    commandTimeout: options.commandTimeoutMs,
    // Never queue publishes while disconnected, nor replay them after: a stale poke is useless.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
  });
  // The subscriber keeps SUBSCRIBE commands queued through an outage (ioredis resubscribes
  // everything once it is back), so a listener added during the outage is listening afterwards.
  const sub = new Redis(options.url, { ...common, connectionName: 'gms-sub', maxRetriesPerRequest: null });

  let connected = false;
  let since = new Date();
  let pending = 0;
  let failed = 0;
  // One report per outage, not one per reconnect attempt or failed publish.
  let errorReported = false;
  const reconnectListeners = new Set<() => void>();
  const wasReady = { pub: false, sub: false };

  const safely = (fn: () => void, context: string) => {
    try {
      fn();
    } catch (err) {
      options.onError(err, context);
    }
  };
  const update = () => {
    const now = pub.status === 'ready' && sub.status === 'ready';
    if (now === connected) return;
    connected = now;
    since = new Date();
    if (now) errorReported = false;
    options.onStateChange?.(now);
  };
  const reportError = (err: unknown, context: string) => {
    if (errorReported && !connected) return;
    errorReported = true;
    options.onError(err, context);
  };
  const onReady = (which: 'pub' | 'sub', client: Redis) => async () => {
    const again = wasReady[which];
    wasReady[which] = true;
    if (which === 'sub' && again) {
      // ioredis wrote the re-SUBSCRIBEs just before 'ready'; a PING queued behind them answers
      // once they are in effect, so consumers re-read only when new pokes will reach them.
      await withTimeout(client.ping(), 'redis ping').catch(() => {});
    }
    update();
    if (again) for (const listener of [...reconnectListeners]) safely(listener, 'reconnect listener');
  };
  for (const [which, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    client.on('error', (err) => reportError(err, `redis ${which}`));
    client.on('ready', onReady(which, client));
    client.on('close', update);
    client.on('end', update);
  }
  // An unreachable Redis at start-up is not fatal: ioredis keeps retrying and /readyz reports it.
  await Promise.all([
    pub.connect().catch((err: unknown) => reportError(err, 'redis connect')),
    sub.connect().catch((err: unknown) => reportError(err, 'redis connect')),
  ]);
  update();

  const listeners = new Map<string, Set<(m: string) => void>>();
  sub.on('message', (channel: string, message: string) => {
    const set = listeners.get(channel);
    if (!set) return;
    for (const listener of [...set]) safely(() => listener(message), 'pubsub listener');
  });

  function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
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
  }

  // The publishes of one turn (an event's session and device pokes, the pokes of every publish
  // answered by one append batch) go to Redis in one write, at the end of the turn's microtasks:
  // the socket is corked around them, so ioredis's one write per command becomes one writev.
  // (ioredis's auto-pipelining waited for setImmediate: a poke then also waited for every other
  // I/O callback of that loop iteration — HTTP requests parsed, database answers — before leaving.
  // An ioredis Pipeline per turn did the same in one write, but every Pipeline and its commands
  // outlived the next scavenge, several KB a publish copied and promoted: BENCHMARKS.md.)
  let batch: [channel: string, message: string][] = [];
  const published = () => {
    pending--;
  };
  const flush = () => {
    const sending = batch;
    batch = [];
    const stream = pub.stream;
    stream.cork();
    for (const [channel, message] of sending)
      pub.publish(channel, message).then(published, (err: unknown) => {
        pending--;
        failed++;
        reportError(err, `redis publish ${channel}`);
      });
    stream.uncork();
  };

  return {
    kind: 'redis',
    publish(channel, message) {
      if (pub.status !== 'ready' || pending >= maxPending) {
        failed++;
        return false;
      }
      pending++;
      batch.push([channel, message]);
      if (batch.length === 1) queueMicrotask(flush);
      return true;
    },
    async listen(channel, onMessage) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(onMessage);
      if (set.size === 1) {
        // While Redis is down the SUBSCRIBE stays queued in ioredis and takes effect once it is
        // back; the caller does not wait for that (its reads of durable state cover the gap).
        const subscribed = sub.subscribe(channel).catch((err: unknown) => {
          reportError(err, `redis subscribe ${channel}`);
        });
        if (sub.status === 'ready')
          await withTimeout(subscribed, 'redis subscribe').catch((err: unknown) =>
            reportError(err, `redis subscribe ${channel}`),
          );
      }
      return async () => {
        const current = listeners.get(channel);
        if (!current) return;
        current.delete(onMessage);
        if (current.size === 0) {
          listeners.delete(channel);
          // Queued while Redis is down: ioredis resubscribes, then runs this, once it is back.
          await withTimeout(sub.unsubscribe(channel), 'redis unsubscribe').catch((err: unknown) =>
            reportError(err, 'redis unsubscribe'),
          );
        }
      };
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    health: () => ({ connected, since }),
    stats: () => ({ pendingPublishes: pending, failedPublishes: failed }),
    async ping() {
      await withTimeout(pub.ping(), 'redis ping');
    },
    async close() {
      listeners.clear();
      reconnectListeners.clear();
      await Promise.allSettled([
        withTimeout(pub.quit(), 'redis quit'),
        withTimeout(sub.quit(), 'redis quit'),
      ]);
      pub.disconnect();
      sub.disconnect();
    },
  };
}
