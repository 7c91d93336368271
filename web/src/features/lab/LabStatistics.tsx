import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { RoutingObjectType } from '../../gql/graphql';
import { dateTime } from '../../lib/time';
import { QueryError } from '../../ui/QueryError';

const OptionsQuery = graphql(`
  query LabStatisticsOptions {
    statServerMetrics
    statServerObjectTypes {
      name
      objectType
    }
    virtualQueues {
      name
    }
    routingAgents {
      id
      name
    }
    routingAgentGroups {
      name
    }
  }
`);

const ValueQuery = graphql(`
  query LabStatisticValue($objectId: String!, $objectType: RoutingObjectType!, $metric: String!) {
    routingStatistics(objectId: $objectId, objectType: $objectType) {
      __typename
      ... on QueryRoutingStatisticsSuccess {
        data {
          computedAt
          value: statServerValue(metric: $metric)
        }
      }
      ...ResultError
    }
  }
`);

/** Stat Server's spelling of the object types the seed lists. */
const TYPE_LABELS: Record<string, string> = {
  regdn: 'RegDN',
  agent: 'Agent',
  groupagents: 'GroupAgents',
  queue: 'Queue',
};
const REFRESH_MS = 5_000;

/** Lab → Statistics: the seed's Metric × Object Type pickers, the object, and its value, live. */
export function LabStatistics() {
  const [options, reloadOptions] = useQuery({ query: OptionsQuery });
  const [metric, setMetric] = useState('');
  const [typeName, setTypeName] = useState('');
  const [objectId, setObjectId] = useState('');
  const data = options.data;
  // A listbox shows its first option as selected when the value matches none (React selects it),
  // so an empty choice looked like CurrNumberWaitingCalls / Queue while the object stayed disabled,
  // and clicking the already-highlighted option changed nothing. Start from what is shown.
  const firstMetric = data?.statServerMetrics[0] ?? '';
  const firstType = data?.statServerObjectTypes[0]?.name ?? '';
  useEffect(() => {
    setMetric((m) => m || firstMetric);
    setTypeName((t) => t || firstType);
  }, [firstMetric, firstType]);
  const type = data?.statServerObjectTypes.find((t) => t.name === typeName)?.objectType as
    | RoutingObjectType
    | undefined;
  const objects =
    type === 'AGENT'
      ? (data?.routingAgents ?? []).map((a) => ({ id: a.id, label: `${a.name} (${a.id})` }))
      : type === 'AGENT_GROUP'
        ? (data?.routingAgentGroups ?? []).map((g) => ({ id: g.name, label: g.name }))
        : (data?.virtualQueues ?? []).map((q) => ({ id: q.name, label: q.name }));
  const ready = Boolean(metric && type && objectId);
  const [value, refetch] = useQuery({
    query: ValueQuery,
    variables: { objectId, objectType: type ?? 'VIRTUAL_QUEUE', metric },
    pause: !ready,
    requestPolicy: 'network-only',
  });
  useEffect(() => {
    if (!ready) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [ready, refetch]);
  const outcome = value.data?.routingStatistics;

  return (
    <section aria-labelledby="stats-title">
      <h2 id="stats-title">Statistics API</h2>
      {options.error && (
        <QueryError error={options.error} retry={() => reloadOptions({ requestPolicy: 'network-only' })} />
      )}
      <form className="panel toolbar" aria-label="Statistic" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="stat-metric">Metric</label>
          <select id="stat-metric" value={metric} onChange={(e) => setMetric(e.target.value)} size={8}>
            {(data?.statServerMetrics ?? []).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="stat-type">Object type</label>
          <select
            id="stat-type"
            value={typeName}
            onChange={(e) => {
              setTypeName(e.target.value);
              setObjectId('');
            }}
            size={5}
          >
            {(data?.statServerObjectTypes ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {TYPE_LABELS[t.name] ?? t.name}
              </option>
            ))}
          </select>
          <span className="hint">Place and GroupPlaces: this engine routes to agents, it has no places.</span>
        </div>
        <div className="field">
          <label htmlFor="stat-object">Object</label>
          <select
            id="stat-object"
            value={objectId}
            onChange={(e) => setObjectId(e.target.value)}
            disabled={!type}
          >
            <option value="">
              {type ? (objects.length ? 'Choose…' : 'None configured') : 'Pick an object type first'}
            </option>
            {objects.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div className="panel" aria-live="polite">
        {!ready && <p className="hint">Pick a metric, an object type and an object.</p>}
        {ready && outcome?.__typename === 'QueryRoutingStatisticsSuccess' && (
          <p>
            <span className="stat-label">
              {metric} of {TYPE_LABELS[typeName] ?? typeName} {objectId}:
            </span>{' '}
            <output className="stat-value" aria-label="Value">
              {outcome.data.value ?? 'n/a'}
            </output>{' '}
            <span className="hint">
              at {dateTime(outcome.data.computedAt)} (every {REFRESH_MS / 1000} s)
            </span>
          </p>
        )}
        {ready &&
          outcome &&
          outcome.__typename !== 'QueryRoutingStatisticsSuccess' &&
          'message' in outcome && <QueryError error={outcome.message} />}
        {value.error && <QueryError error={value.error} />}
      </div>
    </section>
  );
}
