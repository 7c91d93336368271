import './workers';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './graphiql-overrides.css';
import { useMemo } from 'react';

export interface GraphiQLPanelProps {
  /** HTTP endpoint, same origin (e.g. /graphql). */
  endpoint: string;
  defaultQuery?: string;
  /** JSON of headers shown in GraphiQL's headers pane and sent with every operation. */
  defaultHeaders?: string;
  /** Sent in graphql-ws `connection_init` (the console's bearer token). */
  connectionParams?: Record<string, unknown>;
  /** Headers every operation carries whatever the pane holds (the console's token). */
  headers?: Record<string, string>;
}

/** GraphiQL 5, bundled: queries and mutations over HTTP, subscriptions over graphql-ws on the same path. */
export function GraphiQLPanel({
  endpoint,
  defaultQuery,
  defaultHeaders,
  connectionParams,
  headers,
}: GraphiQLPanelProps) {
  const fetcher = useMemo(() => {
    const url = new URL(endpoint, window.location.href);
    const ws = new URL(url);
    ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return createGraphiQLFetcher({
      url: url.toString(),
      subscriptionUrl: ws.toString(),
      headers,
      wsConnectionParams: connectionParams,
    });
  }, [endpoint, headers, connectionParams]);
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={defaultQuery}
      defaultHeaders={defaultHeaders}
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    />
  );
}
