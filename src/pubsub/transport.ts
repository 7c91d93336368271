/** Moves serialised messages between instances (or within one). Delivery is at-most-once. */
export interface Transport {
  readonly kind: 'memory' | 'redis';
  /** Never rejects: failures are reported through `onError` and counted. */
  publish(channel: string, message: string): Promise<boolean>;
  /** Resolves once the channel is really listened to; the returned function stops listening. */
  listen(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryTransport(onError: (err: unknown) => void): Transport {
  const listeners = new Map<string, Set<(m: string) => void>>();
  return {
    kind: 'memory',
    async publish(channel, message) {
      const set = listeners.get(channel);
      if (!set) return true;
      for (const listener of [...set]) {
        // Isolated per listener: one failing consumer must not stop the others.
        queueMicrotask(() => {
          try {
            listener(message);
          } catch (err) {
            onError(err);
          }
        });
      }
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
    async ping() {},
    async close() {
      listeners.clear();
    },
  };
}
