import type { Deps } from '../deps.js';
import type { RouteTable } from '../http/route-table.js';
import { createHttpMetrics, type HttpMetrics } from './http-metrics.js';

/** What the app's WebSocket server reports about itself. */
export interface WebSocketStats {
  clientCount(): number;
  operationCount(): number;
}

/**
 * The metrics owned by the app itself: HTTP requests, GraphQL WebSockets and the event bus.
 * Domain modules register theirs from their managers (`deps.metrics.registerGauge`).
 */
export function instrumentApp(deps: Deps, routes: RouteTable, ws: WebSocketStats): HttpMetrics {
  const { metrics, bus } = deps;
  metrics.registerGauge('gms_graphql_ws_connections', 'Open GraphQL WebSocket connections', [], () =>
    ws.clientCount(),
  );
  metrics.registerGauge(
    'gms_graphql_ws_subscriptions',
    'Operations running on GraphQL WebSockets: subscriptions, plus queries still executing',
    [],
    () => ws.operationCount(),
  );
  metrics.registerGauge(
    'gms_pubsub_subscriptions',
    'Open event-bus subscriptions (GraphQL subscriptions over WebSocket and SSE, internal listeners)',
    [],
    () => bus.stats().activeSubscriptions,
  );
  metrics.registerGauge(
    'gms_pubsub_pending_publishes',
    'Publishes handed to the transport and not answered yet (bounded; writes never wait on them)',
    [],
    () => bus.stats().pendingPublishes,
  );
  if (bus.kind === 'redis')
    metrics.registerGauge(
      'gms_redis_up',
      '1 while both Redis connections (publish, subscribe) are ready; 0 while events only reach other instances by polling the event store',
      [],
      () => (bus.health().connected ? 1 : 0),
    );
  const busCounter = (name: string, help: string, read: () => number) =>
    metrics.registerCounter(name, help, ['transport'], () => [
      { labels: { transport: bus.kind }, value: read() },
    ]);
  busCounter('gms_pubsub_published_total', 'Events published on the event bus', () => bus.stats().published);
  busCounter(
    'gms_pubsub_publish_failures_total',
    'Publishes dropped or failed (Redis down or slow); the event is then only in storage, found by polling',
    () => bus.stats().publishFailures,
  );
  busCounter(
    'gms_pubsub_delivered_total',
    'Events handed to subscribers of this instance',
    () => bus.stats().delivered,
  );
  busCounter(
    'gms_pubsub_overflows_total',
    'Subscribers dropped because they fell SUBSCRIPTION_BUFFER_SIZE events behind',
    () => bus.stats().overflows,
  );
  return createHttpMetrics(metrics, routes);
}
