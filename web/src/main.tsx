import { RouterProvider } from '@tanstack/react-router';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { LoginPage } from './features/login/LoginPage';
import { ReconnectProvider } from './lib/client-context';
import { onSessionChange, readSession, type Session, writeSession } from './lib/session';
import { createConsoleClient } from './lib/urql';
import { router } from './router';
import './styles.css';

/** Signed out: the login screen at whatever URL was opened (it stays, so a reload after login lands there). */
function App() {
  const [session, setSession] = useState<Session | null>(readSession);
  useEffect(() => onSessionChange(setSession), []);
  const token = session?.token ?? null;
  const client = useMemo(
    () => (token ? createConsoleClient(token, () => writeSession(null)) : null),
    [token],
  );
  useEffect(() => () => client?.dispose(), [client]);
  if (!client) return <LoginPage />;
  return (
    <Provider value={client.client}>
      <ReconnectProvider value={client.onReconnected}>
        <RouterProvider router={router} />
      </ReconnectProvider>
    </Provider>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
