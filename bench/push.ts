import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import {
  databaseBackendPids,
  machine,
  processCpuMs,
  type ScratchDatabase,
  type Server,
  scratchDatabase,
  startProcess,
} from './harness.js';
import type { FromClient, ToClient } from './push-client.js';
import { RawHttpPool } from './raw-http.js';

/**
 * Push fan-out over graphql-ws: N subscribers of `deviceEvents` (with `cursor`) on one server
 * process, opened by client child processes (bench/push-client.ts, at most --per-client sockets
 * each, --concurrency handshakes in flight per client, progress every second), which report every
 * receipt over IPC. Shapes:
 * - `all`: every subscriber is the same device; --events events, one at a time, each published
 *   through `POST /genesys/1/notification/publish` to a comet subscription of that device.
 * - `spread`: one device per connection; --rate events/s for --seconds, each a direct comet
 *   publish to a random device (open loop: sent on schedule whatever the answers; the delay counts
 *   from the scheduled time, so a server that falls behind shows it).
 * - `cross`: as `spread`, but the subscribers are on instance A and the publishes go to instance
 *   B, both on PostgreSQL with Redis pub/sub (the poke crosses Redis, the event is read from the
 *   store).
 * Memory per connection is the live heap (heap used + external, after a forced full GC in the
 * server: bench/memory-probe.mjs) before and after the subscribers, divided by N; RSS is printed
 * beside it. The server is the compiled one (`npm run build` first).
 *
 *   node --import tsx bench/push.ts --shape all,spread,cross --subscribers 1000,19950 \
 *     [--events 10] [--rate 1000 --seconds 10] [--database memory|postgres] [--profile <dir>]
 *     [--poll-ms 60000] [--publish-connections 16 (cross: 32)]
 *     [--server-node-args '--max-semi-space-size=64'] [--server dist[,.bench/before/dist] --rounds 1]
 *     [--warmup-seconds 3]
 *     [--client raw|ws]
 *
 * A/B: `--server` takes a list of builds (directories holding main.js), measured one after the
 * other `--rounds` times over: `--server .bench/before/dist,dist --rounds 2` runs A, B, A, B.
 *
 * The subscribers' client is bench/raw-ws.ts unless `--client ws`: the clients share the two cores
 * with the server, and with the ws library they spent as much CPU a delivery as the server did.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
type Shape = 'all' | 'spread' | 'cross';
const shapes = arg('shape', 'all').split(',') as Shape[];
const sizes = arg('subscribers', '1000').split(',').map(Number);
const eventCount = Number(arg('events', '10'));
const rate = Number(arg('rate', '1000'));
const seconds = Number(arg('seconds', '10'));
const perClient = Number(arg('per-client', '5000'));
const concurrency = Number(arg('concurrency', '100'));
const database = arg('database', 'memory');
/** The subscribers' WebSocket client: `raw` (bench/raw-ws.ts, light) or `ws` (the library). */
const clientKind = arg('client', 'raw') as 'raw' | 'ws';
const profileDir = arg('profile', '');
/** The servers' EVENT_POLL_MS: long by default, so that pokes deliver (the default of a deployment is 5,000). */
const pollMs = arg('poll-ms', '60000');
/** Connections the publisher uses (each one a file descriptor of the server). */
/**
 * Publisher connections (bench/raw-http.ts: undici's Pool cost twice the CPU a publish). With too few the bench's own queue is the tail (8 at ~8 ms a
 * publish is 1,000/s with no slack, and delays count from the scheduled time). Defaults: cross 32
 * (its publishing server holds no subscribers); spread and all 16, as they share the subscribers'
 * server, which has ~19 descriptors to spare at 19,950 sockets under the 20,000 limit.
 */
const publishConnectionsArg = arg('publish-connections', '');
const publishConnectionsFor = (shape: string) =>
  publishConnectionsArg ? Number(publishConnectionsArg) : shape === 'cross' ? 32 : 16;
/** Extra V8/Node options for the servers, e.g. `--max-semi-space-size=64`. */
const serverNodeArgs = arg('server-node-args', '').split(' ').filter(Boolean);
const servers = arg('server', 'dist').split(',');
const rounds = Number(arg('rounds', '1'));
/**
 * spread/cross: seconds of publishes at --rate before the measured ones (not counted), so that the
 * window measures a server under sustained load, not its first second: with the 20 warm-up
 * publishes alone, V8 still compiled the hot code during the window, on its worker threads
 * (~0.16 ms an event at 19,950 on PGlite), and on 2 × AMD EPYC the slowest 1 % of cross-instance
 * deliveries were then nearly all in the window's first second (p99 47–96 ms; 2026-12-06).
 * `--warmup-seconds 0` measures that cold start.
 */
const warmupSeconds = Number(arg('warmup-seconds', '3'));
const EVENT_TIMEOUT_MS = Number(arg('event-timeout-ms', '120000'));
const hardFdLimit = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
const clientScript = fileURLToPath(new URL('./push-client.ts', import.meta.url));
const diskProbeScript = fileURLToPath(new URL('./disk-probe.ts', import.meta.url));
/** How often the disk probe writes and syncs its 8 KB. */
const DISK_PROBE_INTERVAL_MS = 20;

interface DiskProbe {
  /** Each sync: when it began (epoch ms), how long it took (ms). */
  samples: [at: number, ms: number][];
}

/**
 * The disk's sync latency during a window (bench/disk-probe.ts, its own process): a commit waits
 * for its WAL flush, so a disk that stalls stalls every publish, whatever the servers do. `stop`
 * ends it (once; again, it answers the same) and gives its samples.
 */
function startDiskProbe(): { stop(): Promise<DiskProbe | null> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      diskProbeScript,
      join(tmpdir(), `push-bench-${process.pid}.disk-probe`),
      String(DISK_PROBE_INTERVAL_MS),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped: Promise<DiskProbe | null> | null = null;
  const stop = async () => {
    child.stdin?.end();
    await exited;
    try {
      return JSON.parse(out) as DiskProbe;
    } catch {
      return null;
    }
  };
  return {
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
  };
}
const probe = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
const baseDatabaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const rssBytes = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) * 1024;
/**
 * Time (ms) the process's main thread has spent runnable but waiting for a CPU so far
 * (/proc/<pid>/schedstat, second field; 0 where the kernel does not keep it): the scheduler's
 * part of a late event loop, as against the loop's own work.
 */
const runQueueMs = (pid: number) => {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1] ?? 0) / 1e6;
  } catch {
    return 0;
  }
};
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

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
    : Number.NaN;

interface Instance {
  server: Server;
  pid: number;
  memoryFile: string;
  profileFile: string;
  statsFile: string;
}

/** The server's view of the events (bench/memory-probe.mjs): GC and the event loop's delay. */
interface PhaseStats {
  seconds: number;
  gc: Record<string, { count: number; ms: number; maxMs: number }>;
  longPauses: { at: number; kind: string; ms: number }[];
  loopDelayMs: { p50: number; p99: number; max: number };
}

async function startInstance(name: string, env: Record<string, string>, build: string): Promise<Instance> {
  const memoryFile = join(tmpdir(), `push-bench-${process.pid}-${name}.jsonl`);
  const profileFile = profileDir ? join(profileDir, `push-${name}-${Date.now()}.cpuprofile`) : '';
  const statsFile = join(tmpdir(), `push-bench-${process.pid}-${name}.stats.jsonl`);
  rmSync(memoryFile, { force: true });
  rmSync(statsFile, { force: true });
  const server = await startProcess(
    [join(build, 'main.js')],
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      // The bench reads the append statements' histogram (appendStatements).
      METRICS_PUBLIC: 'true',
      EVENT_POLL_MS: pollMs,
      WS_INIT_TIMEOUT_MS: '60000',
      BENCH_MEMORY_FILE: memoryFile,
      BENCH_STATS_FILE: statsFile,
      ...(profileFile ? { BENCH_PROFILE_FILE: profileFile } : {}),
      ...env,
    },
    '/healthz',
    { fdLimit: Number(hardFdLimit), nodeArgs: ['--expose-gc', '--import', probe, ...serverNodeArgs] },
  );
  return { server, pid: server.process.pid as number, memoryFile, profileFile, statsFile };
}

/**
 * The publishing server's event-append statements so far (gms_db_batched_statement_seconds): their
 * count, the publishes they served, and how many took at least 25 / 50 / 100 ms at the database
 * (every publish queued behind one waits as long); and its publish requests by their own time
 * (gms_http_request_duration_seconds, from the handler's start): a publish answered late that the
 * server handled quickly waited before it was read (the server's CPU, not its handler).
 */
async function appendStatements(instance: Instance) {
  const lines = (await (await fetch(`${instance.server.url}/metrics`)).text()).split('\n');
  /** The sum of a metric's series that carry `label` (and, for a bucket, its upper bound `le`). */
  const sum = (name: string, label: string, le?: string) =>
    lines
      .filter(
        (l) =>
          l.startsWith(`${name}{`) && l.includes(label) && (le === undefined || l.includes(`le="${le}"`)),
      )
      .reduce((total, l) => total + Number(l.split(' ').pop()), 0);
  const append = 'statement="event_append"';
  const seconds = (le?: string) =>
    sum(`gms_db_batched_statement_seconds_${le ? 'bucket' : 'count'}`, append, le);
  // The publish route's own time, as the server measured it (to its answer's headers).
  const publish = 'route="/genesys/1/notification/publish"';
  const served = (le?: string) =>
    sum(`gms_http_request_duration_seconds_${le ? 'bucket' : 'count'}`, publish, le);
  return {
    count: seconds(),
    inputs: sum('gms_db_batched_statement_inputs_sum', append),
    atLeast25: seconds() - seconds('0.025'),
    atLeast50: seconds() - seconds('0.05'),
    atLeast100: seconds() - seconds('0.1'),
    served: served(),
    servedOver10: served() - served('0.01'),
    servedOver25: served() - served('0.025'),
    servedOver50: served() - served('0.05'),
    servedOver250: served() - served('0.25'),
  };
}

/** Live memory of the server after a forced full GC (bench/memory-probe.mjs). */
async function liveMemory(instance: Instance): Promise<NodeJS.MemoryUsage> {
  const lines = () => (existsSync(instance.memoryFile) ? readFileSync(instance.memoryFile, 'utf8') : '');
  const before = lines().split('\n').filter(Boolean).length;
  process.kill(instance.pid, 'SIGUSR2');
  for (;;) {
    const all = lines().split('\n').filter(Boolean);
    if (all.length > before) return JSON.parse(all.at(-1) as string) as NodeJS.MemoryUsage;
    await sleep(50);
  }
}

/** Starts (stop false) or ends the server's measured phase; at the end, its GC and loop-delay stats. */
async function togglePhase(instance: Instance, stop: boolean): Promise<PhaseStats | null> {
  process.kill(instance.pid, 'SIGWINCH');
  if (!stop) return null;
  const deadline = performance.now() + 10_000;
  while (!existsSync(instance.statsFile) && performance.now() < deadline) await sleep(50);
  const line = existsSync(instance.statsFile) ? readFileSync(instance.statsFile, 'utf8').trim() : '';
  if (instance.profileFile) {
    while (!existsSync(`${instance.profileFile}.done`)) await sleep(100);
    log(`CPU profile of the events: ${instance.profileFile}`);
  }
  return line ? (JSON.parse(line.split('\n').at(-1) as string) as PhaseStats) : null;
}

/** Transactions committed in the database so far (pg_stat_database). */
async function commits(url: string): Promise<number> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client<{ n: string }[]>`
      select xact_commit::text as n from pg_stat_database where datname = current_database()`;
    return Number(row?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** CPU (ms) used so far by each process; processes new since `before` count from zero. */
const cpuOf = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuMs([pid])]));
const cpuSince = (before: Map<number, number>, pids: number[]) =>
  pids.reduce((sum, pid) => sum + processCpuMs([pid]) - (before.get(pid) ?? 0), 0);

interface Client {
  child: ChildProcess;
  live: number;
  progress: { opened: number; failed: number };
}

function startClient(onMessage: (client: Client, msg: FromClient) => void): Client {
  // The soft fd limit is raised to the hard one before node starts (exec keeps the IPC channel).
  const child = spawn(
    'sh',
    [
      '-c',
      `ulimit -n ${hardFdLimit}; exec "$@"`,
      'sh',
      process.execPath,
      ...(process.env.BENCH_CLIENT_PROFILE_DIR
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CLIENT_PROFILE_DIR]
        : []),
      // The memory reducer ran a full, non-incremental compaction (40–70 ms) in every client
      // once its allocation dropped after the opening, i.e. in the window's first seconds: late
      // receipts that were the device's own pause, not the server's (2026-12-06, --trace-gc).
      '--no-memory-reducer',
      ...(process.env.BENCH_CLIENT_NODE_ARGS ?? '').split(' ').filter(Boolean),
      '--import',
      'tsx',
      clientScript,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const client: Client = { child, live: 0, progress: { opened: 0, failed: 0 } };
  child.on('message', (msg: FromClient) => onMessage(client, msg));
  return client;
}

/** Opens n subscribers over client processes, reporting progress; resolves once all answered. */
async function openSubscribers(
  wsUrl: string,
  n: number,
  users: (first: number) => Extract<ToClient, { type: 'open' }>['users'],
  report: 'per-event' | 'stream',
  clients: Client[],
  onMessage: (client: Client, msg: FromClient) => void,
) {
  const startedAt = performance.now();
  const opening: Promise<Extract<FromClient, { type: 'opened' }>>[] = [];
  for (let i = 0; i < n; i += perClient) {
    const count = Math.min(perClient, n - i);
    const first = i;
    opening.push(
      new Promise((resolve, reject) => {
        const client = startClient((c, msg) => {
          if (msg.type === 'progress') c.progress = msg;
          else if (msg.type === 'opened') {
            c.live = msg.opened;
            c.progress = msg;
            resolve(msg);
          } else onMessage(c, msg);
        });
        clients.push(client);
        client.child.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
        client.child.send({
          type: 'open',
          wsUrl,
          users: users(first),
          count,
          concurrency,
          report,
          client: clientKind,
        } satisfies ToClient);
      }),
    );
  }
  const progress = setInterval(() => {
    const opened = clients.reduce((a, c) => a + c.progress.opened, 0);
    const failed = clients.reduce((a, c) => a + c.progress.failed, 0);
    const sec = (performance.now() - startedAt) / 1000;
    log(
      `opening: ${opened} of ${n} open, ${failed} failed, ${(opened / sec).toFixed(0)}/s, load ${loadavg()[0]?.toFixed(1)}`,
    );
  }, 5_000);
  try {
    const opened = await Promise.all(opening);
    return {
      reached: opened.reduce((a, o) => a + o.opened, 0),
      failed: opened.reduce((a, o) => a + o.failed, 0),
      firstError: opened.find((o) => o.firstError)?.firstError ?? null,
      connectSec: (performance.now() - startedAt) / 1000,
    };
  } finally {
    clearInterval(progress);
  }
}

async function closeClients(clients: Client[]) {
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
}

const publishBody = (tag: string, event: number, sentAt: number, deviceId?: string) =>
  JSON.stringify({
    tag,
    message: { sentAt, event },
    ...(deviceId ? { notificationDetails: { type: 'comet', deviceId } } : {}),
  });

interface Row {
  shape: Shape;
  /** The build measured (--server). */
  server: string;
  n: number;
  reached: number;
  connectSec: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  /** The server's memory (after a full GC) before the subscribers, and after them. */
  memory: { before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage };
  perConnectionKb: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  rssPerConnectionKb: number;
  deliveries: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  /** `all`: when the slowest subscriber had the event (median event); else the achieved rate. */
  lastP50?: number;
  achievedRate?: number;
  load: { start: number; min: number; max: number };
  /** CPU per published event (ms), by process: servers, database backends, subscriber clients, publisher. */
  cpuPerEventMs: {
    serverA: number;
    serverB: number | null;
    database: number | null;
    clients: number;
    publisher: number;
  };
  /** Transactions the scratch database committed per published event (every statement outside one counts). */
  commitsPerEvent: number | null;
  /**
   * spread/cross, where an event's delay goes (ms, p50/p99 over events): how late the publisher sent
   * it (its own schedule), when its publish was answered (the publishing server's work: the store
   * write, then the poke), and delivery minus answer (the poke's way to the subscriber; negative
   * when the subscriber had it before the publisher had its answer).
   */
  split?: { sentLate: number[]; answered: number[]; afterAnswer: number[] };
  /**
   * spread/cross, while the publisher sent: its own event loop's delay (ms; a late send is a late
   * loop), and how long each process's main thread waited for a CPU, in ms per second of the
   * phase (the machine's share of the lateness: 1,000 would be a thread never scheduled).
   */
  publisherLoop?: {
    delayP99: number;
    delayMax: number;
    runQueueMsPerSec: { publisher: number; serverA: number; serverB: number | null };
  };
  /** spread/cross on PostgreSQL: the disk's slowest sync while sending (ms; bench/disk-probe.ts). */
  diskSyncMaxMs?: number;
  /** Instance A (the subscribers' server) during the events. */
  serverStats: PhaseStats | null;
  /** cross: instance B (the publishing server) during the events. */
  serverStatsB?: PhaseStats | null;
  benchCores: number;
  otherCores: number;
  notes: string[];
}

async function run(shape: Shape, n: number, build: string): Promise<Row> {
  const notes: string[] = [];
  let db: ScratchDatabase | null = null;
  const instances: Instance[] = [];
  const clients: Client[] = [];
  let diskProbe: ReturnType<typeof startDiskProbe> | null = null;
  try {
    const env: Record<string, string> = { DATABASE_URL: 'memory://' };
    if (shape === 'cross' || database === 'postgres') {
      db = await scratchDatabase(baseDatabaseUrl);
      env.DATABASE_URL = db.url;
    }
    if (shape === 'cross') {
      env.REDIS_URL = redisUrl;
      env.PUBSUB_NAMESPACE = `push-bench-${process.pid}-${n}`;
    }
    const a = await startInstance(`${shape}-${n}-a`, env, build);
    instances.push(a);
    const b = shape === 'cross' ? await startInstance(`${shape}-${n}-b`, env, build) : a;
    if (b !== a) instances.push(b);
    let serverExit: string | null = null;
    a.server.process.once('exit', (code, signal) => {
      serverExit = `server exited (${code ?? signal})`;
    });
    const publisher = new RawHttpPool(b.server.url, publishConnectionsFor(shape));

    const gmsUser = `bench-${n}`;
    if (shape === 'all') {
      const sub = await fetch(`${a.server.url}/genesys/1/notification/subscription`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', gms_user: gmsUser },
        body: JSON.stringify({ subscriberId: 'bench', filter: 'bench.*', expire: 3600 }),
      });
      if (!sub.ok) throw new Error(`subscribe: ${sub.status}`);
    }
    const publish = (body: string, headers: Record<string, string> = {}) =>
      publisher.request({
        path: '/genesys/1/notification/publish',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    await sleep(1000);
    const memBefore = await liveMemory(a);
    const rssBefore = rssBytes(a.pid);
    const loadAtStart = loadavg()[0] as number;

    // Receipts: per event (shape all), or as a stream (spread, cross).
    const pending = new Map<number, { reports: number; delays: number[]; done: () => void }>();
    const streamed: number[] = [];
    /** spread/cross: per event, its delivery delay and when its publish was answered (from its scheduled time). */
    const deliveredAt = new Map<number, number>();
    const answeredAt = new Map<number, number>();
    const sentLate: number[] = [];
    /** The clients' own GC pauses reported with receipts (reset when the window starts). */
    const clientGc = { ms: 0, maxMs: 0 };
    const onMessage = (client: Client, msg: FromClient) => {
      if (msg.type === 'dropped') {
        client.live--;
        if (msg.count === 1) notes.push(`server closed a subscriber: ${msg.firstReason}`);
      } else if (msg.type === 'event') {
        const p = pending.get(msg.event);
        if (!p) return;
        p.delays.push(...msg.delays);
        if (++p.reports === clients.filter((c) => c.live > 0).length) p.done();
      } else if (msg.type === 'receipts') {
        clientGc.ms += msg.gcMs;
        clientGc.maxMs = Math.max(clientGc.maxMs, msg.gcMaxMs);
        for (let i = 0; i < msg.events.length; i++)
          if ((msg.events[i] as number) >= 0) {
            streamed.push(msg.delays[i] as number);
            deliveredAt.set(msg.events[i] as number, msg.delays[i] as number);
          }
      }
    };
    const opened = await openSubscribers(
      `${a.server.url.replace('http', 'ws')}/graphql`,
      n,
      (first) => (shape === 'all' ? { only: gmsUser } : { prefix: 'bench-d', first }),
      shape === 'all' ? 'per-event' : 'stream',
      clients,
      onMessage,
    );
    const { reached } = opened;
    if (opened.failed)
      notes.push(`${opened.failed} of ${n} subscribers failed to open: ${opened.firstError}`);
    log(
      `${shape} ${n}: ${reached} open in ${opened.connectSec.toFixed(1)} s, ${opened.failed} failed; server ${serverExit ?? `has ${openFds(a.pid)} fds open`}`,
    );
    if (serverExit) throw new Error(`${serverExit} after ${reached} subscribers`);

    /** Shape all: publishes one event and resolves with every subscriber's delay once all have it. */
    const fanOut = async (event: number): Promise<number[]> => {
      const delays: number[] = [];
      const all = new Promise<void>((resolve) => {
        pending.set(event, { reports: 0, delays, done: resolve });
      });
      const timeout = sleep(EVENT_TIMEOUT_MS).then(() => 'timeout' as const);
      const status = await publish(
        publishBody(`bench.e${event}`, event, performance.timeOrigin + performance.now()),
      );
      if (status >= 300) throw new Error(`publish: ${status}`);
      if ((await Promise.race([all, timeout])) === 'timeout')
        notes.push(`event ${event}: ${delays.length} of ${reached} deliveries within ${EVENT_TIMEOUT_MS} ms`);
      pending.delete(event);
      return delays;
    };

    let appendsBefore: Awaited<ReturnType<typeof appendStatements>> | undefined;
    let memAfter: NodeJS.MemoryUsage;
    let rssAfter: number;
    // Every subscription is live when it has the warm-up event (all), or after a pause (spread).
    if (shape === 'all') {
      await fanOut(-1);
      memAfter = await liveMemory(a);
      rssAfter = rssBytes(a.pid);
    } else {
      for (let i = 0; i < 20; i++) {
        const device = `bench-d${Math.floor(Math.random() * reached)}`;
        await publish(publishBody('bench.w', -1, performance.timeOrigin + performance.now(), device), {
          gms_user: device,
        });
      }
      // Started well ahead of the window: its own start-up (a Node process) is not the servers'.
      if (database === 'postgres' || shape === 'cross') diskProbe = startDiskProbe();
      await sleep(2000);
      // What disturbs the servers happens before the warm-up, which then runs straight into the
      // window: the live-heap reading (forced full collections of A's ~300 MB, whose concurrent
      // sweeping ran on into the window's first second when it came after the warm-up) and the
      // scrape of B's counters (prom-client's text put a full collection of B into that second).
      // B's counts then include the warm-up's publishes.
      memAfter = await liveMemory(a);
      rssAfter = rssBytes(a.pid);
      appendsBefore = await appendStatements(b);
      if (warmupSeconds > 0) {
        const startAt = performance.now();
        for (let k = 0; k < rate * warmupSeconds; ) {
          const due = Math.min(
            rate * warmupSeconds,
            Math.floor(((performance.now() - startAt) * rate) / 1000) + 1,
          );
          for (; k < due; k++) {
            const device = `bench-d${Math.floor(Math.random() * reached)}`;
            publish(publishBody('bench.w', -1, performance.timeOrigin + performance.now(), device), {
              gms_user: device,
            }).catch(() => {});
          }
          await sleep(5);
        }
      } else await sleep(2000);
    }
    const pids = [process.pid, ...instances.map((i) => i.pid), ...clients.map((c) => c.child.pid as number)];
    const cpuStart = cpuSnapshot(pids);
    const clientPids = clients.map((c) => c.child.pid as number);
    const backendsAtStart = db ? await databaseBackendPids(db.url) : [];
    const commitsAtStart = db ? await commits(db.url) : 0;
    const cpuBefore = cpuOf([...pids, ...backendsAtStart]);
    const loads = [loadavg()[0] as number];
    for (const i of instances) await togglePhase(i, false);
    let delays: number[] = [];
    const completions: number[] = [];
    let expected = 0;
    let achievedRate: number | undefined;
    let publisherLoop: Row['publisherLoop'];
    let diskSyncMaxMs: number | undefined;
    if (shape === 'all') {
      for (let e = 0; e < eventCount; e++) {
        const d = await fanOut(e);
        delays.push(...d);
        expected += reached;
        completions.push(Math.max(...d));
        loads.push(loadavg()[0] as number);
      }
    } else {
      // Open loop: the k-th event is due at start + k / rate; each is a direct comet publish.
      const total = Math.round(rate * seconds);
      const loopDelay = monitorEventLoopDelay({ resolution: 2 });
      loopDelay.enable();
      const waitedBefore = [process.pid, a.pid, b.pid].map(runQueueMs);
      const startAt = performance.now();
      clientGc.ms = 0;
      clientGc.maxMs = 0;
      const publisherGc = { ms: 0, maxMs: 0 };
      const gcObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          publisherGc.ms += entry.duration;
          publisherGc.maxMs = Math.max(publisherGc.maxMs, entry.duration);
        }
      });
      gcObserver.observe({ entryTypes: ['gc'] });
      log(`window starts (${new Date().toISOString().slice(11, 23)} UTC): ${total} events at ${rate}/s`);
      const inFlight: Promise<void>[] = [];
      let failedPublishes = 0;
      for (let k = 0; k < total; ) {
        const due = Math.min(total, Math.floor(((performance.now() - startAt) * rate) / 1000) + 1);
        for (; k < due; k++) {
          const device = `bench-d${Math.floor(Math.random() * reached)}`;
          const sentAt = performance.timeOrigin + startAt + (k * 1000) / rate;
          const event = k;
          sentLate.push(performance.timeOrigin + performance.now() - sentAt);
          inFlight.push(
            publish(publishBody('bench.s', k, sentAt, device), { gms_user: device }).then(
              (status) => {
                answeredAt.set(event, performance.timeOrigin + performance.now() - sentAt);
                if (status >= 300) failedPublishes++;
              },
              () => {
                failedPublishes++;
              },
            ),
          );
        }
        if (k % 1000 < 5) loads.push(loadavg()[0] as number);
        await sleep(5);
      }
      loopDelay.disable();
      const disk = await diskProbe?.stop();
      if (disk) {
        const windowStart = performance.timeOrigin + startAt;
        const inWindow = disk.samples.filter(([at]) => at >= windowStart);
        const sorted = inWindow.map(([, ms]) => ms).sort((x, y) => x - y);
        const stalls = inWindow
          .filter(([, ms]) => ms >= 25)
          .map(([at, ms]) => `${((at - windowStart) / 1000).toFixed(1)} s (${Math.round(ms)} ms)`);
        diskSyncMaxMs = sorted.at(-1) ?? 0;
        notes.push(
          `the disk while sending (8 KB written and fdatasynced every ${DISK_PROBE_INTERVAL_MS} ms, ${tmpdir()}): ${sorted.length} syncs, p50 ${percentile(sorted, 50)}, p99 ${percentile(sorted, 99)}, max ${diskSyncMaxMs} ms; ≥ 25 ms: ${stalls.length ? stalls.join(', ') : 'none'}`,
        );
      }
      const sendingSec = (performance.now() - startAt) / 1000;
      const waited = [process.pid, a.pid, b.pid].map(
        (pid, i) => Math.round(((runQueueMs(pid) - (waitedBefore[i] ?? 0)) / sendingSec) * 10) / 10,
      );
      publisherLoop = {
        delayP99: Math.round(loopDelay.percentile(99) / 1e5) / 10,
        delayMax: Math.round(loopDelay.max / 1e5) / 10,
        runQueueMsPerSec: {
          publisher: waited[0] as number,
          serverA: waited[1] as number,
          serverB: b !== a ? (waited[2] as number) : null,
        },
      };
      await Promise.all(inFlight);
      achievedRate = total / ((performance.now() - startAt) / 1000);
      expected = total - failedPublishes;
      if (failedPublishes) notes.push(`${failedPublishes} publishes failed`);
      // Drain: until everything arrived, or nothing more for 5 s.
      let last = -1;
      let quietSince = performance.now();
      while (streamed.length < expected && performance.now() - quietSince < 5000) {
        if (streamed.length !== last) {
          last = streamed.length;
          quietSince = performance.now();
        }
        await sleep(200);
      }
      gcObserver.disconnect();
      // The bench's own pauses: a publisher's delays its sends (counted from the schedule), a
      // client's its reading of deliveries. Neither is the servers' time.
      const r = (ms: number) => Math.round(ms * 10) / 10;
      notes.push(
        `the bench's own GC pauses in the window: publisher longest ${r(publisherGc.maxMs)} ms (${r(publisherGc.ms)} in all), clients longest ${r(clientGc.maxMs)} ms (${r(clientGc.ms)} in all, ${clients.length} processes)`,
      );
      delays = streamed;
      if (streamed.length < expected)
        notes.push(`${expected - streamed.length} of ${expected} events not delivered`);
    }
    const pct = (xs: number[]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      return [percentile(sorted, 50), percentile(sorted, 99)].map((x) => Math.round(x * 10) / 10);
    };
    const afterAnswer: number[] = [];
    for (const [event, delivered] of deliveredAt) {
      const answered = answeredAt.get(event);
      if (answered !== undefined) afterAnswer.push(delivered - answered);
    }
    const split =
      shape === 'all'
        ? undefined
        : { sentLate: pct(sentLate), answered: pct([...answeredAt.values()]), afterAnswer: pct(afterAnswer) };
    // spread/cross: when (seconds into the window, by schedule) the slowest 1 % were sent: one
    // stall shows as one bin, a server that keeps falling behind as many.
    if (shape !== 'all' && deliveredAt.size > 0) {
      const sortedDelays = [...deliveredAt.values()].sort((x, y) => x - y);
      const threshold = percentile(sortedDelays, 99);
      const bins = new Map<number, number>();
      for (const [event, delay] of deliveredAt)
        if (delay >= threshold)
          bins.set(
            Math.floor((event / rate) * 2) / 2,
            (bins.get(Math.floor((event / rate) * 2) / 2) ?? 0) + 1,
          );
      const top = [...bins].sort((x, y) => y[1] - x[1]).slice(0, 4);
      // Where the slowest 1 % waited: medians of each part, so a tail made by the publisher, by
      // B's answer or by the way after it shows as such.
      const parts = { late: [] as number[], answer: [] as number[], after: [] as number[] };
      for (const [event, delay] of deliveredAt) {
        const answered = answeredAt.get(event);
        const late = sentLate[event];
        if (delay < threshold || answered === undefined || late === undefined) continue;
        parts.late.push(late);
        parts.answer.push(answered - late);
        parts.after.push(delay - answered);
      }
      const median = (xs: number[]) =>
        Math.round(
          percentile(
            [...xs].sort((x, y) => x - y),
            50,
          ) * 10,
        ) / 10;
      notes.push(
        `slowest 1 %, medians: sent late ${median(parts.late)} ms, sent to answered ${median(parts.answer)} ms, answered to delivered ${median(parts.after)} ms`,
      );
      notes.push(
        `slowest 1 % (≥ ${Math.round(threshold)} ms) sent at ${top.map(([at, n]) => `${at.toFixed(1)}–${(at + 0.5).toFixed(1)} s (${n})`).join(', ')} of the window`,
      );
    }
    if (appendsBefore) {
      const now = await appendStatements(b);
      const d = (k: keyof typeof now) => now[k] - appendsBefore[k];
      notes.push(
        `event-append statements${warmupSeconds > 0 ? ' (warm-up and window)' : ''}: ${d('count')} for ${d('inputs')} publishes; at the database ≥ 25 ms: ${d('atLeast25')}, ≥ 50 ms: ${d('atLeast50')}, ≥ 100 ms: ${d('atLeast100')}; publishes the server took > 10 ms to answer: ${d('servedOver10')}, > 25 ms: ${d('servedOver25')}, > 50 ms: ${d('servedOver50')}, > 250 ms: ${d('servedOver250')} of ${d('served')}`,
      );
    }
    const serverStats = await togglePhase(a, true);
    const serverStatsB = b !== a ? await togglePhase(b, true) : undefined;
    const cpuEnd = cpuSnapshot(pids);
    const backends = db ? await databaseBackendPids(db.url) : [];
    // PostgreSQL publishes its counters at most once a second.
    if (db) await sleep(1_100);
    const commitsPerEvent = db ? (await commits(db.url)) - commitsAtStart : null;
    const published = shape === 'all' ? eventCount : expected;
    const perEvent = (ms: number) => ms / Math.max(1, published);
    const cpuPerEventMs = {
      serverA: perEvent(cpuSince(cpuBefore, [a.pid])),
      serverB: b !== a ? perEvent(cpuSince(cpuBefore, [b.pid])) : null,
      database: db ? perEvent(cpuSince(cpuBefore, backends)) : null,
      clients: perEvent(cpuSince(cpuBefore, clientPids)),
      publisher: perEvent(cpuSince(cpuBefore, [process.pid])),
    };
    const wallJiffies = (cpuEnd.total - cpuStart.total) / cpus().length;
    delays.sort((x, y) => x - y);
    completions.sort((x, y) => x - y);
    await publisher.close();
    const live = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
    return {
      shape,
      server: build,
      n,
      reached,
      connectSec: opened.connectSec,
      memory: { before: memBefore, after: memAfter },
      heapBeforeMb: live(memBefore) / 2 ** 20,
      heapAfterMb: live(memAfter) / 2 ** 20,
      perConnectionKb: (live(memAfter) - live(memBefore)) / reached / 1024,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssAfterMb: rssAfter / 2 ** 20,
      rssPerConnectionKb: (rssAfter - rssBefore) / reached / 1024,
      deliveries: delays.length,
      expected,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      max: delays.at(-1) ?? Number.NaN,
      lastP50: shape === 'all' ? percentile(completions, 50) : undefined,
      achievedRate,
      load: { start: loadAtStart, min: Math.min(...loads), max: Math.max(...loads) },
      cpuPerEventMs,
      commitsPerEvent:
        commitsPerEvent === null
          ? null
          : commitsPerEvent / Math.max(1, shape === 'all' ? eventCount : expected),
      split,
      publisherLoop,
      ...(diskSyncMaxMs !== undefined ? { diskSyncMaxMs } : {}),
      serverStats,
      serverStatsB,
      benchCores: (cpuEnd.ours - cpuStart.ours) / wallJiffies,
      // Clamped: jiffy rounding makes it slightly negative on an idle machine.
      otherCores: Math.max(0, (cpuEnd.busy - cpuStart.busy - (cpuEnd.ours - cpuStart.ours)) / wallJiffies),
      notes,
    };
  } finally {
    // Ended after the window; here too when the run failed before that (stop is idempotent).
    await diskProbe?.stop();
    await closeClients(clients);
    for (const i of instances) if (i.server.process.exitCode === null) await i.server.stop();
    for (const i of instances) {
      rmSync(i.memoryFile, { force: true });
      rmSync(i.statsFile, { force: true });
    }
    await db?.drop();
  }
}

async function main() {
  const rows: Row[] = [];
  for (let round = 0; round < rounds; round++)
    for (const build of servers)
      for (const shape of shapes)
        for (const n of sizes) {
          try {
            const r = await run(shape, n, build);
            rows.push(r);
            process.stdout.write(`${JSON.stringify(r)}\n`);
          } catch (err) {
            const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
            process.stdout.write(
              `${shape} ${n} (${build}): failed: ${err instanceof Error ? err.message : String(err)}${cause}\n`,
            );
          }
        }
  const label = (r: Row) => (servers.length > 1 ? `${r.shape} (${r.server})` : r.shape);
  const storage = database === 'postgres' ? 'PostgreSQL' : 'in-memory PGlite';
  process.stdout.write(
    `\n${machine()}, hard fd limit ${hardFdLimit}; all/spread on ${storage}, cross on PostgreSQL + Redis; subscribers on the ${clientKind === 'raw' ? "bench's minimal WebSocket client" : 'ws library'}\n\n`,
  );
  process.stdout.write(
    '| Shape | Subscribers | live heap before → after | per connection (heap) | RSS per connection | delivery p50 | p99 | max | last subscriber / rate | load (1 min) | other work (cores) |\n',
  );
  process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  const f = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 0 });
  for (const r of rows)
    process.stdout.write(
      `| ${label(r)} | ${f(r.reached)}${r.reached < r.n ? ` of ${f(r.n)}` : ''} | ${f(r.heapBeforeMb)} → ${f(r.heapAfterMb)} MB | ${r.perConnectionKb.toFixed(1)} KB | ${r.rssPerConnectionKb.toFixed(0)} KB | ${f(r.p50)} ms | ${f(r.p99)} ms | ${f(r.max)} ms | ${r.lastP50 !== undefined ? `${f(r.lastP50)} ms` : `${f(r.achievedRate ?? 0)} ev/s`} | ${r.load.min.toFixed(1)}–${r.load.max.toFixed(1)} | ${r.otherCores.toFixed(2)} |\n`,
    );
  process.stdout.write(
    '\n| Shape | Subscribers | CPU per event (ms): server A / server B / database / clients / publisher | database commits per event | server A loop delay p99 / max | GC: scavenges, mark-compacts (longest pause) |\n|---|---:|---|---:|---|---|\n',
  );
  const ms = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  for (const r of rows) {
    const c = r.cpuPerEventMs;
    const st = r.serverStats;
    const gc = (kind: string) => st?.gc[kind];
    process.stdout.write(
      `| ${label(r)} | ${f(r.reached)} | ${ms(c.serverA)} / ${ms(c.serverB)} / ${ms(c.database)} / ${ms(c.clients)} / ${ms(c.publisher)} | ${ms(r.commitsPerEvent)} | ${st ? `${st.loopDelayMs.p99} / ${st.loopDelayMs.max} ms` : '–'} | ${gc('scavenge')?.count ?? 0} (${f(gc('scavenge')?.maxMs ?? 0)} ms), ${gc('mark-compact')?.count ?? 0} (${f(gc('mark-compact')?.maxMs ?? 0)} ms) |\n`,
    );
  }
  const splits = rows.filter((r) => r.split);
  if (splits.length > 0) {
    process.stdout.write(
      '\n| Shape | Subscribers | publisher sent late p50 / p99 | publish answered p50 / p99 | delivered minus answered p50 / p99 | server B loop delay p99 / max, scavenges (longest) | publisher loop delay p99 / max | waiting for a CPU (ms/s): publisher / A / B |\n|---|---:|---|---|---|---|---|---|\n',
    );
    for (const r of splits) {
      const s = r.split as NonNullable<Row['split']>;
      const two = (x: number[]) => `${x[0]} / ${x[1]} ms`;
      process.stdout.write(
        `| ${label(r)} | ${f(r.reached)} | ${two(s.sentLate)} | ${two(s.answered)} | ${two(s.afterAnswer)} | ${
          r.serverStatsB
            ? `${r.serverStatsB.loopDelayMs.p99} / ${r.serverStatsB.loopDelayMs.max} ms, ${r.serverStatsB.gc.scavenge?.count ?? 0} (${f(r.serverStatsB.gc.scavenge?.maxMs ?? 0)} ms)`
            : '–'
        } | ${r.publisherLoop ? `${r.publisherLoop.delayP99} / ${r.publisherLoop.delayMax} ms` : '–'} | ${
          r.publisherLoop
            ? `${r.publisherLoop.runQueueMsPerSec.publisher} / ${r.publisherLoop.runQueueMsPerSec.serverA} / ${r.publisherLoop.runQueueMsPerSec.serverB ?? '–'}`
            : '–'
        } |\n`,
      );
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
