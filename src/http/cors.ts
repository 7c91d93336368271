import { DEVICE_TOKEN_HEADER } from '../auth/ownership.js';

/**
 * CORS for /graphql. Browsers attach ambient credentials (cached HTTP Basic, cookies) to
 * credentialed cross-origin requests, so credentials are allowed only for origins the operator
 * listed in ALLOWED_ORIGINS, echoed one at a time. With the default `*` any site may call the API
 * with a token it holds itself (`Access-Control-Allow-Origin: *`, no credentials), never with the
 * visitor's. An origin that is not listed gets no CORS headers at all (not even `null`, which a
 * sandboxed iframe would match).
 */
export interface Cors {
  /** The answer to an OPTIONS preflight. */
  preflight(request: Request): Response;
  /** The response with the CORS headers this request's Origin may see. */
  apply(request: Request, response: Response): Response;
}

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
/** Response headers a browser script may read: the strict-mode device token (auth/ownership.ts). */
const EXPOSED_HEADERS = [DEVICE_TOKEN_HEADER, 'retry-after'].join(', ');
const MAX_AGE_SECONDS = '600';

export function createCors(allowedOrigins: readonly string[] | '*'): Cors {
  const listed = allowedOrigins === '*' ? null : new Set(allowedOrigins);

  function headersFor(request: Request, preflight: boolean): Record<string, string> | null {
    const origin = request.headers.get('origin');
    if (origin === null) return null;
    const headers: Record<string, string> = {};
    if (listed === null) headers['access-control-allow-origin'] = '*';
    else if (listed.has(origin)) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-credentials'] = 'true';
    } else return null;
    headers['access-control-expose-headers'] = EXPOSED_HEADERS;
    if (preflight) {
      headers['access-control-allow-methods'] = ALLOWED_METHODS;
      // Echoing the requested headers is safe: what matters is which origins get credentials.
      const requested = request.headers.get('access-control-request-headers');
      if (requested) headers['access-control-allow-headers'] = requested;
      headers['access-control-max-age'] = MAX_AGE_SECONDS;
    }
    return headers;
  }

  const vary = (h: Headers) => {
    const current = h.get('vary');
    if (listed !== null && !(current ?? '').toLowerCase().includes('origin'))
      h.set('vary', current ? `${current}, Origin` : 'Origin');
  };

  return {
    preflight(request) {
      const response = new Response(null, { status: 204, headers: { 'content-length': '0' } });
      for (const [k, v] of Object.entries(headersFor(request, true) ?? {})) response.headers.set(k, v);
      vary(response.headers);
      return response;
    },
    apply(request, response) {
      const headers = headersFor(request, false);
      let out = response;
      try {
        for (const [k, v] of Object.entries(headers ?? {})) out.headers.set(k, v);
        vary(out.headers);
      } catch {
        // Immutable headers (a Response.redirect or a fetched response): copy once.
        out = new Response(response.body, response);
        for (const [k, v] of Object.entries(headers ?? {})) out.headers.set(k, v);
        vary(out.headers);
      }
      return out;
    },
  };
}
