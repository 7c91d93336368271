import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQLPanel } from './GraphiQLPanel';

/** The page at /graphql: its settings come inlined by the server (<script id="graphiql-settings">). */
interface Settings {
  endpoint: string;
  defaultQuery: string;
  headers: string;
}

function readSettings(): Settings {
  const text = document.getElementById('graphiql-settings')?.textContent;
  const parsed = text ? (JSON.parse(text) as Partial<Settings>) : {};
  return {
    endpoint: parsed.endpoint ?? '/graphql',
    defaultQuery: parsed.defaultQuery ?? '',
    headers: parsed.headers ?? '{}',
  };
}

const settings = readSettings();
// ?query= in the URL opens that document (yoga's GraphiQL did the same).
const fromUrl = new URLSearchParams(window.location.search).get('query');
// The preset headers also authenticate the WebSocket (subscriptions), in graphql-ws connection_init.
const wsParams = { headers: JSON.parse(settings.headers || '{}') as Record<string, string> };
const root = document.getElementById('graphiql');
if (root)
  createRoot(root).render(
    <StrictMode>
      <GraphiQLPanel
        endpoint={settings.endpoint}
        defaultQuery={fromUrl ?? settings.defaultQuery}
        defaultHeaders={settings.headers}
        connectionParams={wsParams}
      />
    </StrictMode>,
  );
