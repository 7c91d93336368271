import {
  createRootRoute,
  createRoute,
  createRouter,
  Navigate,
  notFound,
  Outlet,
} from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { CallbacksPage, callbackSearch } from './features/callbacks/CallbacksPage';
import { HomePage } from './features/home/HomePage';
import { LabApi, labApiSearch } from './features/lab/LabApi';
import { LabLayout } from './features/lab/LabLayout';
import { LabStatistics } from './features/lab/LabStatistics';
import { REPORTS, reportSearch } from './features/reporting/search';
import { ServicesPage, servicesSearch } from './features/services/ServicesPage';
import { PatternsPage } from './features/tools/PatternsPage';
import { ResourcesPage } from './features/tools/ResourcesPage';
import { TemplatesPage } from './features/tools/TemplatesPage';
import { ToolsLayout } from './features/tools/ToolsLayout';
import { Shell } from './Shell';

// GraphiQL and its editor are megabytes: loaded when the Lab's GraphiQL opens, not with the console.
const LabGraphiQL = lazy(() => import('./features/lab/LabGraphiQL'));
// ECharts and the exports: loaded when Reporting opens.
const ReportingPage = lazy(() => import('./features/reporting/ReportingPage'));

/** `?group=` of the Tools pages: the open group is in the URL (no default, so URLs stay clean). */
const groupSearch = (search: Record<string, unknown>): { group?: string } =>
  typeof search.group === 'string' && search.group !== '' ? { group: search.group } : {};

const rootRoute = createRootRoute({ component: Outlet });
const shellRoute = createRoute({ getParentRoute: () => rootRoute, id: 'shell', component: Shell });
const homeRoute = createRoute({ getParentRoute: () => shellRoute, path: '/', component: HomePage });
const servicesRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: '/services',
  validateSearch: servicesSearch,
  component: ServicesPage,
});

const callbacksRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: '/callbacks',
  validateSearch: callbackSearch,
  component: CallbacksPage,
});

const reportingRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: '/reporting',
  component: Outlet,
});
const reportingIndexRoute = createRoute({
  getParentRoute: () => reportingRoute,
  path: '/',
  component: () => <Navigate to="/reporting/$report" params={{ report: 'resources' }} replace />,
});
const reportRoute = createRoute({
  getParentRoute: () => reportingRoute,
  path: '/$report',
  validateSearch: reportSearch,
  beforeLoad: ({ params }) => {
    if (!(REPORTS as readonly string[]).includes(params.report)) throw notFound();
  },
  component: () => (
    <Suspense fallback={<p aria-busy="true">Loading the report…</p>}>
      <ReportingPage />
    </Suspense>
  ),
});

const toolsRoute = createRoute({ getParentRoute: () => shellRoute, path: '/tools', component: ToolsLayout });
const toolsIndexRoute = createRoute({
  getParentRoute: () => toolsRoute,
  path: '/',
  component: () => <Navigate to="/tools/patterns" replace />,
});
const patternsRoute = createRoute({
  getParentRoute: () => toolsRoute,
  path: '/patterns',
  validateSearch: groupSearch,
  component: PatternsPage,
});
const resourcesRoute = createRoute({
  getParentRoute: () => toolsRoute,
  path: '/resource-groups',
  validateSearch: groupSearch,
  component: ResourcesPage,
});

const templatesRoute = createRoute({
  getParentRoute: () => toolsRoute,
  path: '/service-templates',
  component: TemplatesPage,
});

const labRoute = createRoute({ getParentRoute: () => shellRoute, path: '/lab', component: LabLayout });
const labIndexRoute = createRoute({
  getParentRoute: () => labRoute,
  path: '/',
  component: () => <Navigate to="/lab/statistics" replace />,
});
const labApiRoute = createRoute({
  getParentRoute: () => labRoute,
  path: '/api',
  validateSearch: labApiSearch,
  component: LabApi,
});
const labStatisticsRoute = createRoute({
  getParentRoute: () => labRoute,
  path: '/statistics',
  component: LabStatistics,
});
const labGraphiqlRoute = createRoute({
  getParentRoute: () => labRoute,
  path: '/graphiql',
  component: () => (
    <Suspense fallback={<p aria-busy="true">Loading GraphiQL…</p>}>
      <LabGraphiQL />
    </Suspense>
  ),
});

const routeTree = rootRoute.addChildren([
  shellRoute.addChildren([
    homeRoute,
    servicesRoute,
    callbacksRoute,
    reportingRoute.addChildren([reportingIndexRoute, reportRoute]),
    toolsRoute.addChildren([toolsIndexRoute, patternsRoute, resourcesRoute, templatesRoute]),
    labRoute.addChildren([labIndexRoute, labStatisticsRoute, labGraphiqlRoute, labApiRoute]),
  ]),
]);

export const router = createRouter({
  routeTree,
  basepath: '/genesys',
  defaultNotFoundComponent: () => (
    <div className="empty" role="alert">
      There is no such page in the console.
    </div>
  ),
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
