import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { QueryError } from '../../ui/QueryError';
import { OperationPanel } from './OperationPanel';
import { type OpenApiDocument, operationsByTag } from './openapi';

export const OPENAPI_URL = '/genesys/1/openapi.json';

/** `?op=<method> <path>`: the operation open (one at a time in the URL), so a reload keeps it. */
export const labApiSearch = (s: Record<string, unknown>): { op?: string } =>
  typeof s.op === 'string' && s.op ? { op: s.op } : {};

/**
 * Lab → API: a try-it for the legacy REST API, generated from the server's own OpenAPI document
 * (built from its route table): every route with its parameters, "Try it out!", the request and the
 * response (headers and body), and the raw document.
 */
export function LabApi() {
  const [doc, setDoc] = useState<OpenApiDocument | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [openTags, setOpenTags] = useState<Set<string>>(new Set());
  const [expandAll, setExpandAll] = useState<{ value: boolean; version: number }>({
    value: false,
    version: 0,
  });
  const [raw, setRaw] = useState(false);
  const { op: openOp } = useSearch({ from: '/shell/lab/api' });
  const navigate = useNavigate({ from: '/lab/api' });
  const setOpenOp = (op: string | undefined) => void navigate({ search: op ? { op } : {}, replace: true });

  // The operation in the URL opens with its tag once the document is read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the document arrives
  useEffect(() => {
    const tag =
      doc && openOp && operationsByTag(doc).find(([, ops]) => ops.some((o) => o.key === openOp))?.[0];
    if (tag) setOpenTags((s) => new Set([...s, tag]));
  }, [doc]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the Retry button's trigger
  useEffect(() => {
    let cancelled = false;
    setError(null);
    fetch(OPENAPI_URL, { headers: { accept: 'application/json' } })
      .then(async (r) => {
        if (!r.ok)
          throw new Error(
            `GET ${OPENAPI_URL} answered ${r.status}: this server does not describe its REST API`,
          );
        return (await r.json()) as OpenApiDocument;
      })
      .then((d) => !cancelled && setDoc(d))
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  if (error) return <QueryError error={error} retry={() => setAttempt((n) => n + 1)} />;
  if (!doc)
    return (
      <p role="status" aria-busy="true">
        Loading the API description…
      </p>
    );
  const groups = operationsByTag(doc);
  const toggleTag = (tag: string, open: boolean) =>
    setOpenTags((s) => {
      const next = new Set(s);
      if (open) next.add(tag);
      else next.delete(tag);
      return next;
    });

  return (
    <section aria-labelledby="api-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="api-title">
          {doc.info.title} <span className="hint">{doc.info.version}</span>
        </h2>
        <div className="row">
          <button type="button" onClick={() => setOpenTags(new Set(groups.map(([t]) => t)))}>
            Show all
          </button>
          <button
            type="button"
            onClick={() => {
              setOpenTags(new Set(groups.map(([t]) => t)));
              setExpandAll((e) => ({ value: false, version: e.version + 1 }));
            }}
          >
            List operations
          </button>
          <button
            type="button"
            onClick={() => {
              setOpenTags(new Set(groups.map(([t]) => t)));
              setExpandAll((e) => ({ value: true, version: e.version + 1 }));
            }}
          >
            Expand operations
          </button>
          <button type="button" aria-pressed={raw} onClick={() => setRaw((r) => !r)}>
            Raw
          </button>
        </div>
      </div>
      {doc.info.description && <p className="hint">{doc.info.description}</p>}
      {raw && (
        <pre className="raw">
          <output aria-label="The OpenAPI document">{JSON.stringify(doc, null, 2)}</output>
        </pre>
      )}
      {groups.map(([tag, ops]) => (
        <details
          key={tag}
          className="panel api-tag"
          open={openTags.has(tag)}
          onToggle={(e) => toggleTag(tag, (e.target as HTMLDetailsElement).open)}
        >
          <summary>
            <h3 style={{ display: 'inline' }}>{tag}</h3>{' '}
            <span className="hint">({ops.length} operations) Show/Hide</span>
          </summary>
          {openTags.has(tag) &&
            ops.map((op) => (
              <OperationPanel
                key={`${op.key}-${expandAll.version}`}
                operation={op}
                initiallyOpen={expandAll.value || op.key === openOp}
                onOpenChange={(open) => {
                  if (open) setOpenOp(op.key);
                  else if (op.key === openOp) setOpenOp(undefined);
                }}
              />
            ))}
        </details>
      ))}
    </section>
  );
}
