import { useMemo } from 'react';
import { GraphiQLPanel } from '../../graphiql/GraphiQLPanel';
import { readSession } from '../../lib/session';
import { LAB_EXAMPLES } from './examples';

/** GraphiQL inside the console (lazy chunk): the session's token goes with every operation. */
export default function LabGraphiQL() {
  const token = readSession()?.token ?? '';
  const headers = useMemo(() => ({ authorization: `Bearer ${token}` }), [token]);
  const connectionParams = useMemo(() => ({ authorization: `Bearer ${token}` }), [token]);
  return (
    <div className="graphiql-host">
      <GraphiQLPanel
        endpoint="/graphql"
        defaultQuery={LAB_EXAMPLES}
        headers={headers}
        connectionParams={connectionParams}
      />
    </div>
  );
}
