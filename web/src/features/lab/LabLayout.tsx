import { Link, Outlet } from '@tanstack/react-router';

export const LAB_TABS = [{ to: '/lab/graphiql', label: 'GraphiQL' }] as const;

export function LabLayout() {
  return (
    <section aria-labelledby="lab-title">
      <h1 id="lab-title">Lab</h1>
      <nav aria-label="Lab">
        <ul className="subtabs">
          {LAB_TABS.map((t) => (
            <li key={t.to}>
              <Link to={t.to} activeProps={{ 'aria-current': 'page' }}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </section>
  );
}
