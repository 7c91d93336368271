/**
 * Legacy `POST /genesys/1/service/request-interaction` end to end over HTTP: each request creates a
 * session with its user data and books an access number, on PGlite (embedded default) and on
 * Postgres, against a bare graphql-yoga baseline measured in the same run.
 *
 *   node --import tsx bench/request-interaction.ts [--connections 50] [--seconds 5] [--server dist|ts]
 *     [--backends pglite,postgres] [--scenarios multipart,shared,exhausted] [--rounds 1]
 *
 * A/B: `--server` also takes a list of builds (each optionally with Node options after `@`, e.g.
 * `dist@--v8-pool-size=1`), measured one after the other (each on a new scratch
 * database) `--rounds` times over: `--server .bench/before/dist,dist --rounds 2` runs A, B, A, B.
 * A build other than dist/ is a copy of dist/ in a directory beside its checkout's drizzle/,
 * service_templates/ and package.json (what the compiled server reads relative to itself).
 *
 * Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a scratch database
 * is created next to it and dropped afterwards. Scenarios: issue 18's shape (a multipart body as
 * legacy clients send it, booking from a locking group of 60,000 numbers, which a run of a few
 * seconds cannot exhaust); the urlencoded request on a shared (non-locking) group of 50; and the 503
 * path of an exhausted locking group. The server runs compiled (`npm start`'s dist/main.js) unless
 * `--server ts`.
 *
 * CPU per request (Linux): the server process's, and on Postgres the database's — the backends
 * serving the server's pool, and every postgres process of the machine (WAL writer, checkpointer…,
 * but also whatever else uses the same PostgreSQL meanwhile) — read from /proc around each timed run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import {
  assertBuilt,
  databaseBackendPids,
  type LoadResult,
  load,
  machine,
  multipartBody,
  postgresPids,
  processCpuMs,
  processSyscalls,
  type Scenario,
  scratchDatabase,
  startProcess,
} from './harness.js';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    server: { type: 'string', default: 'dist' },
    backends: { type: 'string', default: 'pglite,postgres' },
    scenarios: { type: 'string', default: 'multipart,shared,exhausted' },
    rounds: { type: 'string', default: '1' },
  },
});
const connections = Number(args.connections);
const durationSec = Number(args.seconds);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const numbers = Array.from({ length: 50 }, (_, i) => `      K${i}: '1-800-${String(1000 + i)}'`).join('\n');
const provisioning = `resource_groups:
  Locking:
    locking: true
    booking_expiration_timeout: 600
    ranges: ['18005000000-18005059999']
  Shared:
    locking: false
    booking_expiration_timeout: 30
    resources:
${numbers}
  Tiny:
    locking: true
    booking_expiration_timeout: 3600
    resources:
      Only: '1-877-0000'
`;

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const boundary = 'gmsbench7c1f';
const multipartLockingBody = multipartBody(boundary, {
  _phone_number: '6504669999',
  _resource_group: 'Locking',
  _provide_code: 'true',
  usr_reason: 'billing',
});
const multipartLocking: Scenario = {
  name: 'request-interaction, multipart, locking group of 60,000',
  method: 'POST',
  path: '/genesys/1/service/request-interaction',
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  body: multipartLockingBody,
};
const allocate: Scenario = {
  name: 'request-interaction (shared group of 50)',
  method: 'POST',
  path: '/genesys/1/service/request-interaction',
  headers: form,
  body: '_phone_number=6504669999&_resource_group=Shared&_provide_code=true&usr_reason=billing',
};
const exhausted: Scenario = {
  name: 'request-interaction on an exhausted locking group (503)',
  method: 'POST',
  path: '/genesys/1/service/request-interaction',
  headers: form,
  body: '_phone_number=6504669999&_resource_group=Tiny',
};

const scenarioNames = new Map<string, Scenario>([
  ['multipart', multipartLocking],
  ['shared', allocate],
  ['exhausted', exhausted],
]);
const scenarios = (args.scenarios ?? '').split(',').map((name) => {
  const s = scenarioNames.get(name);
  if (!s) throw new Error(`unknown scenario ${name} (${[...scenarioNames.keys()].join(', ')})`);
  return s;
});

const builds = (args.server ?? 'dist').split(',');
/** A build, optionally with Node options after `@` (`dist@--v8-pool-size=1`). */
const entryPoint = (spec: string) => {
  const [build = 'dist'] = spec.split('@');
  return build === 'ts' ? 'src/main.ts' : build === 'dist' ? 'dist/main.js' : join(build, 'main.js');
};
const nodeArgsOf = (spec: string) => spec.split('@').slice(1);

async function measure(
  backend: string,
  env: Record<string, string>,
  base: LoadResult,
  databaseUrl: string | null,
  build: string,
) {
  if (builds.length > 1) backend = `${backend} (${build})`;
  const server = await startProcess(
    [entryPoint(build)],
    { ...env, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    '/healthz',
    { nodeArgs: nodeArgsOf(build) },
  );
  const rows: string[] = [];
  try {
    // The one number of the locking group is taken once, so every later request is refused.
    await fetch(`${server.url}${exhausted.path}`, { method: 'POST', headers: form, body: exhausted.body });
    for (const s of scenarios) {
      await load(server.url, s, { connections, durationSec: 2 });
      const serverPid = server.process.pid ?? 0;
      const backends = databaseUrl ? await databaseBackendPids(databaseUrl) : [];
      const everyPostgres = databaseUrl ? postgresPids() : [];
      const before = {
        wal: databaseUrl ? await walBytes(databaseUrl) : 0,
        syscalls: processSyscalls(serverPid),
        server: processCpuMs([serverPid]),
        backends: processCpuMs(backends),
        postgres: processCpuMs(everyPostgres),
      };
      const r = await load(server.url, s, { connections, durationSec });
      const requests = Math.max(1, r.requestsPerSec * durationSec);
      const perRequest = (ms: number) => (ms / requests).toFixed(2);
      const cpu = {
        server: perRequest(processCpuMs([serverPid]) - before.server),
        backends: perRequest(processCpuMs(backends) - before.backends),
        postgres: perRequest(processCpuMs(everyPostgres) - before.postgres),
      };
      const after = processSyscalls(serverPid);
      // The whole cluster's WAL (other databases' writes count too): a figure for a quiet machine.
      const wal = databaseUrl
        ? `, WAL ${Math.round(((await walBytes(databaseUrl)) - before.wal) / requests)} B`
        : '';
      const syscalls = `${perRequest(after.reads - before.syscalls.reads)} / ${perRequest(after.writes - before.syscalls.writes)}`;
      const ratio = r.requestsPerSec / base.requestsPerSec;
      const dbCpu = databaseUrl ? `${cpu.backends} / ${cpu.postgres}` : '—';
      rows.push(
        `| ${backend} | ${s.name} | ${r.requestsPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${ratio.toFixed(3)} | ${cpu.server} | ${dbCpu} | ${syscalls} |`,
      );
      process.stdout.write(
        `${backend} ${s.name}: ${r.requestsPerSec} req/s p50 ${r.p50} p99 ${r.p99} non2xx ${r.non2xx}` +
          ` cpu ms/request: server ${cpu.server}, pool backends ${cpu.backends}, all postgres ${cpu.postgres};` +
          ` server read / write system calls a request ${syscalls}${wal}; load average ${loadavg()[0]?.toFixed(2)}\n`,
      );
    }
  } finally {
    await server.stop();
  }
  return rows;
}

/** Bytes of WAL the PostgreSQL cluster has written so far. */
async function walBytes(url: string): Promise<number> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client<
      { b: number }[]
    >`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 as b`;
    return Number(row?.b ?? 0);
  } finally {
    await client.end();
  }
}

async function main() {
  if (builds.some((b) => entryPoint(b) === 'dist/main.js')) assertBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'bench-ri-'));
  const config = join(dir, 'gms.yaml');
  await writeFile(config, provisioning);
  const baseline = await startProcess(['bench/baseline-server.ts'], {}, '/graphql');
  let base: LoadResult;
  const hello: Scenario = {
    name: 'Baseline: bare graphql-yoga `{ hello }`',
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{hello}"}',
  };
  try {
    await load(baseline.url, hello, { connections, durationSec: 2 });
    base = await load(baseline.url, hello, { connections, durationSec });
  } finally {
    await baseline.stop();
  }
  const rows = [
    `| — | ${base.name} | ${base.requestsPerSec} | ${base.p50} | ${base.p99} | 0 | 0 | 1.00 | — | — | — |`,
  ];
  const backends = (args.backends ?? '').split(',');
  try {
    for (let round = 0; round < Number(args.rounds); round++)
      for (const build of builds) {
        if (backends.includes('pglite')) {
          rows.push(
            ...(await measure(
              'PGlite (in-memory)',
              { DATABASE_URL: 'memory://', GMS_CONFIG: config },
              base,
              null,
              build,
            )),
          );
        }
        if (backends.includes('postgres')) {
          const db = await scratchDatabase(baseDbUrl);
          try {
            rows.push(
              ...(await measure(
                'PostgreSQL 15',
                { DATABASE_URL: db.url, GMS_CONFIG: config },
                base,
                db.url,
                build,
              )),
            );
          } finally {
            await db.drop();
          }
        }
      }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nMachine: ${machine()}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end. ${connections} connections, ${durationSec} s per scenario after 2 s warm-up.` +
      " CPU: ms per request of the server process; of the pool's PostgreSQL backends / of every postgres process.\n\n" +
      '| Backend | Scenario | req/s | p50 ms | p99 ms | errors | non-2xx | ratio to baseline | server CPU ms | PostgreSQL CPU ms | server syscalls r / w |\n' +
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
      `${rows.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
