import { createRootRoute, createRoute, createRouter, Navigate, Outlet } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { HomePage } from './features/home/HomePage';
import { LabLayout } from './features/lab/LabLayout';
import { Shell } from './Shell';

// GraphiQL and its editor are megabytes: loaded when the Lab's GraphiQL opens, not with the console.
const LabGraphiQL = lazy(() => import('./features/lab/LabGraphiQL'));

const rootRoute = createRootRoute({ component: Outlet });
const shellRoute = createRoute({ getParentRoute: () => rootRoute, id: 'shell', component: Shell });
const homeRoute = createRoute({ getParentRoute: () => shellRoute, path: '/', component: HomePage });
const labRoute = createRoute({ getParentRoute: () => shellRoute, path: '/lab', component: LabLayout });
const labIndexRoute = createRoute({
  getParentRoute: () => labRoute,
  path: '/',
  component: () => <Navigate to="/lab/graphiql" replace />,
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
  shellRoute.addChildren([homeRoute, labRoute.addChildren([labIndexRoute, labGraphiqlRoute])]),
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
