import { Counter, Gauge, Histogram } from 'prom-client';
import type { RouteTable } from '../http/route-table.js';
import type { MetricsRegistry } from './registry.js';

/** Latency buckets in seconds: a callback start or a storage read should sit in the first few. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The `route` label: a bounded set of values, never a raw path (ids in paths would give every
 * session its own time series): the route-table pattern the request matched, e.g.
 * `/genesys/1/service/:id/storage`; a catch-all (console shell, unknown legacy path) or no match is
 * `unmatched`.
 */
export function routeLabel(method: string, pathname: string, routes: RouteTable): string {
  const found = routes.match(method.toUpperCase(), pathname);
  if (found && found !== 'method' && !found.route.fallback) return found.route.pattern;
  return 'unmatched';
}

export interface HttpMetrics {
  /** Call when a request arrives; call the returned function with the final status. */
  start(method: string, pathname: string): (status: number) => void;
}

/** Most distinct method + path pairs whose route label is remembered (paths with ids vary without end). */
const LABEL_MEMO_SIZE = 1000;

/** Requests by method, route and status, with latency histograms and the number in flight. */
export function createHttpMetrics(metrics: MetricsRegistry, routes: RouteTable): HttpMetrics {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'gms_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames,
    registers: [metrics.registry],
  });
  const duration = new Histogram({
    name: 'gms_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (until the response headers), by method, route pattern and status',
    labelNames,
    buckets: HTTP_BUCKETS,
    registers: [metrics.registry],
  });
  const inFlight = new Gauge({
    name: 'gms_http_requests_in_flight',
    help: 'HTTP requests being handled now',
    registers: [metrics.registry],
  });

  // The label is a walk of the route table: remembered for up to LABEL_MEMO_SIZE method + path
  // pairs (a request-interaction is always the same path; issue 18).
  const labelMemo = new Map<string, string>();
  const label = (method: string, pathname: string): string => {
    const key = `${method} ${pathname}`;
    let route = labelMemo.get(key);
    if (route === undefined) {
      route = routeLabel(method, pathname, routes);
      if (labelMemo.size >= LABEL_MEMO_SIZE) labelMemo.clear();
      labelMemo.set(key, route);
    }
    return route;
  };

  return {
    start(requestMethod, pathname) {
      const started = performance.now();
      inFlight.inc();
      return (status) => {
        inFlight.dec();
        const method = KNOWN_METHODS.has(requestMethod) ? requestMethod : 'OTHER';
        const labels = { method, route: label(method, pathname), status: String(status) };
        requests.inc(labels);
        duration.observe(labels, (performance.now() - started) / 1000);
      };
    },
  };
}
