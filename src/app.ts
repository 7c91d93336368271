import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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
import { errorResponse, HttpError, jsonResponse } from './http/http-errors.js';
import { closeIfBodyUnread, connectionsCheckingInterval } from './http/keep-alive.js';
import { LegacyRouter } from './http/legacy-router.js';
import { registerLegacyRoutes } from './http/routes.js';
import { withSecurityHeaders } from './http/security-headers.js';
import { createManagers } from './managers.js';
import type { Managers } from './managers.types.js';
import { instrumentApp } from './metrics/app-metrics.js';
import { createMetricsEndpoint } from './metrics/metrics-endpoint.js';
import { COMETD_PATH, createCometd } from './modules/push/push.cometd.js';
import { createReportsEndpoint } from './modules/report/report.http.js';

export interface App {
  deps: Deps;
  managers: Managers;
  /** The whole HTTP surface as a fetch handler: tests call it with no network. */
  fetch(request: Request): Promise<Response>;
  /** Listens on a port; resolves with the base URL. */
  start(options?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, closes sockets. Does not close deps. */
  stop(): Promise<void>;
  /** Extra upgrade handlers (e.g. CometD) by path prefix. */
  upgradeHandlers: Map<string, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
  /** The `/genesys/...` routes (modules register theirs through http/routes.ts). */
  legacyRouter: LegacyRouter;
  /** Extra raw Node handlers (e.g. CometD long-polling) by path prefix; checked before fetch. */
  nodeHandlers: Map<string, (req: IncomingMessage, res: ServerResponse) => void>;
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
  const legacy = new LegacyRouter();
  registerLegacyRoutes(legacy);
  const httpMetrics = instrumentApp(deps, legacy, ws);
  const metricsEndpoint = createMetricsEndpoint(deps, authenticateRequest);
  const reportsEndpoint = createReportsEndpoint(deps, managers, authenticateRequest);
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

  const readiness = createReadiness(deps, managers);

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
    try {
      return await yoga.fetch(await withCappedBody(request, deps.config.limits.bodyBytes), {});
    } catch (err) {
      if (err instanceof HttpError)
        return jsonResponse(
          { errors: [{ message: err.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
          err.status,
        );
      throw err;
    }
  }

  async function route(request: Request, pathname: string): Promise<Response> {
    if (pathname === '/graphql' || pathname.startsWith('/graphql/'))
      return cors.apply(request, await graphqlRoute(request, pathname));
    if (pathname === '/healthz') return jsonResponse({ status: 'alive', node: deps.node.id });
    if (pathname === '/readyz') return readiness();
    if (pathname === '/metrics') return metricsEndpoint(request);
    if (
      pathname.startsWith('/reports/') ||
      pathname.startsWith('/genesys/1/') ||
      pathname.startsWith('/genesys/2/')
    ) {
      const down = databaseDown(pathname);
      if (down) return down;
    }
    if (pathname.startsWith('/reports/')) return reportsEndpoint(request, pathname);
    if (pathname === '/') {
      return jsonResponse({
        graphql: '/graphql',
        console: '/genesys/',
        legacy: '/genesys/1',
        health: '/healthz',
        ready: '/readyz',
        metrics: '/metrics',
        reports: '/reports/{resources|services|callback}.{csv|xlsx|pdf}',
      });
    }
    if (isConsolePath(pathname)) return consoleServer.handle(request, pathname);
    if (pathname.startsWith('/genesys/')) {
      try {
        const response = await legacy.handle(request, { deps, managers }, () => authenticateRequest(request));
        if (response) return response;
        return errorResponse(new HttpError(404, 'http/not_found', `No such resource: ${pathname}`)).response;
      } catch (err) {
        const { response, unexpected } = errorResponse(err);
        if (unexpected)
          logger.error('legacy request failed', { method: request.method, path: pathname, err });
        return response;
      }
    }
    return jsonResponse({ message: `No such resource: ${pathname}`, code: 404, phrase: 'Not Found' }, 404);
  }

  async function fetchWithLog(request: Request): Promise<Response> {
    const started = performance.now();
    const { pathname } = new URL(request.url);
    const observe = httpMetrics.start(request);
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

  const adapter = createServerAdapter(fetchWithLog);
  const upgradeHandlers = new Map<string, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>();
  const nodeHandlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const cometd = createCometd(deps, managers);
  nodeHandlers.set(COMETD_PATH, cometd.handle);
  upgradeHandlers.set(COMETD_PATH, cometd.handleUpgrade);
  let server: Server | null = null;

  const app: App = {
    deps,
    managers,
    fetch: fetchWithLog,
    legacyRouter: legacy,
    upgradeHandlers,
    nodeHandlers,
    start(options = {}) {
      const port = options.port ?? config.port;
      const host = options.host ?? config.host;
      server = createServer(
        // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval
        // (30 s by default), so HEADERS_TIMEOUT_MS=10000 cut a slow client off after 10-40 s.
        { connectionsCheckingInterval: connectionsCheckingInterval(config.limits.headersTimeoutMs) },
        (req, res) => {
          closeIfBodyUnread(req, res);
          const path = (req.url ?? '/').split('?')[0] ?? '/';
          for (const [prefix, handler] of nodeHandlers) if (path.startsWith(prefix)) return handler(req, res);
          void adapter(req, res);
        },
      );
      // Slow-body clients (slowloris) are cut off instead of holding sockets open.
      server.headersTimeout = config.limits.headersTimeoutMs;
      server.requestTimeout = config.limits.requestTimeoutMs;
      server.keepAliveTimeout = config.limits.keepAliveTimeoutMs;
      server.on('upgrade', (req, socket, head) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        if (path === '/graphql') return ws.handleUpgrade(req, socket, head);
        for (const [prefix, handler] of upgradeHandlers)
          if (path.startsWith(prefix)) return handler(req, socket, head);
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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
