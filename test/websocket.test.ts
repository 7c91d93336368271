import { type Client, createClient } from 'graphql-ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { subscriptionReady } from './async-iter.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

const NODE_SUB = 'subscription { nodeChanged { id status name } }';

interface Running {
  t: TestApp;
  url: string;
  wsUrl: string;
}
const running: Running[] = [];
const clients: Client[] = [];

async function startApp(env: Record<string, string> = {}): Promise<Running> {
  const t = await createTestApp({ env });
  const { url } = await t.app.start({ port: 0, host: '127.0.0.1' });
  const r = { t, url, wsUrl: `${url.replace('http', 'ws')}/graphql` };
  running.push(r);
  return r;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.dispose();
  for (const r of running.splice(0)) await r.t.close();
});

function client(
  wsUrl: string,
  connectionParams: Record<string, unknown> = { authorization: adminAuth },
): Client {
  const c = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(c);
  return c;
}

/** Collects `n` events of a subscription (rejects on error or close). */
function collect<T>(c: Client, query: string, n: number): { events: T[]; done: Promise<T[]> } {
  const events: T[] = [];
  const done = new Promise<T[]>((resolve, reject) => {
    c.subscribe<T>(
      { query },
      {
        next: (v) => {
          if (v.errors) return reject(new Error(v.errors.map((e) => e.message).join('; ')));
          events.push(v.data as T);
          if (events.length === n) resolve(events);
        },
        error: reject,
        complete: () => resolve(events),
      },
    );
  });
  return { events, done };
}

function rawSocket(wsUrl: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return { ws, closed, opened };
}

describe('graphql-ws on /graphql', () => {
  it('delivers events to an authenticated subscriber', async () => {
    const { t, wsUrl } = await startApp();
    const c = client(wsUrl);
    const ready = subscriptionReady(t.app.deps.bus, 'node:changed');
    const sub = collect<{ nodeChanged: { status: string } }>(c, NODE_SUB, 1);
    await ready;
    await t.app.managers.nodes.setStatus(t.app.deps.node.id, 'OFFLINE');
    const [event] = await sub.done;
    expect(event?.nodeChanged.status).toBe('OFFLINE');
  });

  it('refuses admin subscriptions without credentials, and bad credentials at connection_init (4403)', async () => {
    const { wsUrl } = await startApp();
    await expect(collect(client(wsUrl, {}), NODE_SUB, 1).done).rejects.toThrow(/Not authorized/);
    const bad = client(wsUrl, { authorization: `Basic ${Buffer.from('default:nope').toString('base64')}` });
    const err = await collect(bad, NODE_SUB, 1).done.catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(4403);
  });

  it("accepts credentials in an operation's extensions, as GraphiQL sends them", async () => {
    const { t, wsUrl } = await startApp();
    const c = client(wsUrl, {});
    const ready = subscriptionReady(t.app.deps.bus, 'node:changed');
    const events: unknown[] = [];
    const got = new Promise<void>((resolve, reject) =>
      c.subscribe(
        { query: NODE_SUB, extensions: { headers: { Authorization: adminAuth } } },
        {
          next: (v) => {
            if (v.errors) reject(new Error(v.errors[0]?.message));
            events.push(v.data);
            resolve();
          },
          error: reject,
          complete: () => {},
        },
      ),
    );
    await ready;
    await t.app.managers.nodes.setStatus(t.app.deps.node.id, 'OFFLINE');
    await got;
    expect(events).toHaveLength(1);
  });

  it('in production, answers introspection to an admin only, as over HTTP', async () => {
    const { wsUrl } = await startApp({ NODE_ENV: 'production', LOG_LEVEL: 'silent' });
    const ask = (c: Client) =>
      new Promise<unknown>((resolve, reject) => {
        c.subscribe(
          { query: '{ __schema { queryType { name } } }' },
          { next: resolve, error: reject, complete: () => {} },
        );
      });
    expect(await ask(client(wsUrl))).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const refused = await ask(client(wsUrl, { gms_user: 'a-device' })).catch((err: unknown) => err);
    expect(JSON.stringify(refused)).toMatch(/introspection/i);
  });

  it('closes a socket that never sends connection_init (4408)', async () => {
    const { wsUrl } = await startApp({ WS_INIT_TIMEOUT_MS: '300' });
    const { closed } = rawSocket(wsUrl);
    expect((await closed).code).toBe(4408);
  });

  it('pings every socket and terminates one that stops answering; one that answers stays', async () => {
    const { wsUrl } = await startApp({ WS_KEEPALIVE_MS: '400', WS_INIT_TIMEOUT_MS: '60000' });
    const silent = new WebSocket(wsUrl, 'graphql-transport-ws', { autoPong: false });
    const silentClosed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    const alive = rawSocket(wsUrl);
    await alive.opened;
    let pings = 0;
    const threePings = new Promise<void>((resolve) =>
      alive.ws.on('ping', () => {
        if (++pings === 3) resolve();
      }),
    );
    // terminate(): no close frame, so the peer sees an abnormal closure.
    expect(await silentClosed).toBe(1006);
    await threePings;
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    alive.ws.close();
  });

  it('refuses foreign origins and oversized messages', async () => {
    const { wsUrl } = await startApp({ ALLOWED_ORIGINS: 'https://app.example' });
    const foreign = rawSocket(wsUrl, { origin: 'https://evil.example' });
    await expect(foreign.opened).rejects.toThrow(/403/);
    const ok = rawSocket(wsUrl, { origin: 'https://app.example' });
    await ok.opened;
    ok.ws.send('x'.repeat(70 * 1024));
    expect((await ok.closed).code).toBe(1009);
  });

  it('caps subscriptions per socket', async () => {
    const { wsUrl } = await startApp({ WS_MAX_SUBSCRIPTIONS: '2' });
    const { ws, closed, opened } = rawSocket(wsUrl);
    await opened;
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: adminAuth } }));
    await new Promise((r) => ws.once('message', r));
    for (const id of ['1', '2', '3'])
      ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: NODE_SUB } }));
    expect((await closed).code).toBe(4413);
  });

  /** connection_init as admin on a raw socket; resolves once acknowledged. */
  async function initialised(wsUrl: string) {
    const raw = rawSocket(wsUrl);
    await raw.opened;
    raw.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: adminAuth } }));
    await new Promise((r) => raw.ws.once('message', r));
    return raw;
  }

  it('closes on a malformed message (4400), a subscribe before connection_init (4401) and a reused id (4409)', async () => {
    const { wsUrl } = await startApp();
    const bad = rawSocket(wsUrl);
    await bad.opened;
    bad.ws.send('{"type":"nope"');
    expect((await bad.closed).code).toBe(4400);

    const early = rawSocket(wsUrl);
    await early.opened;
    early.ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: NODE_SUB } }));
    expect((await early.closed).code).toBe(4401);

    const twice = await initialised(wsUrl);
    for (let i = 0; i < 2; i++)
      twice.ws.send(JSON.stringify({ id: 'same', type: 'subscribe', payload: { query: NODE_SUB } }));
    expect((await twice.closed).code).toBe(4409);
  });

  it('answers an operation over the alias, directive or depth limits with an error, and the socket stays open', async () => {
    const { wsUrl } = await startApp({ GRAPHQL_MAX_ALIASES: '3', GRAPHQL_MAX_DEPTH: '1' });
    const raw = await initialised(wsUrl);
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    const until = (id: string, type: string) =>
      vi.waitFor(() => expect(messages.some((m) => m.id === id && m.type === type)).toBe(true));
    raw.ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: serverInfo { version }`).join(' ');
    raw.ws.send(JSON.stringify({ id: 'aliases', type: 'subscribe', payload: { query: `{ ${aliases} }` } }));
    const directives = ' @include(if: true)'.repeat(60);
    raw.ws.send(
      JSON.stringify({
        id: 'directives',
        type: 'subscribe',
        payload: { query: `{ serverInfo { version${directives} } }` },
      }),
    );
    await until('aliases', 'error');
    const error = messages.find((m) => m.id === 'aliases') as { payload: { message: string }[] };
    expect(error.payload[0]?.message).toMatch(/alias/i);
    await until('directives', 'error');
    raw.ws.send(JSON.stringify({ id: 'depth', type: 'subscribe', payload: { query: '{ nodes { id } }' } }));
    await until('depth', 'error');
    // The socket is still usable: a later operation on it is accepted.
    raw.ws.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ __typename }' } }));
    await until('after', 'complete');
    expect(raw.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('drops a subscriber that stops reading; the server and other subscribers carry on (S1)', async () => {
    const { t, wsUrl } = await startApp({ SUBSCRIPTION_BUFFER_SIZE: '256' });
    const healthy = client(wsUrl);
    const total = 5000;
    const healthyReady = subscriptionReady(t.app.deps.bus, 'node:changed');
    const good = collect<{ nodeChanged: { id: number } }>(healthy, NODE_SUB, total);
    await healthyReady;

    const slow = rawSocket(wsUrl);
    await slow.opened;
    slow.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: adminAuth } }));
    await new Promise((r) => slow.ws.once('message', r));
    const slowReady = subscriptionReady(t.app.deps.bus, 'node:changed');
    slow.ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: NODE_SUB } }));
    await slowReady;
    // Stop reading: the kernel buffers fill, sends stall, this subscriber's buffer overflows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const big = {
      id: 1,
      name: 'x'.repeat(4000),
      version: '1',
      status: 'ONLINE' as const,
      health: 'UP' as const,
      flaggedForRemoval: false,
      downSince: null,
      startedAt: '',
      lastSeenAt: '',
      change: 'HEARTBEAT' as const,
    };
    for (let i = 0; i < total; i++) {
      await t.app.deps.bus.publish('node:changed', null, { ...big, id: i });
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    const events = await good.done;
    expect(events).toHaveLength(total);
    expect(events.map((e) => e.nodeChanged.id)).toEqual(Array.from({ length: total }, (_, i) => i));
    await vi.waitFor(() => expect(t.app.deps.bus.stats().overflows).toBeGreaterThanOrEqual(1));
    // Let the paused client read again so it sees how the server ended the connection.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    expect([4499, 1006]).toContain(closed.code);
    expect(t.app.deps.bus.stats().overflows).toBeGreaterThanOrEqual(1);
    const health = await fetch(`${running[0]?.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('subscriptions over SSE', () => {
  it('streams events as text/event-stream', async () => {
    const t = await createTestApp();
    running.push({ t, url: '', wsUrl: '' });
    const ready = subscriptionReady(t.app.deps.bus, 'node:changed');
    const res = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: adminAuth },
      body: JSON.stringify({ query: NODE_SUB }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    void ready.then(() => t.app.managers.nodes.setStatus(t.app.deps.node.id, 'OFFLINE'));
    let text = '';
    while (!text.includes('OFFLINE')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain('"status":"OFFLINE"');
  });
});

describe('shutdown', () => {
  it('finishes in-flight requests and closes WebSockets', async () => {
    const { t, url, wsUrl } = await startApp();
    const sock = rawSocket(wsUrl);
    await sock.opened;
    // A request whose body is still arriving when stop() begins.
    let push!: (s: string) => void;
    let end!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(new TextEncoder().encode(s));
        end = () => c.close();
      },
    });
    const inflight = fetch(`${url}/genesys/1/admin/node/changestatus/ONLINE`, {
      method: 'POST',
      headers: { authorization: adminAuth, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit);
    push('a=');
    // The route answers without reading the body: stop() begins once it has answered (the metric
    // counts the request), while the body is still arriving (the request is not complete, so the
    // connection is not idle). The answer may or may not be on the wire yet: either way the server
    // reads the rest of the body after it (keep-alive.ts), so the client is not reset mid-upload.
    const answered = t.app.deps.metrics.registry.getSingleMetric('gms_http_requests_total');
    await vi.waitFor(async () =>
      expect((await answered?.get())?.values).toContainEqual(
        expect.objectContaining({
          labels: expect.objectContaining({ route: '/genesys/1/admin/node/changestatus/:status' }),
        }),
      ),
    );
    const stopping = t.app.stop();
    push('1');
    end();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect((await sock.closed).code).toBe(1001);
    await stopping;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
