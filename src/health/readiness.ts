import type { Deps } from '../deps.js';
import { jsonResponse } from '../http/http-errors.js';
import type { Managers } from '../managers.js';

/** Longest a readiness probe waits for its dependencies in all: a balancer's probe must always get an answer within 1 s. */
export const READINESS_TIMEOUT_MS = 800;

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });

/**
 * `/readyz`: whether a load balancer should send this instance traffic.
 * - database unreachable → 503 (nothing works without it);
 * - node set OFFLINE by an admin → 503 (draining);
 * - Redis unreachable → still 200, `redis: degraded`: every request still succeeds, and events
 *   reach other instances by polling the event store until Redis is back.
 */
export function createReadiness(deps: Deps, managers: Managers): () => Promise<Response> {
  return async () => {
    const checks: Record<string, string> = {};
    const details: Record<string, unknown> = {};
    let ok = true;
    const started = performance.now();
    const left = () => Math.max(50, READINESS_TIMEOUT_MS - (performance.now() - started));
    try {
      // Known down (db/availability.ts probes it): say so at once, without queueing a query.
      const availability = deps.database.availability.status();
      if (!availability.up)
        throw new Error(
          `unreachable since ${availability.since.toISOString()}: ${availability.reason ?? ''}`,
        );
      await within(deps.database.ping(), left());
      checks.database = 'ok';
      const status = await within(managers.nodes.ownStatus(), left());
      checks.node = status;
      if (status !== 'ONLINE') ok = false;
    } catch (err) {
      checks.database = 'unreachable';
      details.database = err instanceof Error ? err.message : String(err);
      ok = false;
    }
    if (deps.bus.kind === 'redis') {
      const health = deps.bus.health();
      checks.redis = health.connected ? 'ok' : 'degraded';
      if (!health.connected)
        details.redis = {
          unreachableSince: health.since.toISOString(),
          effect: `events reach other instances by polling the event store (every ${deps.config.push.eventPollMs} ms) until Redis is back`,
        };
    }
    const body: Record<string, unknown> = { status: ok ? 'ready' : 'unavailable', checks };
    if (Object.keys(details).length > 0) body.details = details;
    return jsonResponse(body, ok ? 200 : 503);
  };
}
