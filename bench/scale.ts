/**
 * Issue 19: throughput with 1, 2 and 3 instances behind HAProxy (round robin) on one PostgreSQL and
 * one Redis, for a read-heavy and a write-heavy mix, with PostgreSQL transactions and row writes
 * per request (pg_stat_database) and Redis PUBLISHes per request (INFO commandstats) measured
 * around each run. Everything on loopback; the load generator shares the machine's cores.
 *
 *   node --import tsx bench/scale.ts [--instances 1,2,3] [--connections 40] [--seconds 8]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test): a scratch database is made
 * next to it and dropped afterwards. BENCH_REDIS_URL (default redis://127.0.0.1:6379): a namespace
 * of its own (PUBSUB_NAMESPACE), nothing is flushed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { machine, type Server, scratchDatabase, startProcess } from './harness.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1,2,3' },
    connections: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '8' },
  },
});
const counts = args.instances.split(',').map(Number);
const connections = Number(args.connections);
const seconds = Number(args.seconds);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const numbers = Array.from({ length: 500 }, (_, i) => `      K${i}: '1-800-${String(10000 + i)}'`).join('\n');
const provisioning = `resource_groups:
  Shared:
    locking: false
    booking_expiration_timeout: 30
    resources:
${numbers}
`;

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const adminAuth = `Basic ${Buffer.from('default:password').toString('base64')}`;
type Req = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };
const serverInfo: Req = {
  method: 'POST',
  path: '/graphql',
  headers: json,
  body: JSON.stringify({ query: '{ serverInfo { nodeId version } }' }),
};
const gqlNodes: Req = {
  method: 'POST',
  path: '/graphql',
  headers: { ...json, authorization: adminAuth },
  body: JSON.stringify({ query: '{ nodes { id status health } }' }),
};
const nodeStatus: Req = { method: 'GET', path: '/genesys/1/admin/node/status' };
const requestInteraction: Req = {
  method: 'POST',
  path: '/genesys/1/service/request-interaction',
  headers: form,
  body: '_phone_number=6504669999&_resource_group=Shared&_provide_code=true&usr_reason=billing',
};

/** Each connection cycles through its mix in order. */
const mixes: { name: string; requests: Req[] }[] = [
  {
    name: 'read-heavy (4 reads : 1 write)',
    requests: [serverInfo, nodeStatus, gqlNodes, nodeStatus, requestInteraction],
  },
  { name: 'write-heavy (request-interaction only)', requests: [requestInteraction] },
];

const out = (line = '') => process.stdout.write(`${line}\n`);

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const taken = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (!taken) return port;
  }
}

async function startHaproxy(dir: string, servers: Server[]): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const cfg = join(dir, `haproxy-${servers.length}.cfg`);
  await writeFile(
    cfg,
    `global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${port}
  default_backend gms
backend gms
  balance roundrobin
${servers.map((s, i) => `  server gms${i + 1} ${s.url.replace('http://', '')}`).join('\n')}
`,
  );
  const child = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (i > 100) throw new Error('haproxy did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}

interface Counters {
  commits: number;
  written: number;
  publishes: number;
}

async function counters(sqlc: postgres.Sql, dbName: string): Promise<Counters> {
  const [row] = await sqlc`select xact_commit::float8 as commits,
      (tup_inserted + tup_updated + tup_deleted)::float8 as written
    from pg_stat_database where datname = ${dbName}`;
  const info = await redisInfo();
  const publishes = Number(/cmdstat_publish:calls=(\d+)/.exec(info)?.[1] ?? 0);
  return { commits: Number(row?.commits), written: Number(row?.written), publishes };
}

/** INFO commandstats over a raw RESP connection (no client library needed for one command). */
function redisInfo(): Promise<string> {
  const u = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    let data = '';
    s.on('data', (d) => {
      data += d.toString();
      const m = /^\$(\d+)\r\n/.exec(data);
      if (m && data.length >= m[0].length + Number(m[1])) {
        s.end();
        resolve(data);
      }
    });
    s.on('error', reject);
    s.write('*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n');
  });
}

async function run(url: string, requests: Req[], duration: number) {
  const r = await autocannon({ url, connections, duration, requests });
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    total: r.requests.total,
  };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  const config = join(dir, 'gms.yaml');
  await writeFile(config, provisioning);
  const db = await scratchDatabase(baseDbUrl);
  const stats = postgres(baseDbUrl, { max: 1, onnotice: () => {} });
  const namespace = `scale${randomUUID().slice(0, 8)}`;
  const rows: string[] = [];
  out(`Machine: ${machine()}; load before ${loadavg()[0]?.toFixed(1)}`);
  try {
    for (const n of counts) {
      const servers: Server[] = [];
      let proxy: { url: string; child: ChildProcess } | null = null;
      try {
        for (let i = 0; i < n; i++)
          servers.push(
            await startProcess(
              ['src/main.ts'],
              {
                DATABASE_URL: db.url,
                REDIS_URL: redisUrl,
                PUBSUB_NAMESPACE: namespace,
                GMS_CONFIG: config,
                NODE_NAME: `scale-${n}-${i}`,
                LOG_LEVEL: 'warn',
                NODE_ENV: 'production',
              },
              '/healthz',
            ),
          );
        proxy = await startHaproxy(dir, servers);
        for (const mix of mixes) {
          await run(proxy.url, mix.requests, 2);
          const before = await counters(stats, db.name);
          const r = await run(proxy.url, mix.requests, seconds);
          const after = await counters(stats, db.name);
          const per = (k: keyof Counters) => ((after[k] - before[k]) / Math.max(1, r.total)).toFixed(2);
          const line = `| ${n} | ${mix.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} | ${per('commits')} | ${per('written')} | ${per('publishes')} | ${loadavg()[0]?.toFixed(1)} |`;
          rows.push(line);
          out(line);
        }
      } finally {
        proxy?.child.kill('SIGTERM');
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
  } finally {
    await stats.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
  out(
    `\n${connections} connections through HAProxy (round robin), ${seconds} s per run after 2 s warm-up.\n\n` +
      '| instances | mix | req/s | p50 ms | p99 ms | failed | PG commits/req | PG rows written/req | Redis PUBLISH/req | load (1 min) |\n' +
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
      rows.join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
