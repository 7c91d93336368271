import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isCommitOutcomeUnknown } from '../db/availability.js';
import { UnauthorizedError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { errorResponse, HttpError, jsonResponse } from './http-errors.js';
import { handleLegacy } from './legacy-request.js';
import type { Edge, RouteTable } from './route-table.js';

const plainError = (status: number, message: string, phrase: string, headers: Record<string, string> = {}) =>
  jsonResponse({ message, code: status, phrase }, status, headers);

/** Whether the request carries valid admin credentials (no credentials or bad ones: false). */
async function isAdmin(request: Request, edge: Edge): Promise<boolean> {
  if (!request.headers.get('authorization')) return false;
  try {
    return (await edge.authenticate(request)).kind === 'admin';
  } catch (err) {
    if (err instanceof UnauthorizedError) return false;
    throw err;
  }
}

/**
 * The one dispatcher of the HTTP edge: every request is matched against the route table.
 * - legacy routes: GMS request handling (admin check, NUL checks, ownership) and GMS error JSON;
 * - plain routes: the handler answers; an `admin` route answers 401 to anyone else;
 * - a path served with other methods: 405 with `Allow` (GMS JSON under `/genesys/`);
 * - no route: a plain 404.
 */
export function createDispatcher(
  table: RouteTable,
  edge: Edge,
  logger: Logger,
): (request: Request, pathname: string) => Promise<Response> {
  const legacyContext = { deps: edge.deps, managers: edge.managers };
  return async (request, pathname) => {
    const found = table.match(request.method, pathname);
    const legacyPath = pathname.startsWith('/genesys/');
    if (found === null) return plainError(404, `No such resource: ${pathname}`, 'Not Found');
    if (found === 'method') {
      const allow = table.methodsAt(pathname).join(', ');
      if (legacyPath) {
        const { response } = errorResponse(
          new HttpError(405, 'http/method_not_allowed', `Method ${request.method} not allowed`),
        );
        response.headers.set('allow', allow);
        return response;
      }
      return plainError(405, `Method ${request.method} not allowed`, 'Method Not Allowed', { allow });
    }
    const { route, params } = found;
    try {
      switch (route.kind) {
        case 'legacy':
          return await handleLegacy(route, params, request, legacyContext, () => edge.authenticate(request));
        case 'http':
          if (route.admin && !(await isAdmin(request, edge)))
            return plainError(401, 'This needs admin credentials', 'Unauthorized', {
              'www-authenticate': 'Basic realm="GMS"',
            });
          return await route.handler(request, edge, params);
        case 'node':
          // Served by the Node server before fetch (CometD); `app.fetch` has no socket to hand it.
          return errorResponse(new HttpError(404, 'http/not_found', `No such resource: ${pathname}`))
            .response;
      }
    } catch (err) {
      // The database went away under this request: close the gate now, not at the next probe.
      edge.deps.database.availability.observe(err);
      const { response, unexpected } = errorResponse(err);
      if (unexpected) logger.error('request failed', { method: request.method, path: pathname, err });
      // Answered 503 like any outage, but this one may have been done: worth an operator's eye.
      else if (isCommitOutcomeUnknown(err))
        logger.warn('commit outcome unknown', { method: request.method, path: pathname, err });
      return response;
    }
  };
}

/** Raw Node handling for `node` routes (CometD long-polling); false: hand the request to fetch. */
export function nodeRequest(
  table: RouteTable,
  edge: Edge,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const found = table.match(req.method ?? 'GET', path);
  if (!found || found === 'method' || found.route.kind !== 'node') return false;
  edge.cometd.handle(req, res);
  return true;
}

/** WebSocket upgrades: graphql-ws on /graphql, the `node` routes (CometD); anything else 404. */
export function upgradeRequest(
  table: RouteTable,
  edge: Edge,
  graphqlUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const found = path === '/graphql' ? null : table.match('GET', path);
  if (path === '/graphql') graphqlUpgrade(req, socket, head);
  else if (found && found !== 'method' && found.route.kind === 'node')
    edge.cometd.handleUpgrade(req, socket, head);
  else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}
