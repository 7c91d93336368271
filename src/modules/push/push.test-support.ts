import { CometD, type Extension, type Message } from 'cometd';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestApp } from '../../../test/harness.js';
import type { SessionEvent } from '../event/event.manager.js';

/** A configured service of a type nobody registered (answered generically) whose sessions live an hour. */
export async function pushService(t: TestApp, name = 'pushsvc'): Promise<string> {
  await t.app.managers.services.create({
    name,
    options: [
      { name: '_type', value: 'builtin' },
      { name: '_service', value: 'push-test' },
      { name: '_ttl', value: '3600' },
    ],
  });
  return name;
}

/** Creates a session through the legacy Service API, as a device with `gmsUser` would. */
export async function createSession(
  t: TestApp,
  gmsUser: string,
  params: Record<string, string> = {},
  service = 'pushsvc',
): Promise<string> {
  const response = await t.fetch(`/genesys/1/service/${service}`, {
    method: 'POST',
    headers: { gms_user: gmsUser, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as { _id?: string };
  if (response.status !== 200 || !body._id) throw new Error(`create failed: ${JSON.stringify(body)}`);
  return body._id;
}

/** Appends an event to a session as the callback/chat modules do. */
export async function raise(
  t: TestApp,
  sessionId: string,
  gmsUser: string | null,
  tag: string,
  message: unknown,
): Promise<SessionEvent> {
  return t.app.managers.events.publish({
    sessionId,
    gmsUser,
    tag,
    message,
    expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
  });
}

export function wsClient(url: string, connectionParams: Record<string, unknown>): Client {
  return createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** A subscription's results as a pull queue: `next()` waits for the next payload (or its error). */
export function subscription<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const queue: T[] = [];
  const waiters: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  let failure: unknown = null;
  const fail = (err: unknown) => {
    failure = err;
    for (const w of waiters.splice(0)) w.reject(err);
  };
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) return fail(new Error(v.errors.map((e) => e.message).join('; ')));
        const w = waiters.shift();
        if (w) w.resolve(v.data as T);
        else queue.push(v.data as T);
      },
      // graphql-ws reports execution errors as an array of GraphQL errors.
      error: (err) =>
        fail(
          Array.isArray(err) ? new Error(err.map((e: { message?: string }) => e.message).join('; ')) : err,
        ),
      complete: () => {},
    },
  );
  return {
    next(timeoutMs = 5_000): Promise<T> {
      const ready = queue.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no event in time')), timeoutMs);
        waiters.push({
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
    stop,
  };
}

/** Reads an SSE response until `until(text)` holds. */
export async function readSse(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

/** Payloads of `event: next` SSE messages. */
export function sseData<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { data?: T })
    .flatMap((m) => (m.data ? [m.data] : []));
}

export interface Comet {
  client: CometD;
  received: Message[];
  /** The next delivery on /_genesys. */
  next(timeoutMs?: number): Promise<Message>;
  subscribe(channel?: string, ext?: object): Promise<Message>;
  close(): Promise<void>;
}

/**
 * A legacy CometD client (the `cometd` npm client on `cometd-nodejs-client`) handshaken at
 * `<url>/genesys/cometd` with one transport, or with its default ones (`default`: websocket first,
 * then long-polling, as an application that configures nothing gets). Call `adapt()` from
 * `cometd-nodejs-client` first, once the test's database is open (it defines a global `window`,
 * which PGlite would take for a browser).
 */
export async function cometClient(
  url: string,
  options: {
    transport: 'long-polling' | 'websocket' | 'default';
    headers?: Record<string, string>;
    ext?: object;
    /** Query parameters on the CometD URL (a WebSocket client's way to name its gms_user). */
    query?: Record<string, string>;
    /** Client extensions, registered before the handshake in this order (incoming runs in it). */
    extensions?: Record<string, Extension>;
  },
): Promise<Comet> {
  const client = new CometD();
  for (const [name, extension] of Object.entries(options.extensions ?? {}))
    client.registerExtension(name, extension);
  if (options.transport !== 'default')
    for (const type of client.getTransportTypes())
      if (type !== options.transport) client.unregisterTransport(type);
  const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
  client.configure({
    url: `${url}/genesys/cometd${query}`,
    requestHeaders: options.headers ?? {},
    logLevel: 'warn',
  });
  // A failed attempt is not the end: the client tries its next transport (a refused WebSocket
  // falls back to long-polling). Give up after 5 s, or once it stops trying.
  await new Promise<void>((resolve, reject) => {
    let last = '';
    const timer = setTimeout(() => {
      client.disconnect();
      reject(new Error(`handshake failed: ${last}`));
    }, 5_000);
    client.handshake({ ext: options.ext ?? {} }, (m) => {
      if (m.successful) {
        clearTimeout(timer);
        return resolve();
      }
      last = String(m.error ?? 'no answer');
      if (client.isDisconnected()) {
        clearTimeout(timer);
        reject(new Error(`handshake failed: ${last}`));
      }
    });
  });
  const received: Message[] = [];
  const waiters: ((m: Message) => void)[] = [];
  const onMessage = (m: Message) => {
    const w = waiters.shift();
    if (w) w(m);
    else received.push(m);
  };
  return {
    client,
    received,
    next(timeoutMs = 5_000) {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no delivery in time')), timeoutMs);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
    subscribe(channel = '/_genesys', ext: object = {}) {
      return new Promise<Message>((resolve) => client.subscribe(channel, onMessage, { ext }, resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (client.isDisconnected()) return resolve();
        client.disconnect(() => resolve());
      }),
  };
}
