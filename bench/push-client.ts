import { randomUUID } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import WebSocket from 'ws';
import { RawWebSocket } from './raw-ws.js';

/**
 * Client side of bench/push.ts, run as a child process (started through `sh -c 'ulimit -n …'`
 * with an IPC channel): opens `count` graphql-ws subscribers of `deviceEvents`, `concurrency` of
 * them in flight at a time, each as gms_user `users.prefix + (users.first + i)` (or all as one
 * `users.only`), and reports to the parent each subscriber's delay from the publish (`sentAt` in
 * the message, wall clock of the same machine) to its receipt.
 *
 * Parent → child: `{ type: 'open', … }`, then `{ type: 'close' }`.
 * Child → parent: `{ type: 'progress', opened, failed }` while opening, then
 * `{ type: 'opened', opened, failed, firstError }`; then, with `report: 'per-event'` (every
 * subscriber gets every event), `{ type: 'event', event, delays }` once all of its open subscribers
 * have an event; with `report: 'stream'` (each event goes to one subscriber),
 * `{ type: 'receipts', events, delays, gcMs, gcMaxMs }` every 100 ms (with this process's own GC
 * pauses since the last one: a receipt read after a pause of the client is late by it); and `{ type: 'dropped', count, firstReason }`
 * when the server closes an open socket.
 */
export type ToClient =
  | {
      type: 'open';
      wsUrl: string;
      users: { only: string } | { prefix: string; first: number };
      count: number;
      concurrency: number;
      report: 'per-event' | 'stream';
      /** `raw`: bench/raw-ws.ts (the default, light on the shared cores); `ws`: the ws library. */
      client: 'raw' | 'ws';
    }
  | { type: 'close' };
export type FromClient =
  | { type: 'progress'; opened: number; failed: number }
  | { type: 'opened'; opened: number; failed: number; firstError: string | null }
  | { type: 'event'; event: number; delays: number[] }
  | { type: 'receipts'; events: number[]; delays: number[]; gcMs: number; gcMaxMs: number }
  | { type: 'dropped'; count: number; firstReason: string };

const now = () => performance.timeOrigin + performance.now();
let closing = false;
const toParent = (msg: FromClient) => {
  if (!closing && process.connected) process.send?.(msg);
};

const sockets: { terminate(): void }[] = [];
const receipts = new Map<number, number[]>();
let live = 0;
let dropped = 0;
let report: 'per-event' | 'stream' = 'per-event';
let streamed: { events: number[]; delays: number[] } = { events: [], delays: [] };

function deliver(event: number, delay: number) {
  if (report === 'stream') {
    streamed.events.push(event);
    streamed.delays.push(delay);
    return;
  }
  const delays = receipts.get(event) ?? [];
  receipts.set(event, delays);
  delays.push(delay);
  if (delays.length === live) {
    receipts.delete(event);
    toParent({ type: 'event', event, delays });
  }
}

// This process's GC pauses, reported with the receipts they may have delayed.
let gcMs = 0;
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    gcMaxMs = Math.max(gcMaxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

setInterval(() => {
  if (streamed.events.length === 0) return;
  toParent({ type: 'receipts', ...streamed, gcMs, gcMaxMs });
  streamed = { events: [], delays: [] };
  gcMs = 0;
  gcMaxMs = 0;
}, 100).unref();

/** What the bench reads of a `next` message: the event's number and when it was published. */
const SENT_AT = '"sentAt":';
const EVENT = '"event":';
const numberAfter = (text: string, key: string) => {
  const at = text.indexOf(key);
  return at < 0 ? Number.NaN : Number.parseFloat(text.slice(at + key.length, at + key.length + 24));
};

/** Resolves true once the subscription is sent after connection_ack, or with the error text. */
function subscribe(wsUrl: string, gmsUser: string, client: 'raw' | 'ws'): Promise<true | string> {
  return new Promise((resolve) => {
    let acked = false;
    let send: (text: string) => void = () => {};
    let terminate: () => void = () => {};
    const onOpen = () => send(JSON.stringify({ type: 'connection_init', payload: { gms_user: gmsUser } }));
    const onError = (err: Error) => {
      if (!acked) resolve(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim());
    };
    const onClose = (code: number, reason: string) => {
      if (!acked) return resolve(`closed before ack: ${code} ${reason}`);
      live--;
      dropped++;
      send = () => {};
      reportDropped(`${code} ${reason}`);
    };
    const onText = (text: string) => {
      // The hot path (every delivery): two numbers read off the text, no JSON.parse.
      if (text.includes('"type":"next"')) {
        const sentAt = numberAfter(text, SENT_AT);
        if (!Number.isNaN(sentAt)) deliver(numberAfter(text, EVENT), now() - sentAt);
        return;
      }
      const msg = JSON.parse(text) as { type: string };
      if (msg.type === 'connection_ack') {
        send(
          JSON.stringify({
            // A new id per operation, as graphql-ws's own client sends (shared results must not rely on equal ids).
            id: randomUUID(),
            type: 'subscribe',
            payload: { query: 'subscription { deviceEvents { id seq message cursor } }' },
          }),
        );
        acked = true;
        live++;
        sockets.push({ terminate });
        resolve(true);
      } else if (msg.type === 'ping') send(JSON.stringify({ type: 'pong' }));
    };
    if (client === 'raw') {
      const ws = new RawWebSocket(wsUrl, 'graphql-transport-ws', {
        open: onOpen,
        message: (data) => onText(data.toString('utf8')),
        close: onClose,
        error: onError,
      });
      send = (text) => ws.send(text);
      terminate = () => ws.terminate();
    } else {
      const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
      send = (text) => ws.send(text);
      terminate = () => ws.terminate();
      ws.on('open', onOpen);
      ws.on('error', onError);
      ws.on('close', (code, reason) => onClose(code, String(reason)));
      ws.on('message', (raw) => onText(String(raw)));
    }
  });
}

function reportDropped(reason: string) {
  toParent({ type: 'dropped', count: dropped, firstReason: reason });
  for (const [event, delays] of receipts)
    if (delays.length >= live) {
      receipts.delete(event);
      toParent({ type: 'event', event, delays });
    }
}

process.on('message', async (msg: ToClient) => {
  if (msg.type === 'close') {
    closing = true;
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
  report = msg.report;
  let opened = 0;
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const progress = setInterval(() => toParent({ type: 'progress', opened, failed }), 1_000);
  // A sliding window: `concurrency` handshakes in flight, the next one starts as one finishes.
  const worker = async () => {
    while (next < msg.count) {
      const i = next++;
      const user = 'only' in msg.users ? msg.users.only : `${msg.users.prefix}${msg.users.first + i}`;
      const r = await subscribe(msg.wsUrl, user, msg.client);
      if (r === true) opened++;
      else {
        failed++;
        firstError ??= r;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(msg.concurrency, msg.count) }, worker));
  clearInterval(progress);
  toParent({ type: 'opened', opened, failed, firstError });
});
