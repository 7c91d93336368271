import { useEffect, useMemo, useState } from 'react';
import { GraphiQLPanel } from '../../graphiql/GraphiQLPanel';
import { readSession } from '../../lib/session';
import { LAB_EXAMPLES } from './examples';

/**
 * Whether the server answers schema introspection: off in production unless INTROSPECTION=true.
 * Asked once before GraphiQL opens, so a server that refuses it gets a notice, not GraphiQL's raw
 * validation errors in the result pane.
 */
function useIntrospection(token: string): 'unknown' | 'on' | 'off' {
  const [state, setState] = useState<'unknown' | 'on' | 'off'>('unknown');
  useEffect(() => {
    let cancelled = false;
    fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    })
      .then((r) => r.json() as Promise<{ data?: unknown; errors?: { message: string }[] }>)
      .then((r) => {
        const refused = (r.errors ?? []).some((e) => /introspection/i.test(e.message));
        if (!cancelled) setState(refused ? 'off' : 'on');
      })
      // A network failure: let GraphiQL try (and show its own error).
      .catch(() => !cancelled && setState('on'));
    return () => {
      cancelled = true;
    };
  }, [token]);
  return state;
}

/** GraphiQL inside the console (lazy chunk): the session's token goes with every operation. */
export default function LabGraphiQL() {
  const token = readSession()?.token ?? '';
  const headers = useMemo(() => ({ authorization: `Bearer ${token}` }), [token]);
  const connectionParams = useMemo(() => ({ authorization: `Bearer ${token}` }), [token]);
  const introspection = useIntrospection(token);
  if (introspection === 'unknown') return <p aria-busy="true">Loading GraphiQL…</p>;
  return (
    <>
      {introspection === 'off' && (
        <div className="banner info" role="status">
          Schema introspection is turned off on this server (INTROSPECTION, off in production): operations
          run, but without completion, validation and the schema documentation.
        </div>
      )}
      <div className="graphiql-host">
        <GraphiQLPanel
          endpoint="/graphql"
          defaultQuery={LAB_EXAMPLES}
          headers={headers}
          connectionParams={connectionParams}
          schema={introspection === 'off' ? null : undefined}
        />
      </div>
    </>
  );
}
