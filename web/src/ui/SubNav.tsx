import { Link } from '@tanstack/react-router';

/** Sub-tabs: links (they change the URL), the open one marked aria-current. */
export function SubNav({ label, tabs }: { label: string; tabs: readonly { to: string; label: string }[] }) {
  return (
    <nav aria-label={label}>
      <ul className="subtabs">
        {tabs.map((t) => (
          <li key={t.to}>
            <Link to={t.to} activeProps={{ 'aria-current': 'page' }}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
