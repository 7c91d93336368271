import type { Deps } from '../deps.js';
import { jsonResponse } from '../http/http-errors.js';
import type { Managers } from '../managers.js';

/** Longest a readiness probe waits for any dependency: a balancer's probe must always get an answer. */
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
    try {
      await within(deps.database.ping(), READINESS_TIMEOUT_MS);
      checks.database = 'ok';
      const status = await within(managers.nodes.ownStatus(), READINESS_TIMEOUT_MS);
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
