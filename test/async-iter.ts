import type { EventBus, SubscribeOptions } from '../src/pubsub/event-bus.js';
import type { Topic } from '../src/pubsub/topics.js';
/**
 * The next `n` values of an async iterator (a subscription, an event stream), failing with
 * "timeout" when they do not all arrive within `timeoutMs`. Stops early when the iterator ends.
 */
export async function take<T>(
  it: { next(): Promise<IteratorResult<T>> },
  n: number,
  timeoutMs = 5000,
): Promise<T[]> {
  const out: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/**
 * Resolves when the next subscription to `topic` on `bus` is ready (for Redis: its SUBSCRIBE is
 * acknowledged), so a test publishes only once the subscriber will see it, instead of sleeping.
 * Watches `bus.subscribe` (the call goes through unchanged) until that subscription is made.
 */
export function subscriptionReady(bus: EventBus, topic: Topic): Promise<void> {
  const original = bus.subscribe;
  const call = original.bind(bus);
  return new Promise<void>((resolve, reject) => {
    const watched = <T extends Topic>(t: T, key: string | null, options?: SubscribeOptions) => {
      const subscription = call(t, key, options);
      if (t === topic) {
        bus.subscribe = original;
        subscription.ready.then(resolve, reject);
      }
      return subscription;
    };
    bus.subscribe = watched;
  });
}
