import { Outlet } from '@tanstack/react-router';
import { SubNav } from '../../ui/SubNav';

export const LAB_TABS = [
  { to: '/lab/statistics', label: 'Statistics' },
  { to: '/lab/graphiql', label: 'GraphiQL' },
  { to: '/lab/api', label: 'API' },
] as const;

export function LabLayout() {
  return (
    <section aria-labelledby="lab-title">
      <h1 id="lab-title">Lab</h1>
      <SubNav label="Lab" tabs={LAB_TABS} />
      <Outlet />
    </section>
  );
}
