import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { EventBus } from '../../pubsub/event-bus.js';

/** Most names held; past it the cache starts over (unknown names asked for must not grow it forever). */
const MAX_ENTRIES = 1_000;

/**
 * What `services.find` answered for a name, kept in process so that a session create does not look
 * its service up on every request (issue 18: the one round trip of a request-interaction that the
 * invariants do not need). It is right across instances because every change of a service or a
 * template publishes `services:changed` / `templates:changed` once it has committed, and every
 * instance drops the whole cache when it hears one:
 *
 * - a lookup that started before a change this instance heard of is not kept (the generation it
 *   started in is compared when it answers), so the cache never holds what was read before the last
 *   change it heard of; a change made here drops the cache before the change's call returns;
 * - it is used only once its watches listen, and only while the bus is connected; a gap (a Redis
 *   connection came back, here or on another instance: publishes may have been lost) drops it all;
 * - an entry lives at most `maxAgeMs` (SERVICE_CACHE_MS): the bound on what no message reports (an
 *   instance that died between its commit and its publish, a row changed by hand in SQL). 0 turns
 *   the cache off: every lookup reads the database.
 *
 * `undefined` from `get` means "not held: read the database"; `null` is a held "no such service".
 */
export class ServiceCache<T> {
  private readonly entries = new Map<string, { value: T | null; at: number }>();
  private generation = 0;
  private state: 'idle' | 'starting' | 'listening' | 'failed' = 'idle';
  private listening: Promise<void> | null = null;

  constructor(
    private readonly deps: { bus: EventBus; clock: Clock; logger: Logger },
    private readonly maxAgeMs: number,
  ) {}

  /** The held answer for `name`, or undefined when the database must be read. */
  get(name: string): T | null | undefined {
    if (!this.usable()) return undefined;
    const hit = this.entries.get(name);
    if (!hit) return undefined;
    if (this.deps.clock.now().getTime() - hit.at >= this.maxAgeMs) {
      this.entries.delete(name);
      return undefined;
    }
    return hit.value;
  }

  /** Taken before a database read; `put` keeps the answer only if nothing changed since. */
  ticket(): number | null {
    return this.usable() ? this.generation : null;
  }

  put(name: string, value: T | null, ticket: number | null): void {
    if (ticket === null || ticket !== this.generation || !this.usable()) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(name, { value, at: this.deps.clock.now().getTime() });
  }

  /** Drops everything held, and every lookup still in flight from being kept. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Held names (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Starts the watches (once); resolves when they listen, from when answers are kept. A start-up
   * step awaits it; a lookup before that starts it without waiting and reads the database.
   */
  listen(): Promise<void> {
    if (this.maxAgeMs <= 0) return Promise.resolve();
    this.listening ??= this.startWatching();
    return this.listening;
  }

  /** Whether answers are kept right now. */
  private usable(): boolean {
    if (this.maxAgeMs <= 0) return false;
    if (this.state === 'idle') void this.listen();
    if (this.state !== 'listening') return false;
    if (!this.deps.bus.health().connected) {
      // Changes published meanwhile may never arrive; the reconnect's gap clears too.
      if (this.entries.size > 0) this.clear();
      return false;
    }
    return true;
  }

  private async startWatching(): Promise<void> {
    this.state = 'starting';
    const { bus } = this.deps;
    const drop = () => this.clear();
    bus.onGap(drop);
    try {
      await Promise.all([
        bus.watch('services:changed', null, drop),
        bus.watch('templates:changed', null, drop),
      ]);
      // Whatever was read before the watches listened is not kept.
      this.clear();
      this.state = 'listening';
    } catch (err) {
      // Without the watches nothing would tell this instance of a change: never cache.
      this.state = 'failed';
      this.deps.logger.error('service cache off: cannot watch service changes', { err });
    }
  }
}
