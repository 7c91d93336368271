/**
 * PostgreSQL's own cost of a request-interaction (issue 18): requests through `app.fetch` in this
 * process (no HTTP, so the server side does not matter), on a locking group of 60,000, and what the
 * database spent on them: CPU of the pool's backends (/proc), WAL bytes, and — where the cluster
 * preloads pg_stat_statements — each statement's calls, execution time, buffers and WAL a request.
 * With `--callgrind` the cluster must run under `valgrind --tool=callgrind` (see below): the
 * backends' instruction counts over the timed requests are read with `callgrind_control`, which do
 * not depend on what else the machine runs (a 2-core machine shared with other work).
 *
 *   node --import tsx bench/pg-cost.ts --url postgres://postgres@127.0.0.1:5432/test [--requests 2000]
 *     [--warmup 200] [--concurrency 8] [--src ../other-checkout/src] [--callgrind] [--ttl 3600]
 *
 * `--ttl` sends `_ttl` with each request: with sessions that outlive the run, no session expiry
 * (the sweep and the release of its number) falls into the measured window, whose length depends
 * on the machine's load; without it, a longer run counts more of that work (2026-12-06: ±5 %).
 *
 * `--url` names an existing database (a scratch database): it is migrated and provisioned with the
 * group 'Pool' of 60,000 locking numbers by the app's start. `--src` runs another checkout's code (A/B).
 *
 * Callgrind: start a scratch cluster (never the shared one) as
 *   valgrind --tool=callgrind --callgrind-out-file=<dir>/cg.%p --dump-instr=no postgres -D <data> -p <port>
 * and pass `--callgrind`; the count is Ir (instructions) a request, summed over the pool's backends.
 * `--perf <file>` records a profile of the pool's backends over the timed requests (perf record).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { multipartBody, processCpuMs } from './harness.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    numbers: { type: 'string', default: '60000' },
    src: { type: 'string', default: new URL('../src', import.meta.url).pathname },
    callgrind: { type: 'boolean', default: false },
    'callgrind-dir': { type: 'string' },
    perf: { type: 'string' },
    ttl: { type: 'string' },
  },
});
if (!args.url) throw new Error('--url is required');
const url = args.url;
const src = resolve(args.src);
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);

const [{ buildApp }, { loadConfig }, { closeDeps, createDeps }, { startup }] = await Promise.all([
  import(`${src}/app.ts`),
  import(`${src}/config.ts`),
  import(`${src}/deps.ts`),
  import(`${src}/startup.ts`),
]);

// Provisioned as the HTTP bench does it (GMS_CONFIG at start, no ANALYZE afterwards): the planner
// sees the tables as a fresh deployment's first minutes do.
const dir = await mkdtemp(join(tmpdir(), 'pg-cost-'));
const config = join(dir, 'gms.yaml');
const last = 18005000000 + Number(args.numbers) - 1;
await writeFile(
  config,
  `resource_groups:\n  Pool:\n    locking: true\n    booking_expiration_timeout: 600\n    ranges: ['18005000000-${last}']\n`,
);
const deps = await createDeps(
  loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: String(concurrency),
    GMS_CONFIG: config,
  }),
);
const app = await buildApp(deps);
const monitor = postgres(url, { max: 1, onnotice: () => {} });
try {
  await startup(app);
  const boundary = 'gmspgcost';
  const body = multipartBody(boundary, {
    _phone_number: '6504669999',
    _resource_group: 'Pool',
    _provide_code: 'true',
    usr_reason: 'billing',
    // A session outliving the run: no session expires (and is swept, releasing its number) inside
    // the measured window, whose length depends on the machine's load.
    ...(args.ttl ? { _ttl: args.ttl } : {}),
  });
  const one = async () => {
    const r: Response = await app.fetch(
      new Request('http://gms.test/genesys/1/service/request-interaction', {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      }),
    );
    const text = await r.text();
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${text}`);
  };
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await one();
      }),
    );
  };
  await run(Number(args.warmup));

  const backends = (
    await monitor<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
        and backend_type = 'client backend'`
  ).map((r) => r.pid);
  const hasStatements = await monitor`select pg_stat_statements_reset()`.then(
    () => true,
    () => false,
  );
  const walBefore = Number(
    (await monitor`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 as b`)[0]?.b,
  );
  const cpuBefore = processCpuMs(backends);
  const cgDir = args['callgrind-dir'];
  if (args.callgrind) execFileSync('callgrind_control', ['-z', ...backends.map(String)], { stdio: 'ignore' });
  // `--perf <file>`: a CPU profile of the pool's backends over the timed requests (perf record).
  const perf = args.perf
    ? spawn(
        'perf',
        [
          'record',
          '-e',
          'cpu-clock',
          '-F',
          '1000',
          '--call-graph',
          'dwarf,16384',
          '-o',
          args.perf,
          '-p',
          backends.join(','),
        ],
        { stdio: 'ignore' },
      )
    : null;
  const started = performance.now();
  await run(requests);
  const wall = performance.now() - started;
  if (perf) {
    perf.kill('SIGINT');
    await new Promise((done) => perf.once('exit', done));
  }
  let instructions = '';
  if (args.callgrind) {
    execFileSync('callgrind_control', ['-d', 'measured', ...backends.map(String)], { stdio: 'ignore' });
    if (cgDir) {
      let ir = 0;
      for (const pid of backends) {
        const files = readdirSync(cgDir).filter((f) => f.startsWith(`cg.${pid}.`));
        const newest = files.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).pop();
        if (!newest) continue;
        const text = readFileSync(`${cgDir}/${newest}`, 'utf8');
        ir += Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? 0);
      }
      instructions = `, ${Math.round(ir / requests).toLocaleString('en')} instructions (Ir) a request`;
    }
  }
  const cpu = (processCpuMs(backends) - cpuBefore) / requests;
  const wal =
    (Number((await monitor`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 as b`)[0]?.b) -
      walBefore) /
    requests;
  process.stdout.write(
    `${src}: ${requests} requests in ${(wall / 1000).toFixed(1)} s, ${backends.length} backends: ` +
      `${cpu.toFixed(3)} ms CPU a request, WAL ${Math.round(wal)} B a request${instructions}; ` +
      `load average ${loadavg()[0]?.toFixed(2)}\n`,
  );
  if (hasStatements) {
    const rows = await monitor<
      {
        calls: number;
        exec: number;
        plan: number;
        plans: number;
        hit: number;
        read: number;
        dirtied: number;
        wal: number;
        records: number;
        fpi: number;
        query: string;
      }[]
    >`select calls::int, total_exec_time::float8 as exec, total_plan_time::float8 as plan, plans::int,
        shared_blks_hit::float8 as hit, shared_blks_read::float8 as read, shared_blks_dirtied::float8 as dirtied,
        wal_bytes::float8 as wal, wal_records::float8 as records, wal_fpi::float8 as fpi, query
      from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
      order by total_exec_time desc limit 12`;
    process.stdout.write(
      'calls/req  exec µs/req  plans  hit/req  dirtied/req  WAL B/req  records  fpi  statement\n',
    );
    for (const r of rows) {
      const q = r.query.replace(/\s+/g, ' ');
      process.stdout.write(
        `${(r.calls / requests).toFixed(2).padStart(9)}  ${((r.exec * 1000) / requests).toFixed(1).padStart(11)}  ` +
          `${String(r.plans).padStart(5)}  ${(r.hit / requests).toFixed(1).padStart(7)}  ` +
          `${(r.dirtied / requests).toFixed(2).padStart(11)}  ${Math.round(r.wal / requests)
            .toString()
            .padStart(9)}  ` +
          `${(r.records / requests).toFixed(1).padStart(7)}  ${(r.fpi / requests).toFixed(2).padStart(4)}  ` +
          `${q.length > 110 ? `${q.slice(0, 110)}…` : q}\n`,
      );
    }
  }
} finally {
  await monitor.end();
  await app.stop();
  await closeDeps(deps);
  await rm(dir, { recursive: true, force: true });
}
