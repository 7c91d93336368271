import { STATUS_CODES } from 'node:http';
import { Response as AdapterResponse } from '@whatwg-node/server';
import { isDatabaseUnreachable, RETRY_AFTER_SECONDS, unavailableErrorFor } from '../db/availability.js';
import { DomainError } from '../errors.js';
import { callbackErrorFields } from '../modules/callback/callback.legacy.js';

/** Status and GMS's `{ message, exception, code, phrase }` for transport-level failures. */
export class HttpError extends DomainError {
  override name = 'HttpError';
  constructor(status: number, code: string, message: string, exception = 'com.genesyslab.gsg.GSGException') {
    super(code, message, { status, exception });
  }
}

export const badRequest = (message: string, code = 'http/bad_request') => new HttpError(400, code, message);
export const payloadTooLarge = (message: string) =>
  new HttpError(413, 'http/payload_too_large', message, 'org.eclipse.jetty.http.BadMessageException');
export const unsupportedMediaType = (message: string) =>
  new HttpError(415, 'http/unsupported_media_type', message, 'org.eclipse.jetty.http.BadMessageException');

export interface LegacyErrorBody {
  message: string;
  exception: string;
  code: number;
  phrase: string;
  [extra: string]: unknown;
}

export function legacyErrorBody(status: number, message: string, exception: string): LegacyErrorBody {
  return { message, exception, code: status, phrase: STATUS_CODES[status] ?? 'Error' };
}

/**
 * The no-cache headers of every response in the seed's captures (Jetty's set): `Cache-Control:
 * no-cache` + `no-store` (one header here), `Pragma: no-cache` and `Expires` in the past, for
 * HTTP/1.0 caches and clients that read only those.
 */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-cache, no-store',
  pragma: 'no-cache',
  expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
};

/**
 * The legacy JSON answer. Built with the server adapter's Response (@whatwg-node's), which knows
 * its text: the adapter writes it with a Content-Length in one go. Node's own Response made it
 * read the body back through a WHATWG stream and send it chunked (issue 18).
 */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new AdapterResponse(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json;charset=UTF-8',
      ...NO_CACHE_HEADERS,
      ...headers,
    },
  });
}

export function textResponse(body: string, status = 200): Response {
  return new AdapterResponse(body, { status, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
}

/**
 * The extra keys a few GMS error bodies carry, built by the owning module's presenter from the
 * error's typed data (managers never shape the wire JSON). Only callback errors have any today.
 */
function legacyErrorFields(err: DomainError): Record<string, unknown> {
  return callbackErrorFields(err);
}

/** Maps any thrown value to the legacy JSON error; unexpected errors are masked and logged by the caller. */
export function errorResponse(err: unknown): { response: Response; unexpected: boolean } {
  // The database went away under a request: not a bug, a 503 to retry (db/availability.ts).
  if (!(err instanceof DomainError) && isDatabaseUnreachable(err)) err = unavailableErrorFor(err);
  if (err instanceof DomainError) {
    const body = { ...legacyErrorBody(err.status, err.message, err.exception), ...legacyErrorFields(err) };
    const headers: Record<string, string> =
      err.status === 401
        ? { 'www-authenticate': 'Basic realm="GMS", charset="UTF-8"' }
        : err.status === 503
          ? { 'retry-after': String(RETRY_AFTER_SECONDS) }
          : {};
    return { response: jsonResponse(body, err.status, headers), unexpected: false };
  }
  return {
    response: jsonResponse(
      legacyErrorBody(500, 'Internal server error', 'com.genesyslab.gsg.GSGException'),
      500,
    ),
    unexpected: true,
  };
}
