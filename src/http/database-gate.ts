import { DatabaseUnavailableError, RETRY_AFTER_SECONDS } from '../db/availability.js';
import type { Deps } from '../deps.js';
import { errorResponse, jsonResponse } from './http-errors.js';

/**
 * While the database is unreachable (db/availability.ts), a request that needs it is answered 503
 * with `Retry-After` at once — GMS's error shape on the legacy paths, a GraphQL error on /graphql —
 * instead of waiting for connection attempts that cannot succeed. Null: let it through.
 */
export function databaseGate(deps: Deps): (pathname: string) => Response | null {
  const availability = deps.database.availability;
  return (pathname) => {
    if (availability.up) return null;
    if (pathname === '/graphql' || pathname.startsWith('/graphql/'))
      return jsonResponse(
        {
          errors: [
            {
              message: new DatabaseUnavailableError().message,
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            },
          ],
        },
        503,
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    return errorResponse(new DatabaseUnavailableError()).response;
  };
}
