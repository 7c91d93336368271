import { jsonResponse } from './http-errors.js';

/**
 * CSRF prevention for /graphql. A page on any site can make a browser POST a urlencoded,
 * multipart or text/plain body (a "simple" request: no CORS preflight) with the visitor's
 * cached credentials. So a POST must be JSON (which needs a preflight, refused by CORS for
 * origins not configured), or carry one of these headers, which a form cannot set and a script
 * cannot set without a preflight. GraphQL multipart uploads (the console's template upload) send
 * one. GET never runs a mutation (yoga refuses them with 405), so GET queries stay open.
 * The names are those graphql-yoga's and Apollo's CSRF prevention use, so their clients work.
 */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight'];

const PREFLIGHTED_MEDIA = /^application\/([a-z0-9.+-]*\+)?json$/;

/** A 403 for a cross-site-capable POST without a CSRF header, or null to go on. */
export function csrfRefusal(request: Request): Response | null {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return null;
  const media = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (PREFLIGHTED_MEDIA.test(media)) return null;
  if (CSRF_HEADERS.some((h) => request.headers.has(h))) return null;
  return jsonResponse(
    {
      errors: [
        {
          message: `A ${media || 'body'} request to /graphql needs an '${CSRF_HEADERS[0]}' header (CSRF prevention); or send application/json`,
          extensions: { code: 'CSRF_PREVENTED' },
        },
      ],
    },
    403,
  );
}

/**
 * Legacy admin routes (`/genesys/1/admin/...`, `/statistic`) accept HTTP Basic, which a browser
 * caches after a 401: a page on another site could then make the browser POST a form there with
 * the admin's login (a "simple" request, no preflight). Browsers mark every request with
 * `Sec-Fetch-Site`; legacy clients (scripts, GMS tools, devices) send none, so refusing what a
 * browser marks as coming from another site costs them nothing. An origin listed in
 * ALLOWED_ORIGINS may still call them.
 */
export function crossSiteBrowserRequest(request: Request, allowedOrigins: readonly string[] | '*'): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site === null || site === 'same-origin' || site === 'none') return false;
  const origin = request.headers.get('origin');
  return !(allowedOrigins !== '*' && origin !== null && allowedOrigins.includes(origin));
}
