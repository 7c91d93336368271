import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { machine, startProcess } from './harness.js';

/**
 * Push fan-out: N graphql-ws subscribers of `deviceEvents` (all the same device) on one server
 * process (embedded in-memory PGlite, in-process bus); events published through the Notification
 * API to a comet subscription of that device. Measures the server's RSS per connection and, per
 * event, the delay from publish to each subscriber's receipt (p50/p99 over all deliveries).
 *
 *   node --import tsx bench/push.ts --subscribers 1000,5000 --events 20
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const sizes = arg('subscribers', '1000,5000').split(',').map(Number);
const eventCount = Number(arg('events', '20'));
const BATCH = 200;

const rssBytes = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
};

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number)
    : NaN;

interface Subscriber {
  ws: WebSocket;
  onEvent: ((sentAt: number) => void) | null;
}

function subscribe(wsUrl: string, gmsUser: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    const sub: Subscriber = { ws, onEvent: null };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { gms_user: gmsUser } })));
    ws.on('error', reject);
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as {
        type: string;
        payload?: { data?: { deviceEvents?: { message: { sentAt: number } } } };
      };
      if (msg.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: 'subscription { deviceEvents { id seq message } }' },
          }),
        );
        resolve(sub);
      } else if (msg.type === 'next') {
        const sentAt = msg.payload?.data?.deviceEvents?.message.sentAt;
        if (typeof sentAt === 'number') sub.onEvent?.(sentAt);
      } else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  });
}

async function run(n: number) {
  const server = await startProcess(
    ['src/main.ts'],
    {
      DATABASE_URL: 'memory://',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      EVENT_POLL_MS: '60000',
      WS_INIT_TIMEOUT_MS: '60000',
    },
    '/healthz',
  );
  const pid = server.process.pid as number;
  try {
    const gmsUser = `bench-${n}`;
    const sub = await fetch(`${server.url}/genesys/1/notification/subscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', gms_user: gmsUser },
      body: JSON.stringify({ subscriberId: 'bench', filter: 'bench.*', expire: 3600 }),
    });
    if (!sub.ok) throw new Error(`subscribe: ${sub.status}`);
    const publish = (tag: string) =>
      fetch(`${server.url}/genesys/1/notification/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tag, message: { sentAt: performance.timeOrigin + performance.now() } }),
      });

    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssBytes(pid);
    const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < n; i += BATCH)
      subscribers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(BATCH, n - i) }, () => subscribe(wsUrl, gmsUser)),
        )),
      );

    /** Publishes one event and resolves with every subscriber's delay once all have it. */
    const fanOut = async (tag: string): Promise<number[]> => {
      const delays: number[] = [];
      const all = new Promise<void>((resolve) => {
        for (const s of subscribers)
          s.onEvent = (sentAt) => {
            delays.push(performance.timeOrigin + performance.now() - sentAt);
            s.onEvent = null;
            if (delays.length === n) resolve();
          };
      });
      await publish(tag);
      await all;
      return delays;
    };

    // Warm-up: when every subscriber has the first event, every subscription is live.
    await fanOut('bench.warmup');
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfter = rssBytes(pid);
    const delays: number[] = [];
    const completions: number[] = [];
    for (let e = 0; e < eventCount; e++) {
      const d = await fanOut(`bench.e${e}`);
      delays.push(...d);
      completions.push(Math.max(...d));
    }
    delays.sort((a, b) => a - b);
    completions.sort((a, b) => a - b);
    for (const s of subscribers) s.ws.terminate();
    return {
      n,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssAfterMb: rssAfter / 2 ** 20,
      perConnectionKb: (rssAfter - rssBefore) / n / 1024,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      lastP50: percentile(completions, 50),
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  const rows = [];
  for (const n of sizes) {
    const r = await run(n);
    rows.push(r);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
  process.stdout.write(`\n${machine()}\n\n`);
  process.stdout.write(
    '| Subscribers | RSS before → after | per connection | delivery p50 | delivery p99 | last subscriber (median event) |\n',
  );
  process.stdout.write('|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows)
    process.stdout.write(
      `| ${r.n} | ${r.rssBeforeMb.toFixed(0)} → ${r.rssAfterMb.toFixed(0)} MB | ${r.perConnectionKb.toFixed(0)} KB | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.lastP50.toFixed(0)} ms |\n`,
    );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
