import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';

export interface ConsoleClient {
  client: Client;
  /** Calls `listener` each time the WebSocket (re)connects: events sent while it was down are lost, so refetch. */
  onReconnected(listener: () => void): () => void;
  dispose(): void;
}

/**
 * One urql client per signed-in session: the document cache, HTTP for queries and mutations, and
 * graphql-ws on the same path for subscriptions. Both carry the bearer token.
 * `onUnauthorized` runs when the server answers 401 (token revoked or expired).
 */
export function createConsoleClient(token: string, onUnauthorized: () => void): ConsoleClient {
  const wsUrl = new URL('/graphql', window.location.href);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const reconnectListeners = new Set<() => void>();
  let connectedOnce = false;
  const ws = createWsClient({
    url: wsUrl.toString(),
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connected: () => {
        if (connectedOnce) for (const l of reconnectListeners) l();
        connectedOnce = true;
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    // The CSRF header lets GraphQL multipart uploads through (the server refuses non-JSON POSTs
    // without it: src/http/csrf.ts); on JSON requests it is harmless.
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1' } }),
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onUnauthorized();
      return response;
    },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return {
    client,
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    dispose() {
      void ws.dispose();
    },
  };
}
