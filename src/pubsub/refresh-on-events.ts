import type { EventBus } from './event-bus.js';
import type { Topic } from './topics.js';

/**
 * A live value that is recomputed when any watched topic announces a change (and every
 * `refreshMs`, for values that move with time such as the longest wait). Events are only pokes:
 * a burst collapses into one recomputation and nothing is buffered, so a slow reader costs
 * nothing but staleness. Yields the current value first, once the watches are listening.
 */
export async function* refreshOnEvents<T>(
  bus: EventBus,
  sources: { topic: Topic; key: string | null }[],
  compute: () => Promise<T>,
  refreshMs: number,
): AsyncGenerator<T> {
  let dirty = true;
  let wake: (() => void) | null = null;
  const poke = () => {
    dirty = true;
    const w = wake;
    wake = null;
    w?.();
  };
  const stops = await Promise.all(sources.map((s) => bus.watch(s.topic, s.key, poke)));
  // A transport gap (pokes lost in a Redis outage) means "recompute" too.
  const stopGap = bus.onGap(poke);
  const timer = setInterval(poke, refreshMs);
  timer.unref();
  try {
    for (;;) {
      if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
      dirty = false;
      yield await compute();
    }
  } finally {
    clearInterval(timer);
    stopGap();
    await Promise.all(stops.map((stop) => stop()));
  }
}
