/**
 * A pull-based stream over durable rows: it reads what is new whenever it is poked (a bus event),
 * and at the latest on the next tick of a shared `pollMs` timer (a lost poke only delays). It reads
 * at the consumer's pace, so a slow consumer never makes anything buffer without bound.
 */
export interface PollingStreamOptions<T, P = unknown> {
  /** Starts listening for pokes; resolves with the function that stops listening. */
  watch(onPoke: (payload?: P) => void): Promise<() => Promise<void>>;
  /**
   * Optional: the items that pokes themselves carry, when they continue the stream exactly from
   * what was yielded (nothing to read then); null when they do not (a gap, or a poke without its
   * item), and the stream reads instead.
   */
  fromPokes?(payloads: P[]): T[] | null;
  /**
   * Reads the next batch after what was already yielded (the stream keeps no cursor itself).
   * `since` (performance.now()) is when the latest poke arrived: a read started before it may miss
   * what the poke announced.
   */
  read(since: number): Promise<T[]>;
  pollMs: number;
  /**
   * Optional: how a stream that has read everything waits for the poll — `wake` when there may be
   * something to read; answers the function that stops waiting. Without it, the stream reads again
   * on every tick of a shared `pollMs` timer.
   */
  sleep?(wake: () => void): () => void;
  /** Optional: called once when the stream ends (after its last sleep). */
  closed?(): void;
}

export interface PollingStream<T> extends AsyncIterableIterator<T> {
  /** Resolves once pokes are being listened to. */
  ready: Promise<void>;
  return(): Promise<IteratorResult<T>>;
  /**
   * `next()` without a promise when none is needed, for a consumer that delivers one item at a
   * time (one event to 20,000 subscribers of a device: a promise and its microtask per subscriber
   * per event were a large part of the fan-out's CPU and garbage). Answers the next result when it
   * is at hand (buffered, carried by pokes, or the end); else null after arranging `onWake` to be
   * called once, synchronously, from the poke, the poll or `return()` that may have brought
   * something (then pull again); else a promise to await before pulling again (a read of the
   * store, or the listening not yet started). A consumer uses either this or `next()`, never both
   * at once, and pulls again only after the previous answer settled.
   */
  pull(onWake: () => void): IteratorResult<T> | Promise<void> | null;
}

/**
 * One timer per poll interval for every stream waiting on it. Streams of one device then wake on
 * the same tick and share their read (EventStore's single-flight): with a timer each, 20,000
 * subscribers of a device polled 20,000 times per interval, each at its own moment, and at that
 * size the polls alone kept an embedded database busy.
 */
const tickers = new Map<number, Set<() => void>>();

function onNextTick(pollMs: number, fn: () => void): () => void {
  let waiting = tickers.get(pollMs);
  if (!waiting) {
    const set = new Set<() => void>();
    waiting = set;
    tickers.set(pollMs, set);
    const timer = setInterval(() => {
      // Nobody waited for a whole interval: stop (the next waiter starts a new timer).
      if (set.size === 0) {
        clearInterval(timer);
        if (tickers.get(pollMs) === set) tickers.delete(pollMs);
        return;
      }
      const due = [...set];
      set.clear();
      for (const wake of due) wake();
    }, pollMs);
    timer.unref?.();
  }
  const set = waiting;
  set.add(fn);
  return () => set.delete(fn);
}

/** Pokes kept for `fromPokes` between two turns of a stream; past this it reads instead. */
const MAX_CARRIED = 64;

export function pollingStream<T, P = unknown>(options: PollingStreamOptions<T, P>): PollingStream<T> {
  const buffered: T[] = [];
  let dirty = true;
  let pokedAt = performance.now();
  let closed = false;
  let wake: (() => void) | null = null;
  let unwatch: (() => Promise<void>) | null = null;
  // Pokes whose items may be taken without a read (only while nothing else made the stream dirty).
  const carried: P[] = [];
  const poke = (payload?: P) => {
    if (options.fromPokes && payload !== undefined && carried.length < MAX_CARRIED) carried.push(payload);
    else dirty = true;
    pokedAt = performance.now();
    wake?.();
  };
  // Listen before the first read, so nothing committed in between is missed.
  let isReady = false;
  const ready = options.watch(poke).then(async (stop) => {
    unwatch = stop;
    isReady = true;
    if (closed) await stop();
  });

  const close = async () => {
    if (closed) return;
    closed = true;
    wake?.();
    options.closed?.();
    await ready.catch(() => {});
    if (unwatch) await unwatch();
  };

  // What is at hand without waiting: an item, the end, or what must happen first.
  const step = (): IteratorResult<T> | 'read' | 'sleep' => {
    for (;;) {
      if (closed) return { value: undefined, done: true };
      const item = buffered.shift();
      if (item !== undefined) return { value: item, done: false };
      if (!dirty && carried.length > 0 && options.fromPokes) {
        const items = options.fromPokes(carried.splice(0));
        if (items) buffered.push(...items);
        else dirty = true;
        continue;
      }
      return dirty ? 'read' : 'sleep';
    }
  };
  const readOnce = async () => {
    dirty = false;
    // What the read returns covers every poke so far; one arriving during it is kept (and
    // skipped by fromPokes if the read already had its item).
    carried.length = 0;
    const batch = await options.read(pokedAt);
    if (batch.length > 0) {
      buffered.push(...batch);
      dirty = true; // there may be more than one batch
    }
  };
  // Waits for a poke, the poll or close; the consumer's `onWake` runs once, whichever comes first.
  // (The functions are the stream's own, not new ones per wait: one wait per event per stream.)
  let onWake: (() => void) | null = null;
  let cancelSleep: (() => void) | null = null;
  const woken = (byPoll: boolean) => {
    const consumer = onWake;
    const cancel = cancelSleep;
    onWake = null;
    cancelSleep = null;
    wake = null;
    if (byPoll) dirty = true;
    else cancel?.();
    consumer?.();
  };
  const onPoll = () => woken(true);
  const onPoke = () => woken(false);
  const sleep = (consumer: () => void) => {
    onWake = consumer;
    cancelSleep = options.sleep ? options.sleep(onPoll) : onNextTick(options.pollMs, onPoll);
    wake = onPoke;
  };

  const iterator: PollingStream<T> = {
    ready,
    async next(): Promise<IteratorResult<T>> {
      // Once listening, no await: a turn less per event for each of 20,000 subscribers of a device.
      if (!isReady) await ready;
      for (;;) {
        const s = step();
        if (s === 'read') await readOnce();
        else if (s === 'sleep') await new Promise<void>(sleep);
        else return s;
      }
    },
    pull(onWake) {
      if (!isReady) return ready;
      const s = step();
      if (s === 'read') return readOnce();
      if (s === 'sleep') {
        sleep(onWake);
        return null;
      }
      return s;
    },
    async return(): Promise<IteratorResult<T>> {
      await close();
      return { value: undefined, done: true };
    },
    async throw(err?: unknown): Promise<IteratorResult<T>> {
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
