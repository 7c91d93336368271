import { type FormEvent, useState } from 'react';
import { readSession } from '../../lib/session';
import { bodyMedia, dataType, fillPath, type Operation, parsePairs } from './openapi';

interface Exchange {
  request: { method: string; url: string; headers: [string, string][]; body: string };
  response: {
    status: number;
    statusText: string;
    headers: [string, string][];
    body: string;
    ms: number;
  } | null;
  error: string | null;
}

const pretty = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

/** One operation: the seed's Parameter / Value / Description / Data Type table and "Try it out!". */
export function OperationPanel({
  operation: op,
  initiallyOpen,
  onOpenChange,
}: {
  operation: Operation;
  initiallyOpen: boolean;
  /** The admin opened or closed it (not called for the initial state). */
  onOpenChange?: (open: boolean) => void;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const media = bodyMedia(op);
  const bodySchema = media ? op.requestBody?.content[media]?.schema : undefined;
  const bodyFields = Object.entries(bodySchema?.properties ?? {});
  const freeParams = Boolean(bodySchema?.additionalProperties);
  const admin = (op.security ?? []).length > 0;
  const [values, setValues] = useState<Record<string, string>>({});
  const [files, setFiles] = useState<Record<string, File | null>>({});
  const [extra, setExtra] = useState('');
  const [gmsUser, setGmsUser] = useState('');
  const [sendToken, setSendToken] = useState(admin);
  const [exchange, setExchange] = useState<Exchange | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `${op.key}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');

  async function tryIt(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const params = op.parameters ?? [];
    const query = new URLSearchParams();
    for (const p of params) if (p.in === 'query' && values[p.name]) query.set(p.name, values[p.name] ?? '');
    const url = `${fillPath(op.path, values)}${query.size ? `?${query}` : ''}`;
    const headers: [string, string][] = [];
    for (const p of params)
      if (p.in === 'header' && values[p.name]) headers.push([p.name, values[p.name] ?? '']);
    if (gmsUser) headers.push(['gms_user', gmsUser]);
    const token = readSession()?.token;
    if (sendToken && token) headers.push(['authorization', `Bearer ${token}`]);
    const pairs: [string, string][] = [
      ...bodyFields
        .filter(([name]) => values[name])
        .map(([name]) => [name, values[name] ?? ''] as [string, string]),
      ...(freeParams ? parsePairs(extra) : []),
    ];
    let body: BodyInit | undefined;
    let shownBody = '';
    if (media === 'multipart/form-data') {
      const form = new FormData();
      for (const [k, v] of pairs) form.append(k, v);
      for (const [k, f] of Object.entries(files)) if (f) form.append(k, f, f.name);
      body = form;
      shownBody = [
        ...pairs.map(([k, v]) => `${k}=${v}`),
        ...Object.entries(files)
          .filter(([, f]) => f)
          .map(([k, f]) => `${k}=@${f?.name}`),
      ].join('\n');
    } else if (media === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(pairs);
      body = form;
      shownBody = form.toString();
      headers.push(['content-type', media]);
    } else if (media === 'application/json') {
      shownBody = JSON.stringify(Object.fromEntries(pairs), null, 2);
      body = shownBody;
      headers.push(['content-type', media]);
    }
    const request = { method: op.method, url, headers, body: shownBody };
    const started = performance.now();
    try {
      const r = await fetch(url, {
        method: op.method,
        headers,
        body: op.method === 'GET' || op.method === 'HEAD' ? undefined : body,
      });
      const text = await r.text();
      setExchange({
        request,
        response: {
          status: r.status,
          statusText: r.statusText,
          headers: [...r.headers],
          body: text,
          ms: Math.round(performance.now() - started),
        },
        error: null,
      });
    } catch (err) {
      setExchange({ request, response: null, error: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  const label = `${op.method} ${op.path}`;
  return (
    <details
      className="operation"
      open={open}
      onToggle={(e) => {
        const next = (e.target as HTMLDetailsElement).open;
        if (next === open) return;
        setOpen(next);
        onOpenChange?.(next);
      }}
    >
      <summary>
        <span className={`method method-${op.method.toLowerCase()}`}>{op.method}</span> <code>{op.path}</code>{' '}
        <span className="hint">{op.summary}</span>
      </summary>
      {open && (
        <form onSubmit={tryIt} aria-label={label}>
          {op.description && (
            <>
              <h4>Implementation notes</h4>
              <p>{op.description}</p>
            </>
          )}
          <table className="data">
            <caption className="visually-hidden">Parameters of {label}</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
                <th scope="col">Description</th>
                <th scope="col">Data type</th>
              </tr>
            </thead>
            <tbody>
              {(op.parameters ?? []).map((p) => (
                <tr key={`${p.in}-${p.name}`}>
                  <th scope="row" style={{ fontWeight: 500 }}>
                    <label htmlFor={id(p.name)}>{p.name}</label>
                    {p.required && <span className="hint"> (required)</span>}
                    <div className="hint">{p.in}</div>
                  </th>
                  <td>
                    <input
                      id={id(p.name)}
                      value={values[p.name] ?? ''}
                      required={p.required}
                      placeholder={p.schema?.examples?.[0] != null ? String(p.schema.examples[0]) : undefined}
                      onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))}
                    />
                  </td>
                  <td>{p.description}</td>
                  <td>{dataType(p.schema)}</td>
                </tr>
              ))}
              {bodyFields.map(([name, schema]) => (
                <tr key={`body-${name}`}>
                  <th scope="row" style={{ fontWeight: 500 }}>
                    <label htmlFor={id(name)}>{name}</label>
                    {bodySchema?.required?.includes(name) && <span className="hint"> (required)</span>}
                    <div className="hint">body</div>
                  </th>
                  <td>
                    {schema.contentMediaType ? (
                      <input
                        id={id(name)}
                        type="file"
                        onChange={(e) => setFiles((f) => ({ ...f, [name]: e.target.files?.[0] ?? null }))}
                      />
                    ) : (
                      <input
                        id={id(name)}
                        value={values[name] ?? ''}
                        onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
                      />
                    )}
                  </td>
                  <td>{schema.description}</td>
                  <td>{dataType(schema)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="toolbar" style={{ marginTop: '0.5rem' }}>
            {freeParams && (
              <div className="field" style={{ flex: 1 }}>
                <label htmlFor={id('extra')}>More parameters (key=value, one per line)</label>
                <textarea
                  id={id('extra')}
                  rows={3}
                  value={extra}
                  onChange={(e) => setExtra(e.target.value)}
                />
                {typeof bodySchema?.additionalProperties === 'object' || bodySchema?.description ? (
                  <span className="hint">{bodySchema?.description}</span>
                ) : null}
              </div>
            )}
            <div className="field">
              <label htmlFor={id('gms_user')}>gms_user header</label>
              <input id={id('gms_user')} value={gmsUser} onChange={(e) => setGmsUser(e.target.value)} />
            </div>
            <label className="row" style={{ fontWeight: 400, marginBottom: '0.4rem' }}>
              <input type="checkbox" checked={sendToken} onChange={(e) => setSendToken(e.target.checked)} />{' '}
              Send my admin token
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Sending…' : 'Try it out!'}
            </button>
          </div>
          {exchange && <ExchangeView exchange={exchange} />}
        </form>
      )}
    </details>
  );
}

function ExchangeView({ exchange }: { exchange: Exchange }) {
  const { request, response, error } = exchange;
  const headerText = (h: [string, string][]) =>
    h.map(([k, v]) => `${k}: ${k.toLowerCase() === 'authorization' ? `${v.slice(0, 14)}…` : v}`).join('\n');
  return (
    <div className="exchange" aria-live="polite">
      <h4>Request URL</h4>
      <pre>
        {request.method} {new URL(request.url, window.location.href).toString()}
      </pre>
      <h4>Request headers</h4>
      <pre>{headerText(request.headers) || '(none)'}</pre>
      {request.body && (
        <>
          <h4>Request body</h4>
          <pre>{request.body}</pre>
        </>
      )}
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {response && (
        <>
          <h4>Response code</h4>
          <pre>
            <output aria-label="Response code">
              {response.status} {response.statusText} ({response.ms} ms)
            </output>
          </pre>
          <h4>Response headers</h4>
          <pre>{headerText(response.headers)}</pre>
          <h4>Response body</h4>
          <pre>
            <output aria-label="Response body">{pretty(response.body) || '(empty)'}</output>
          </pre>
          <details>
            <summary>Raw</summary>
            <pre>
              <output aria-label="Raw exchange">
                {`${request.method} ${request.url}\n${headerText(request.headers)}\n\n${request.body}\n\nHTTP ${response.status} ${response.statusText}\n${headerText(response.headers)}\n\n${response.body}`}
              </output>
            </pre>
          </details>
        </>
      )}
    </div>
  );
}
