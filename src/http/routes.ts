import { registerCallbackRoutes } from '../modules/callback/callback.rest.js';
import { CALLBACK_SESSION_REQUESTS } from '../modules/callback/callback.service-types.js';
import { CHAT_SESSION_REQUESTS } from '../modules/chat/chat.service-types.js';
import { registerNodeRoutes } from '../modules/node/node.rest.js';
import { registerOfficeHoursRoutes } from '../modules/office-hours/office-hours.rest.js';
import { registerPatternRoutes } from '../modules/pattern/pattern.rest.js';
import { registerPushRoutes } from '../modules/push/push.rest.js';
import { registerReportRoutes } from '../modules/report/report.http.js';
import { registerRoutingRoutes } from '../modules/routing/routing.rest.js';
import { registerSessionRoutes } from '../modules/sessions/sessions.rest.js';
import { COMMON_SESSION_REQUESTS } from '../modules/sessions/sessions.service-types.js';
import { registerStorageRoutes } from '../modules/storage/storage.rest.js';
import { errorResponse, HttpError, jsonResponse } from './http-errors.js';
import { openApiResponse } from './openapi.js';
import { RouteTable } from './route-table.js';

/** Where GET / points a client. */
const INDEX = {
  graphql: '/graphql',
  console: '/genesys/',
  legacy: '/genesys/1',
  openapi: '/genesys/1/openapi.json',
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
  reports: '/reports/{resources|services|callback}.{csv|xlsx|pdf}',
};

/** A GMS 404 for a path under a legacy prefix that no route serves (never the console's shell). */
const legacyNotFound = async (request: Request) =>
  errorResponse(new HttpError(404, 'http/not_found', `No such resource: ${new URL(request.url).pathname}`))
    .response;

/**
 * Every path the server answers, one registration per module or surface. Adding a legacy route:
 * `router.add(...)` in the module's `*.rest.ts` (see CONTRIBUTING.md); it then shows in the README's
 * route map (`npm run routes:print`) and, under `/genesys/1`, in `GET /genesys/1/openapi.json`.
 */
export function buildRouteTable(): RouteTable {
  const table = new RouteTable();
  // The per-session requests each module declares beside its registration (*.service-types.ts).
  const sessionRequests = [
    ...COMMON_SESSION_REQUESTS,
    ...CHAT_SESSION_REQUESTS,
    ...CALLBACK_SESSION_REQUESTS,
  ];
  table.group('Service API', (t) => registerSessionRoutes(t, sessionRequests));
  table.group('Storage API', registerStorageRoutes);
  table.group('Callback API', registerCallbackRoutes);
  table.group('Office hours', registerOfficeHoursRoutes);
  table.group('Notification API', registerPushRoutes);
  table.group('Pattern Matcher API', registerPatternRoutes);
  table.group('Statistics API', registerRoutingRoutes);
  table.group('Node', registerNodeRoutes);
  table.group('Legacy edge', (t) => {
    t.http('GET', '/genesys/1/openapi.json', async (request) => openApiResponse(table, request), {
      summary: 'This API as an OpenAPI 3.1 document (the console’s Lab → API reads it)',
    });
    t.node('/genesys/cometd/*path', 'CometD (Bayeux) push: long-polling and WebSocket');
    for (const prefix of ['/genesys/1/*path', '/genesys/2/*path'])
      t.http('*', prefix, legacyNotFound, { summary: 'Unknown legacy path: GMS 404', fallback: true });
  });
  table.group('Reports', registerReportRoutes);
  table.group('GraphQL', (t) => {
    t.http('*', '/graphql', (request, edge) => edge.graphql(request, '/graphql'), {
      summary: 'GraphQL over HTTP and SSE (WebSocket upgrade: graphql-ws); GraphiQL for a browser',
    });
    t.http('*', '/graphql/*path', (request, edge) => edge.graphql(request, new URL(request.url).pathname), {
      summary: 'GraphQL (yoga sub-paths)',
    });
  });
  table.group('Operations', (t) => {
    t.http('*', '/', async () => jsonResponse(INDEX), { summary: 'Where everything is' });
    t.http('*', '/healthz', async (_r, edge) => jsonResponse({ status: 'alive', node: edge.deps.node.id }), {
      summary: 'Liveness: the process answers',
    });
    t.http('*', '/readyz', (_r, edge) => edge.readiness(), {
      summary: 'Readiness: database reachable and node not OFFLINE (Redis down is degraded, still 200)',
    });
    t.http('*', '/metrics', (request, edge) => edge.metrics(request), {
      summary: 'Prometheus metrics (METRICS_TOKEN bearer, admin, or METRICS_PUBLIC)',
    });
  });
  table.group('Console', (t) => {
    t.http(
      '*',
      '/genesys/*path',
      (request, edge) => edge.console.handle(request, new URL(request.url).pathname),
      {
        summary: 'The Service Management console (static build; /genesys redirects to /genesys/)',
        fallback: true,
      },
    );
  });
  return table;
}
