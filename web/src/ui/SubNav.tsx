import { Link } from '@tanstack/react-router';

/**
 * Sub-tabs: links (they change the URL), the open one marked aria-current. `search`: what the
 * links carry over (e.g. Reporting's range), none by default.
 */
export function SubNav({
  label,
  tabs,
  search,
}: {
  label: string;
  tabs: readonly { to: string; label: string }[];
  search?: Record<string, unknown>;
}) {
  return (
    <nav aria-label={label}>
      <ul className="subtabs">
        {tabs.map((t) => (
          <li key={t.to}>
            <Link to={t.to} search={search ?? {}} activeProps={{ 'aria-current': 'page' }}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
