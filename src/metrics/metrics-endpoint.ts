import { createHash, timingSafeEqual } from 'node:crypto';
import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import { UnauthorizedError } from '../errors.js';
import { jsonResponse } from '../http/http-errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

function bearerMatches(authorization: string, token: string): boolean {
  const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === 'bearer' && timingSafeEqual(digest(value), digest(token));
}

/**
 * GET /metrics in the Prometheus text format. Who may read it: anyone with `METRICS_TOKEN` as a
 * bearer token (the scrape-only credential to give Prometheus), an admin (Basic or a `login`
 * token), or everyone when `METRICS_PUBLIC=true` (only where the port is not reachable from outside).
 */
export function createMetricsEndpoint(
  deps: Deps,
  authenticate: (request: Request) => Promise<Viewer>,
): (request: Request) => Promise<Response> {
  const { config, metrics } = deps;

  async function allowed(request: Request): Promise<boolean> {
    if (config.metrics.public) return true;
    const authorization = request.headers.get('authorization');
    if (!authorization) return false;
    if (config.metrics.token && bearerMatches(authorization, config.metrics.token)) return true;
    try {
      return (await authenticate(request)).kind === 'admin';
    } catch (err) {
      if (err instanceof UnauthorizedError) return false;
      throw err;
    }
  }

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return jsonResponse(
        { message: `Method ${request.method} not allowed`, code: 405, phrase: 'Method Not Allowed' },
        405,
        { allow: 'GET, HEAD' },
      );
    if (!(await allowed(request)))
      return jsonResponse(
        {
          message: 'Metrics need METRICS_TOKEN as a bearer token, or admin credentials',
          code: 401,
          phrase: 'Unauthorized',
        },
        401,
        { 'www-authenticate': 'Bearer realm="metrics", Basic realm="GMS"' },
      );
    const { contentType, body } = await metrics.render();
    return new Response(request.method === 'HEAD' ? null : body, {
      headers: { 'content-type': contentType, 'cache-control': 'no-store' },
    });
  };
}
