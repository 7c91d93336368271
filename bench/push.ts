import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine, startProcess } from './harness.js';
import type { FromClient, ToClient } from './push-client.js';

/**
 * Push fan-out: N graphql-ws subscribers of `deviceEvents` (all the same device) on one server
 * process (embedded in-memory PGlite, in-process bus); events published through the Notification
 * API to a comet subscription of that device. The subscribers are opened by client child processes
 * (bench/push-client.ts, at most --per-client sockets each, started with the soft fd limit raised
 * to the hard one), which report every receipt to this process over IPC. Measures the server's
 * RSS per connection and, per event, the delay from publish to each subscriber's receipt
 * (p50/p99 over all deliveries; same machine, same clock), with the load average and the CPU
 * used by other processes during the run.
 *
 *   node --import tsx bench/push.ts --subscribers 1000,5000,20000 --events 10
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const sizes = arg('subscribers', '1000,5000,20000').split(',').map(Number);
const eventCount = Number(arg('events', '10'));
const perClient = Number(arg('per-client', '5000'));
const BATCH = Number(arg('batch', '200'));
const EVENT_TIMEOUT_MS = Number(arg('event-timeout-ms', '120000'));
const hardFdLimit = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
const clientScript = fileURLToPath(new URL('./push-client.ts', import.meta.url));

const rssBytes = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
};
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const fdLimitOf = (pid: number) =>
  readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))
    ?.replace(/\s+/g, ' ')
    .trim() ?? 'unknown';

/** Busy and total jiffies of the machine, and the jiffies used by the given processes. */
const cpuSnapshot = (pids: number[]) => {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  let ours = 0;
  for (const pid of pids) {
    try {
      const after = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ours += Number(after[11]) + Number(after[12]); // utime, stime
    } catch {}
  }
  return { total, busy: total - idle, ours };
};

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number)
    : NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Client {
  child: ChildProcess;
  live: number;
  onMessage: (msg: FromClient) => void;
}

function startClient(onMessage: (msg: FromClient) => void): Client {
  // The soft fd limit is raised to the hard one before node starts (exec keeps the IPC channel).
  const child = spawn(
    'sh',
    ['-c', `ulimit -n ${hardFdLimit}; exec "$@"`, 'sh', process.execPath, '--import', 'tsx', clientScript],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const client: Client = { child, live: 0, onMessage };
  child.on('message', (msg: FromClient) => client.onMessage(msg));
  return client;
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
    { fdLimit: Number(hardFdLimit) },
  );
  const pid = server.process.pid as number;
  let serverExit: string | null = null;
  server.process.once('exit', (code, signal) => {
    serverExit = `server exited (${code ?? signal})`;
  });
  const clients: Client[] = [];
  const notes: string[] = [];
  try {
    const gmsUser = `bench-${n}`;
    const sub = await fetch(`${server.url}/genesys/1/notification/subscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', gms_user: gmsUser },
      body: JSON.stringify({ subscriberId: 'bench', filter: 'bench.*', expire: 3600 }),
    });
    if (!sub.ok) throw new Error(`subscribe: ${sub.status}`);
    const publish = (event: number) =>
      fetch(`${server.url}/genesys/1/notification/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tag: `bench.e${event}`,
          message: { sentAt: performance.timeOrigin + performance.now(), event },
        }),
      });

    await sleep(1000);
    const rssBefore = rssBytes(pid);
    const fdsBefore = openFds(pid);
    const serverFdLimit = fdLimitOf(pid);
    const loadAtStart = loadavg()[0] as number;

    // Per-event collection: every client with live subscribers reports once per event.
    const pending = new Map<number, { reports: number; delays: number[]; done: () => void }>();
    const onMessage = (client: Client) => (msg: FromClient) => {
      if (msg.type === 'dropped') {
        client.live--;
        if (msg.count === 1) notes.push(`server closed a subscriber: ${msg.firstReason}`);
      } else if (msg.type === 'event') {
        const p = pending.get(msg.event);
        if (!p) return;
        p.delays.push(...msg.delays);
        if (++p.reports === clients.filter((c) => c.live > 0).length) p.done();
      }
    };
    const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
    const opening = [];
    for (let i = 0; i < n; i += perClient) {
      const client = startClient(() => {});
      client.onMessage = onMessage(client);
      clients.push(client);
      const count = Math.min(perClient, n - i);
      opening.push(
        new Promise<Extract<FromClient, { type: 'opened' }>>((resolve, reject) => {
          const handler = (msg: FromClient) => {
            if (msg.type !== 'opened') return;
            client.child.off('message', handler);
            client.live = msg.opened;
            resolve(msg);
          };
          client.child.on('message', handler);
          client.child.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
          client.child.send({ type: 'open', wsUrl, gmsUser, count, batch: BATCH } satisfies ToClient);
        }),
      );
    }
    const openedAt = performance.now();
    const opened = await Promise.all(opening);
    const connectSec = (performance.now() - openedAt) / 1000;
    const reached = opened.reduce((a, o) => a + o.opened, 0);
    const failed = opened.reduce((a, o) => a + o.failed, 0);
    if (failed)
      notes.push(
        `${failed} of ${n} subscribers failed to open: ${opened.find((o) => o.firstError)?.firstError}`,
      );
    process.stderr.write(
      `${n}: ${reached} subscribers open in ${connectSec.toFixed(1)} s, ${failed} failed${failed ? ` (first: ${opened.find((o) => o.firstError)?.firstError})` : ''}; server ${serverExit ?? `has ${openFds(pid)} fds open, ${serverFdLimit}`}\n`,
    );
    if (serverExit) throw new Error(`${serverExit} after ${reached} subscribers`);

    /** Publishes one event and resolves with every subscriber's delay once all have it. */
    const fanOut = async (event: number): Promise<number[]> => {
      const delays: number[] = [];
      const all = new Promise<void>((resolve) => {
        pending.set(event, { reports: 0, delays, done: resolve });
      });
      const timeout = sleep(EVENT_TIMEOUT_MS).then(() => 'timeout' as const);
      const r = await publish(event);
      if (!r.ok) throw new Error(`publish: ${r.status}`);
      if ((await Promise.race([all, timeout])) === 'timeout')
        notes.push(`event ${event}: ${delays.length} of ${reached} deliveries within ${EVENT_TIMEOUT_MS} ms`);
      pending.delete(event);
      return delays;
    };

    // Warm-up: when every subscriber has the first event, every subscription is live.
    await fanOut(-1);
    await sleep(1000);
    const rssAfter = rssBytes(pid);
    const fdsAfter = openFds(pid);
    const pids = [process.pid, pid, ...clients.map((c) => c.child.pid as number)];
    const cpuStart = cpuSnapshot(pids);
    const loads = [loadavg()[0] as number];
    const delays: number[] = [];
    const completions: number[] = [];
    for (let e = 0; e < eventCount; e++) {
      const d = await fanOut(e);
      delays.push(...d);
      completions.push(Math.max(...d));
      loads.push(loadavg()[0] as number);
    }
    const cpuEnd = cpuSnapshot(pids);
    const wallJiffies = (cpuEnd.total - cpuStart.total) / cpus().length;
    delays.sort((a, b) => a - b);
    completions.sort((a, b) => a - b);
    return {
      n,
      reached,
      connectSec,
      serverFdLimit,
      fdsBefore,
      fdsAfter,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssAfterMb: rssAfter / 2 ** 20,
      perConnectionKb: (rssAfter - rssBefore) / reached / 1024,
      deliveries: delays.length,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      lastP50: percentile(completions, 50),
      loadAtStart,
      loadDuringEvents: { min: Math.min(...loads), max: Math.max(...loads) },
      benchCores: (cpuEnd.ours - cpuStart.ours) / wallJiffies,
      // Clamped: jiffy rounding makes it slightly negative on an idle machine.
      otherCores: Math.max(0, (cpuEnd.busy - cpuStart.busy - (cpuEnd.ours - cpuStart.ours)) / wallJiffies),
      notes,
    };
  } finally {
    await Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.child.exitCode !== null) return resolve();
            c.child.once('exit', () => resolve());
            if (c.child.connected) c.child.send({ type: 'close' } satisfies ToClient);
            else c.child.kill();
          }),
      ),
    );
    if (server.process.exitCode === null) await server.stop();
  }
}

async function main() {
  const rows = [];
  for (const n of sizes) {
    try {
      const r = await run(n);
      rows.push(r);
      process.stdout.write(`${JSON.stringify(r)}\n`);
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      process.stdout.write(`${n}: failed: ${err instanceof Error ? err.message : String(err)}${cause}\n`);
    }
  }
  process.stdout.write(`\n${machine()}, hard fd limit ${hardFdLimit}\n\n`);
  process.stdout.write(
    '| Subscribers | server RSS before → after | per connection | delivery p50 | delivery p99 | last subscriber (median event) | load avg (1 min) during events | other work (cores) |\n',
  );
  process.stdout.write('|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows)
    process.stdout.write(
      `| ${r.reached.toLocaleString('en')}${r.reached < r.n ? ` of ${r.n.toLocaleString('en')}` : ''} | ${r.rssBeforeMb.toFixed(0)} → ${r.rssAfterMb.toFixed(0)} MB | ${r.perConnectionKb.toFixed(0)} KB | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.lastP50.toFixed(0)} ms | ${r.loadDuringEvents.min.toFixed(1)}${r.loadDuringEvents.max.toFixed(1) === r.loadDuringEvents.min.toFixed(1) ? '' : `–${r.loadDuringEvents.max.toFixed(1)}`} | ${r.otherCores.toFixed(2)} |\n`,
    );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
