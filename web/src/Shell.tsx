import { Link, Outlet } from '@tanstack/react-router';
import { LogOut } from 'lucide-react';
import { useMutation, useQuery } from 'urql';
import { graphql } from './gql';
import { readSession, writeSession } from './lib/session';
import { QueryError } from './ui/QueryError';

const ViewerQuery = graphql(`
  query ConsoleViewer {
    viewer {
      kind
      username
      defaultCredentials
    }
  }
`);

const LogoutMutation = graphql(`
  mutation ConsoleLogout($token: String!) {
    logout(token: $token)
  }
`);

/** The seed's tabs. Each is a link (the URL names the tab), marked aria-current when open. */
export const TABS = [
  { to: '/', label: 'Home', exact: true },
  { to: '/services', label: 'Services', exact: false },
  { to: '/callbacks', label: 'Callback Management', exact: false },
  { to: '/reporting', label: 'Reporting', exact: false },
  { to: '/tools', label: 'Tools', exact: false },
  { to: '/lab', label: 'Lab', exact: false },
] as const;

export function Shell() {
  const [viewer, refetchViewer] = useQuery({ query: ViewerQuery });
  const [, logout] = useMutation(LogoutMutation);
  const session = readSession();

  async function signOut() {
    if (session) await logout({ token: session.token });
    writeSession(null);
  }

  return (
    <>
      <header className="app-header">
        <span className="brand">GMS Engage</span>
        <nav aria-label="Main">
          <ul className="tabs">
            {TABS.map((t) => (
              <li key={t.to}>
                <Link to={t.to} activeOptions={{ exact: t.exact }} activeProps={{ 'aria-current': 'page' }}>
                  {t.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="spacer" />
        <span className="user">
          <span>
            <span className="visually-hidden">Signed in as </span>
            {viewer.data?.viewer.username ?? session?.username}
          </span>
          <button type="button" onClick={signOut}>
            <LogOut size={16} aria-hidden="true" /> Log out
          </button>
        </span>
      </header>
      <main>
        {viewer.error && (
          <QueryError error={viewer.error} retry={() => refetchViewer({ requestPolicy: 'network-only' })} />
        )}
        {viewer.data?.viewer.defaultCredentials && (
          <div className="banner warning" role="status">
            The default administrator credentials (default/password) are in use. Anyone who knows GMS can sign
            in: set ADMIN_USERNAME and ADMIN_PASSWORD on every node.
          </div>
        )}
        <Outlet />
      </main>
    </>
  );
}
