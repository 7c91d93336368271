import type { BusSubscription } from '../../pubsub/event-bus.js';

/**
 * A live value that is recomputed when any source announces a change (and every `refreshMs`, for
 * values that move with time such as the longest wait). Bursts of events collapse into one
 * recomputation, and sources are drained continuously, so a slow reader never overflows them.
 * Yields the current value first.
 */
export async function* refreshOnEvents<T>(
  sources: BusSubscription<unknown>[],
  compute: () => Promise<T>,
  refreshMs: number,
): AsyncGenerator<T> {
  let dirty = true;
  let failure: unknown = null;
  let ended = 0;
  let wake: (() => void) | null = null;
  const poke = () => {
    dirty = true;
    const w = wake;
    wake = null;
    w?.();
  };
  for (const source of sources) {
    void (async () => {
      try {
        for await (const _ of source) poke();
      } catch (err) {
        failure = err;
      }
      ended++;
      poke();
    })();
  }
  const timer = setInterval(poke, refreshMs);
  timer.unref();
  try {
    await Promise.all(sources.map((s) => s.ready));
    for (;;) {
      if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
      if (ended === sources.length) return;
      dirty = false;
      yield await compute();
    }
  } finally {
    clearInterval(timer);
    await Promise.all(sources.map((s) => s.return()));
  }
}
