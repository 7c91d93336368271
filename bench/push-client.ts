import WebSocket from 'ws';

/**
 * Client side of bench/push.ts, run as a child process (started through `sh -c 'ulimit -n …'`
 * with an IPC channel): opens `count` graphql-ws subscribers of `deviceEvents` and, for every
 * event, reports to the parent each subscriber's delay from the publish (`sentAt` in the message,
 * wall clock of the same machine) to its receipt.
 *
 * Parent → child: `{ type: 'open', wsUrl, gmsUser, count, batch }`, then `{ type: 'close' }`.
 * Child → parent: `{ type: 'opened', opened, failed, firstError }`, then per event
 * `{ type: 'event', event, delays }` once all of its open subscribers have it, and
 * `{ type: 'dropped', count, firstReason }` when open sockets are closed by the server.
 */
export type ToClient =
  | { type: 'open'; wsUrl: string; gmsUser: string; count: number; batch: number }
  | { type: 'close' };
export type FromClient =
  | { type: 'opened'; opened: number; failed: number; firstError: string | null }
  | { type: 'event'; event: number; delays: number[] }
  | { type: 'dropped'; count: number; firstReason: string };

const now = () => performance.timeOrigin + performance.now();
let closing = false;
const send = (msg: FromClient) => {
  if (!closing && process.connected) process.send?.(msg);
};

const sockets: WebSocket[] = [];
const receipts = new Map<number, number[]>();
let live = 0;
let dropped = 0;

function deliver(event: number, delay: number) {
  const delays = receipts.get(event) ?? [];
  receipts.set(event, delays);
  delays.push(delay);
  if (delays.length === live) {
    receipts.delete(event);
    send({ type: 'event', event, delays });
  }
}

/** Resolves true once the subscription is sent after connection_ack, or with the error text. */
function subscribe(wsUrl: string, gmsUser: string): Promise<true | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    let acked = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { gms_user: gmsUser } })));
    ws.on('error', (err) => {
      if (!acked) resolve(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim());
    });
    ws.on('close', (code, reason) => {
      if (!acked) return resolve(`closed before ack: ${code} ${String(reason)}`);
      live--;
      dropped++;
      send({ type: 'dropped', count: dropped, firstReason: `${code} ${String(reason)}` });
      for (const [event, delays] of receipts)
        if (delays.length >= live) {
          receipts.delete(event);
          send({ type: 'event', event, delays });
        }
    });
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as {
        type: string;
        payload?: { data?: { deviceEvents?: { message: { sentAt: number; event: number } } } };
      };
      if (msg.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: 'subscription { deviceEvents { id seq message } }' },
          }),
        );
        acked = true;
        live++;
        sockets.push(ws);
        resolve(true);
      } else if (msg.type === 'next') {
        const m = msg.payload?.data?.deviceEvents?.message;
        if (m && typeof m.sentAt === 'number') deliver(m.event, now() - m.sentAt);
      } else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  });
}

process.on('message', async (msg: ToClient) => {
  if (msg.type === 'close') {
    closing = true;
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
  let opened = 0;
  let failed = 0;
  let firstError: string | null = null;
  for (let i = 0; i < msg.count; i += msg.batch) {
    const results = await Promise.all(
      Array.from({ length: Math.min(msg.batch, msg.count - i) }, () => subscribe(msg.wsUrl, msg.gmsUser)),
    );
    for (const r of results)
      if (r === true) opened++;
      else {
        failed++;
        firstError ??= r;
      }
  }
  send({ type: 'opened', opened, failed, firstError });
});
