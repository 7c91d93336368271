import type { Topic, TopicMap } from './topics.js';
import type { Transport, TransportHealth } from './transport.js';

export class SubscriptionOverflowError extends Error {
  override name = 'SubscriptionOverflowError';
  readonly code = 'subscription/overflow';
  constructor(size: number) {
    super(`Subscriber fell ${size} events behind and was dropped; resubscribe and catch up.`);
  }
}

export interface SubscribeOptions {
  /** Events held for this subscriber before it is dropped (default: the bus's bufferSize). */
  bufferSize?: number;
  /** Called once when this subscriber overflows, e.g. to close its WebSocket. */
  onOverflow?: (err: SubscriptionOverflowError) => void;
}

export interface BusSubscription<T> extends AsyncIterableIterator<T> {
  /** Resolves when events published from now on will reach this subscription. */
  readonly ready: Promise<void>;
  return(): Promise<IteratorResult<T>>;
}

export interface BusStats {
  published: number;
  /** Publishes the transport dropped or that failed later (the event is then only in storage). */
  publishFailures: number;
  /** Publishes handed to the transport and not answered yet. */
  pendingPublishes: number;
  delivered: number;
  overflows: number;
  activeSubscriptions: number;
}

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  /**
   * Hands the event to the transport and resolves at once, without waiting for the broker: a write
   * never waits on a publish. Never rejects; false when the transport dropped it (broker down or
   * backlog full): the event is then only in storage, where polling readers find it.
   */
  publish<T extends Topic>(topic: T, key: string | null, payload: TopicMap[T]): Promise<boolean>;
  subscribe<T extends Topic>(
    topic: T,
    key: string | null,
    options?: SubscribeOptions,
  ): BusSubscription<TopicMap[T]>;
  /**
   * Calls `onMessage` for every event, with no buffering: for "something changed" pokes whose
   * consumer re-reads durable state (several pokes coalesce into one read). Resolves once listening.
   * Every watcher of a channel gets the same parsed payload object: read it, never change it.
   */
  watch<T extends Topic>(
    topic: T,
    key: string | null,
    onMessage: (payload: TopicMap[T]) => void,
  ): Promise<() => Promise<void>>;
  /**
   * Calls `listener` when events may have been lost in transit (the broker connection came back,
   * here or on another instance): consumers re-read durable state. Returns the unregister function.
   */
  onGap(listener: () => void): () => void;
  /** Whether the transport is connected (always for in-process delivery). */
  health(): TransportHealth;
  stats(): BusStats;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Typed pub/sub over a transport. Each subscription owns its bounded buffer (never a shared one:
 * a shared buffer leaks one subscriber's events into another's); when a subscriber falls
 * `bufferSize` events behind it is ended with SubscriptionOverflowError — the slow subscriber is
 * dropped, the process and every other subscriber carry on.
 */
export function createEventBus(
  transport: Transport,
  defaults: { bufferSize: number; namespace: string },
): EventBus {
  const channelName = (topic: string, key: string | null) =>
    key === null ? `${defaults.namespace}:${topic}` : `${defaults.namespace}:${topic}|${key}`;
  const counters = { published: 0, delivered: 0, overflows: 0 };
  // A message reaches every watcher of its channel as the same string, one after the other: with
  // 20,000 watchers of one device that was 20,000 parses of one poke. Watchers only read it.
  let lastRaw: string | null = null;
  let lastParsed: unknown = null;
  const parseShared = (raw: string) => {
    if (raw !== lastRaw) {
      lastParsed = JSON.parse(raw);
      lastRaw = raw;
    }
    return lastParsed as never;
  };
  const active = new Set<BusSubscription<unknown>>();

  // Gaps: a transport reconnect here is announced to every instance on one channel, because the
  // publishes lost may have been this instance's (its subscribers on the others saw no outage).
  const gapListeners = new Set<() => void>();
  const gapChannel = `${defaults.namespace}:_gap`;
  const notifyGap = () => {
    for (const listener of [...gapListeners]) {
      try {
        listener();
      } catch {}
    }
  };
  const listeningForGaps = transport.listen(gapChannel, notifyGap).catch(() => null);
  const stopReconnect = transport.onReconnect(() => {
    notifyGap();
    transport.publish(gapChannel, '1');
  });

  return {
    kind: transport.kind,
    async publish(topic, key, payload) {
      counters.published++;
      return transport.publish(channelName(topic, key), JSON.stringify(payload));
    },
    subscribe<T extends Topic>(topic: T, key: string | null, options: SubscribeOptions = {}) {
      const size = options.bufferSize ?? defaults.bufferSize;
      const queue: TopicMap[T][] = [];
      let waiter: ((r: IteratorResult<TopicMap[T]>) => void) | null = null;
      let failWaiter: ((e: unknown) => void) | null = null;
      let failure: SubscriptionOverflowError | null = null;
      let done = false;
      let stop: (() => Promise<void>) | null = null;
      let stopRequested = false;

      const finish = async () => {
        if (done) return;
        done = true;
        active.delete(iterator as BusSubscription<unknown>);
        queue.length = 0;
        if (stop) await stop();
        else stopRequested = true;
      };

      const onMessage = (raw: string) => {
        if (done) return;
        const value = JSON.parse(raw) as TopicMap[T];
        counters.delivered++;
        if (waiter) {
          const w = waiter;
          waiter = null;
          failWaiter = null;
          w({ value, done: false });
          return;
        }
        if (queue.length >= size) {
          counters.overflows++;
          failure = new SubscriptionOverflowError(size);
          queue.length = 0;
          const err = failure;
          void finish();
          options.onOverflow?.(err);
          return;
        }
        queue.push(value);
      };

      const ready = transport.listen(channelName(topic, key), onMessage).then(async (unlisten) => {
        stop = unlisten;
        if (stopRequested) await unlisten();
      });

      const iterator: BusSubscription<TopicMap[T]> = {
        ready,
        next() {
          if (queue.length > 0) return Promise.resolve({ value: queue.shift() as TopicMap[T], done: false });
          if (failure) {
            const err = failure;
            failure = null;
            return Promise.reject(err);
          }
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve, reject) => {
            waiter = resolve;
            failWaiter = reject;
          });
        },
        async return() {
          await finish();
          if (waiter) {
            const w = waiter;
            waiter = null;
            w({ value: undefined, done: true });
          }
          return { value: undefined, done: true };
        },
        async throw(err?: unknown) {
          await finish();
          if (failWaiter) failWaiter(err);
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      active.add(iterator as BusSubscription<unknown>);
      return iterator;
    },
    watch(topic, key, onMessage) {
      return transport.listen(channelName(topic, key), (raw) => {
        counters.delivered++;
        onMessage(parseShared(raw));
      });
    },
    onGap(listener) {
      gapListeners.add(listener);
      return () => gapListeners.delete(listener);
    },
    health: () => transport.health(),
    stats: () => {
      const t = transport.stats();
      return {
        ...counters,
        publishFailures: t.failedPublishes,
        pendingPublishes: t.pendingPublishes,
        activeSubscriptions: active.size,
      };
    },
    ping: () => transport.ping(),
    async close() {
      stopReconnect();
      gapListeners.clear();
      await Promise.allSettled([...active].map((s) => s.return()));
      const stop = await listeningForGaps;
      await stop?.();
      await transport.close();
    },
  };
}
