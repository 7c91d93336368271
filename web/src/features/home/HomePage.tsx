import { X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import type { HomeNodesQuery } from '../../gql/graphql';
import { useReconnected } from '../../lib/client-context';
import { ago, dateTime } from '../../lib/time';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { QueryError } from '../../ui/QueryError';

const HomeNodesQueryDoc = graphql(`
  query HomeNodes {
    nodes {
      id
      name
      version
      status
      health
      startedAt
      lastSeenAt
      downSince
      flaggedForRemoval
      removable
    }
    clusterSummary {
      flagAfterSeconds
      checkedAt
    }
    serverInfo {
      nodeId
    }
  }
`);

const HomeNodeChanged = graphql(`
  subscription HomeNodeChanged {
    nodeChanged {
      id
      change
    }
  }
`);

const RemoveNodeMutation = graphql(`
  mutation HomeRemoveNode($nodeId: Int!) {
    removeNode(nodeId: $nodeId) {
      __typename
      ... on MutationRemoveNodeSuccess {
        data {
          id
        }
      }
      ...ResultError
    }
  }
`);

/** The seed asks for a refresh at least every three minutes; the subscription makes it live in between. */
const POLL_MS = 60_000;

type NodeRow = HomeNodesQuery['nodes'][number];

export function HomePage() {
  const [result, refetch] = useQuery({ query: HomeNodesQueryDoc });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  // Any node change (from any instance) re-reads the list: the server's view is the truth.
  useSubscription({ query: HomeNodeChanged }, (_prev, event) => {
    reload();
    return event;
  });
  useReconnected(reload);
  useEffect(() => {
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  });
  // Re-render the "… ago" texts every 15 s.
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const [removing, setRemoving] = useState<NodeRow | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [removeState, removeNode] = useMutation(RemoveNodeMutation);

  async function confirmRemove() {
    if (!removing) return;
    const r = await removeNode({ nodeId: removing.id });
    if (r.error) return setRemoveError(r.error.message);
    const payload = r.data?.removeNode;
    if (payload && payload.__typename !== 'MutationRemoveNodeSuccess')
      return setRemoveError('message' in payload ? payload.message : 'Refused');
    setRemoving(null);
    reload();
  }

  const data = result.data;
  const flagMinutes = data ? Math.round(data.clusterSummary.flagAfterSeconds / 60) : 45;
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">Cluster nodes</h1>
      {result.error && <QueryError error={result.error} retry={reload} />}
      {!data && result.fetching && (
        <div className="nodes" role="status" aria-busy="true" aria-label="Loading nodes">
          <div className="skeleton" />
          <div className="skeleton" />
        </div>
      )}
      {data && data.nodes.length === 0 && <p className="empty">No node has joined the cluster yet.</p>}
      {data && data.nodes.length > 0 && (
        <>
          <p className="hint">
            {data.nodes.filter((n) => n.health === 'UP').length} up,{' '}
            {data.nodes.filter((n) => n.health === 'DOWN').length} down · checked{' '}
            {dateTime(data.clusterSummary.checkedAt)}
          </p>
          <ul
            className="nodes"
            aria-label="Nodes"
            aria-busy={result.stale || undefined}
            style={{ listStyle: 'none', padding: 0 }}
          >
            {data.nodes.map((node) => (
              <NodeItem
                key={node.id}
                node={node}
                now={now}
                answering={node.id === data.serverInfo.nodeId}
                flagMinutes={flagMinutes}
                onRemove={() => {
                  setRemoveError(null);
                  setRemoving(node);
                }}
              />
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove node ${removing?.name ?? ''}?`}
        confirmLabel="Remove node"
        busy={removeState.fetching}
        error={removeError}
        onConfirm={confirmRemove}
        onOpenChange={(open) => {
          if (!open) setRemoving(null);
        }}
      >
        <p>
          The node leaves the cluster list. A node that is still running is refused; a removed node that
          starts again rejoins by itself.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function NodeItem({
  node,
  now,
  answering,
  flagMinutes,
  onRemove,
}: {
  node: NodeRow;
  now: number;
  answering: boolean;
  flagMinutes: number;
  onRemove: () => void;
}) {
  const up = node.health === 'UP';
  return (
    <li className={`node ${up ? 'up' : 'down'}`} aria-label={`Node ${node.name}`}>
      <span className="bar" aria-hidden="true" />
      <div>
        <div className="row">
          <span className="name">{node.name}</span>
          <span className={`badge ${up ? 'up' : 'down'}`}>{up ? 'Up' : 'Down'}</span>
          {node.status === 'OFFLINE' && <span className="badge neutral">Offline</span>}
          {answering && <span className="badge neutral">This node</span>}
        </div>
        <div className="meta">
          <span>Node id {node.id}</span>
          <span>Version {node.version}</span>
          <span>
            Last heartbeat <time dateTime={node.lastSeenAt}>{ago(node.lastSeenAt, now)}</time>
          </span>
          <span>Started {dateTime(node.startedAt)}</span>
        </div>
        {node.flaggedForRemoval && (
          <p className="hint" role="note">
            Down for over {flagMinutes} minutes: if it is not coming back, remove it from the cluster with the
            X.
          </p>
        )}
      </div>
      <button
        type="button"
        className="icon"
        onClick={onRemove}
        aria-label={`Remove node ${node.name}`}
        title="Remove from the cluster"
      >
        <X size={20} aria-hidden="true" />
      </button>
    </li>
  );
}
