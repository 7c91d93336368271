import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import { DEVICE_TOKEN_HEADER } from './auth/ownership.js';
import type { Viewer } from './auth/viewer.js';
import type { Deps } from './deps.js';
import { createGraphQLWebSocket } from './graphql/websocket.js';
import { adminHeadersForGraphiQL, createGraphQLServer, graphiqlExample } from './graphql/yoga.js';
import { createReadiness } from './health/readiness.js';
import { withCappedBody } from './http/body.js';
import { CONSOLE_CSP, createConsoleServer, isConsolePath } from './http/console.js';
import { createCors } from './http/cors.js';
import { csrfRefusal } from './http/csrf.js';
import { databaseGate } from './http/database-gate.js';
import { createDispatcher, nodeRequest, upgradeRequest } from './http/dispatch.js';
import { HttpError, jsonResponse } from './http/http-errors.js';
import { closeIfBodyUnread, connectionsCheckingInterval } from './http/keep-alive.js';
import { attachNodeBody } from './http/node-body.js';
import type { Edge, RouteTable } from './http/route-table.js';
import { buildRouteTable } from './http/routes.js';
import { withSecurityHeaders } from './http/security-headers.js';
import { ReasonPhraseResponse } from './http/status-line.js';
import { createManagers } from './managers.js';
import type { Managers } from './managers.types.js';
import { instrumentApp } from './metrics/app-metrics.js';
import { createMetricsEndpoint } from './metrics/metrics-endpoint.js';
import { lazyCometd } from './modules/push/push.cometd-lazy.js';

export interface App {
  deps: Deps;
  managers: Managers;
  /** The whole HTTP surface as a fetch handler: tests call it with no network. */
  fetch(request: Request): Promise<Response>;
  /** Listens on a port; resolves with the base URL. */
  start(options?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, closes sockets. Does not close deps. */
  stop(): Promise<void>;
  /** Every path the server answers (http/routes.ts): the dispatcher, route map and OpenAPI read it. */
  routes: RouteTable;
}

export async function buildApp(deps: Deps, managers: Managers = createManagers(deps)): Promise<App> {
  const { config, logger } = deps;
  const authenticateRequest = (request: Request): Promise<Viewer> =>
    managers.auth.authenticate({
      authorization: request.headers.get('authorization'),
      gmsUser: request.headers.get('gms_user'),
      deviceToken: request.headers.get(DEVICE_TOKEN_HEADER),
    });
  const yoga = createGraphQLServer(deps, managers, authenticateRequest);
  const ws = createGraphQLWebSocket(deps, yoga, (c) => managers.auth.authenticate(c));
  const routes = buildRouteTable();
  const httpMetrics = instrumentApp(deps, routes, ws);
  const consoleServer = createConsoleServer(config.consoleDir);
  const cors = createCors(config.allowedOrigins);

  /** GraphiQL for a browser at /graphql: the console's bundled build, so it works with no internet. */
  async function graphiql(request: Request): Promise<Response | null> {
    if (!config.graphql.graphiql || request.method !== 'GET') return null;
    if (!(request.headers.get('accept') ?? '').includes('text/html')) return null;
    const html = await consoleServer.graphiqlPage({
      endpoint: '/graphql',
      defaultQuery: graphiqlExample,
      headers: adminHeadersForGraphiQL(config),
    });
    if (html === null) return null;
    return new Response(html, {
      headers: {
        'content-type': 'text/html;charset=UTF-8',
        'cache-control': 'no-cache',
        'content-security-policy': CONSOLE_CSP,
      },
    });
  }

  const databaseDown = databaseGate(deps);

  async function graphqlRoute(request: Request, pathname: string): Promise<Response> {
    if (request.method === 'OPTIONS') return cors.preflight(request);
    const down = databaseDown(pathname);
    if (down) return down;
    if (pathname === '/graphql') {
      const page = await graphiql(request);
      if (page) return page;
    }
    const refused = csrfRefusal(request);
    if (refused) return refused;
    // The viewer before yoga parses and validates (introspection is an admin's in production:
    // yoga.ts). A failure is left to yoga's context, which authenticates again and answers it.
    const viewer = await authenticateRequest(request).catch(() => undefined);
    try {
      return await yoga.fetch(
        await withCappedBody(request, deps.config.limits.bodyBytes),
        viewer ? { viewer } : {},
      );
    } catch (err) {
      if (err instanceof HttpError)
        return jsonResponse(
          { errors: [{ message: err.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
          err.status,
        );
      throw err;
    }
  }

  const cometd = lazyCometd(deps, managers);
  const edge: Edge = {
    deps,
    managers,
    authenticate: authenticateRequest,
    async graphql(request, pathname) {
      return cors.apply(request, await graphqlRoute(request, pathname));
    },
    console: consoleServer,
    readiness: createReadiness(deps, managers),
    metrics: createMetricsEndpoint(deps, authenticateRequest),
    cometd,
  };
  const dispatch = createDispatcher(routes, edge, logger);

  async function route(request: Request, pathname: string): Promise<Response> {
    // Paths that need the database answer 503 at once while it is known down (see database-gate.ts).
    if (
      pathname.startsWith('/reports/') ||
      pathname.startsWith('/genesys/1/') ||
      pathname.startsWith('/genesys/2/')
    ) {
      const down = databaseDown(pathname);
      if (down) return down;
    }
    return dispatch(request, pathname);
  }

  /** `nodeRequest`: the Node request the server adapter made `request` from (its body is read there). */
  async function fetchWithLog(request: Request, nodeRequest?: IncomingMessage): Promise<Response> {
    const started = performance.now();
    if (nodeRequest && request.method !== 'GET' && request.method !== 'HEAD')
      attachNodeBody(request, nodeRequest);
    const { pathname } = new URL(request.url);
    const observe = httpMetrics.start(request.method, pathname);
    let status = 500;
    try {
      const response = withSecurityHeaders(await route(request, pathname), isConsolePath(pathname));
      status = response.status;
      return response;
    } finally {
      observe(status);
      // One line per request; never bodies, headers or credentials.
      logger.info('request', {
        method: request.method,
        path: pathname,
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  }

  const adapter = createServerAdapter<{ req?: IncomingMessage }>((request, server) =>
    fetchWithLog(request, server.req),
  );
  let server: Server | null = null;

  const app: App = {
    deps,
    managers,
    fetch: (request) => fetchWithLog(request),
    routes,
    start(options = {}) {
      const port = options.port ?? config.port;
      const host = options.host ?? config.host;
      server = createServer(
        // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval
        // (30 s by default), so HEADERS_TIMEOUT_MS=10000 cut a slow client off after 10-40 s.
        {
          connectionsCheckingInterval: connectionsCheckingInterval(config.limits.headersTimeoutMs),
          ServerResponse: ReasonPhraseResponse,
        },
        (req, res) => {
          closeIfBodyUnread(req, res);
          if (!nodeRequest(routes, edge, req, res)) void adapter(req, res);
        },
      );
      // Slow-body clients (slowloris) are cut off instead of holding sockets open.
      server.headersTimeout = config.limits.headersTimeoutMs;
      server.requestTimeout = config.limits.requestTimeoutMs;
      server.keepAliveTimeout = config.limits.keepAliveTimeoutMs;
      server.on('upgrade', (req, socket, head) => {
        // An upgraded socket is no longer the HTTP server's: without a listener, a client resetting
        // it (ECONNRESET) while it is being refused or handed over is an uncaught 'error' that ends
        // the process (the fault drill hit it).
        socket.on('error', (err) => logger.debug('upgrade socket error', { err }));
        upgradeRequest(routes, edge, (r, s, h) => ws.handleUpgrade(r, s, h), req, socket, head);
      });
      const s = server;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          const address = s.address();
          const actual = typeof address === 'object' && address ? address.port : port;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve({ url: `http://${shownHost}:${actual}`, port: actual });
        });
      });
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = null;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      await ws.close();
      await cometd.close();
      const grace = setTimeout(() => s.closeAllConnections(), config.limits.shutdownGraceMs);
      grace.unref();
      await closed;
      clearTimeout(grace);
    },
  };
  return app;
}
