/**
 * Issue 19: throughput with 1, 2 and 3 instances behind HAProxy on one PostgreSQL and one Redis,
 * for a read-heavy and a write-heavy mix, with PostgreSQL commits and rows written per request
 * (pg_stat_database) and Redis PUBLISHes per request (INFO commandstats) measured around each run.
 * The cluster is the fault drill's (scripts/drill/cluster.ts): a private PostgreSQL and Redis on
 * loopback (so the counters are ours alone), N `src/main.ts` processes and HAProxy (round robin,
 * /readyz checks). The load generator (autocannon, in this process) shares the machine's cores.
 *
 *   node --import tsx bench/scale.ts [--instances 1,2,3] [--connections 40] [--seconds 8]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { adminAuthorization, type Cluster, missingTools, startCluster } from '../scripts/drill/cluster.js';
import { machine } from './harness.js';

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
  headers: { ...json, authorization: adminAuthorization },
  body: JSON.stringify({ query: '{ nodes { id status health } }' }),
};
const nodeStatus: Req = { method: 'GET', path: '/genesys/1/admin/node/status' };
const requestInteraction: Req = {
  method: 'POST',
  path: '/genesys/1/service/request-interaction',
  headers: form,
  body: '_phone_number=6504669999&_resource_group=Shared&_provide_code=true&usr_reason=billing',
};

const storageWrite: Req = {
  method: 'POST',
  path: '/genesys/1/storage/600',
  headers: { ...form, gms_user: 'scale-device' },
  body: 'reason=billing&n=1',
};
const publish: Req = {
  method: 'POST',
  path: '/genesys/1/notification/publish',
  headers: { ...json, gms_user: 'scale-device' },
  body: JSON.stringify({
    tag: 'scale.tick',
    message: 'tick',
    notificationDetails: { deviceId: 'scale-device', type: 'comet' },
  }),
};

/** Each connection cycles through its mix in order. */
const mixes: { name: string; requests: Req[] }[] = [
  {
    name: 'read-heavy (4 reads : 1 write)',
    requests: [serverInfo, nodeStatus, gqlNodes, nodeStatus, requestInteraction],
  },
  {
    name: 'write-heavy (request-interaction, storage write, notification publish)',
    requests: [requestInteraction, storageWrite, publish],
  },
];

const out = (line = '') => process.stdout.write(`${line}\n`);

interface Counters {
  commits: number;
  written: number;
  publishes: number;
}

async function counters(c: Cluster, sqlc: postgres.Sql): Promise<Counters> {
  const [row] = await sqlc`select xact_commit::float8 as commits,
      (tup_inserted + tup_updated + tup_deleted)::float8 as written
    from pg_stat_database where datname = current_database()`;
  const info = await redisInfo(c.redis.url);
  const publishes = Number(/cmdstat_publish:calls=(\d+)/.exec(info)?.[1] ?? 0);
  return { commits: Number(row?.commits), written: Number(row?.written), publishes };
}

/** INFO commandstats over a raw RESP connection (no client library needed for one command). */
function redisInfo(redisUrl: string): Promise<string> {
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
  const missing = missingTools();
  if (missing) throw new Error(missing);
  const dir = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  const config = join(dir, 'gms.yaml');
  await writeFile(config, provisioning);
  const rows: string[] = [];
  out(`Machine: ${machine()}; load before ${loadavg()[0]?.toFixed(1)}`);
  try {
    for (const n of counts) {
      const cluster = await startCluster({ instances: n, env: { GMS_CONFIG: config } });
      const stats = postgres(cluster.pg.url, { max: 1, onnotice: () => {} });
      try {
        for (const mix of mixes) {
          await run(cluster.url, mix.requests, 2);
          const before = await counters(cluster, stats);
          const r = await run(cluster.url, mix.requests, seconds);
          const after = await counters(cluster, stats);
          const per = (k: keyof Counters) => ((after[k] - before[k]) / Math.max(1, r.total)).toFixed(2);
          const line = `| ${n} | ${mix.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} | ${per('commits')} | ${per('written')} | ${per('publishes')} | ${loadavg()[0]?.toFixed(1)} |`;
          rows.push(line);
          out(line);
        }
      } finally {
        await stats.end();
        await cluster.destroy();
      }
    }
  } finally {
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
