/** Whether the transport can currently move messages between instances. */
export interface TransportHealth {
  connected: boolean;
  /** When the current state (connected or not) began. */
  since: Date;
}

export interface TransportStats {
  /** Publishes handed to the broker and not yet answered. */
  pendingPublishes: number;
  /** Publishes dropped (broker unreachable, backlog full) or answered with an error/timeout. */
  failedPublishes: number;
}

/** Moves serialised messages between instances (or within one). Delivery is at-most-once. */
export interface Transport {
  readonly kind: 'memory' | 'redis';
  /**
   * Hands a message over without waiting for the broker: true when it went out, false when it was
   * dropped (broker known to be unreachable, or too many publishes pending). Never throws; later
   * failures are counted in `stats()`.
   */
  publish(channel: string, message: string): boolean;
  /** Resolves once the channel is really listened to; the returned function stops listening. */
  listen(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /**
   * Calls `listener` each time a connection to the broker comes back after a loss: messages sent
   * meanwhile may never arrive, so consumers re-read durable state. Returns the unregister function.
   */
  onReconnect(listener: () => void): () => void;
  health(): TransportHealth;
  stats(): TransportStats;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryTransport(onError: (err: unknown) => void): Transport {
  const listeners = new Map<string, Set<(m: string) => void>>();
  const since = new Date();
  return {
    kind: 'memory',
    publish(channel, message) {
      const set = listeners.get(channel);
      if (!set) return true;
      // Later, as a broker would deliver it, to the listeners of this moment; one microtask for all
      // of them (one each was 20,000 closures per event for 20,000 watchers of one device).
      const due = [...set];
      queueMicrotask(() => {
        for (const listener of due) {
          // Isolated per listener: one failing consumer must not stop the others.
          try {
            listener(message);
          } catch (err) {
            onError(err);
          }
        }
      });
      return true;
    },
    async listen(channel, onMessage) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(onMessage);
      return async () => {
        const current = listeners.get(channel);
        current?.delete(onMessage);
        if (current && current.size === 0) listeners.delete(channel);
      };
    },
    // In-process delivery has no connection to lose.
    onReconnect: () => () => {},
    health: () => ({ connected: true, since }),
    stats: () => ({ pendingPublishes: 0, failedPublishes: 0 }),
    async ping() {},
    async close() {
      listeners.clear();
    },
  };
}
