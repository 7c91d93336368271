/**
 * Legacy `POST /genesys/1/service/request-interaction` end to end over HTTP: each request creates a
 * session with its user data and books an access number, on PGlite (embedded default) and on
 * Postgres, against a bare graphql-yoga baseline measured in the same run.
 *
 *   node --import tsx bench/request-interaction.ts [--connections 20] [--seconds 5]
 *
 * Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a scratch database
 * is created next to it and dropped afterwards. The pool is a shared (non-locking) group of 50
 * numbers so the run measures allocation, not exhaustion; a second scenario measures the 503 path
 * of an exhausted locking group.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadResult, load, machine, type Scenario, scratchDatabase, startProcess } from './harness.js';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '5' },
  },
});
const connections = Number(args.connections);
const durationSec = Number(args.seconds);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const numbers = Array.from({ length: 50 }, (_, i) => `      K${i}: '1-800-${String(1000 + i)}'`).join('\n');
const provisioning = `resource_groups:
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

async function measure(backend: string, env: Record<string, string>, base: LoadResult) {
  const server = await startProcess(
    ['src/main.ts'],
    { ...env, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    '/healthz',
  );
  const rows: string[] = [];
  try {
    // The one number of the locking group is taken once, so every later request is refused.
    await fetch(`${server.url}${exhausted.path}`, { method: 'POST', headers: form, body: exhausted.body });
    for (const s of [allocate, exhausted]) {
      await load(server.url, s, { connections, durationSec: 2 });
      const r = await load(server.url, s, { connections, durationSec });
      const ratio = r.requestsPerSec / base.requestsPerSec;
      rows.push(
        `| ${backend} | ${s.name} | ${r.requestsPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${ratio.toFixed(2)} |`,
      );
      process.stdout.write(
        `${backend} ${s.name}: ${r.requestsPerSec} req/s p50 ${r.p50} p99 ${r.p99} non2xx ${r.non2xx}\n`,
      );
    }
  } finally {
    await server.stop();
  }
  return rows;
}

async function main() {
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
  const rows = [`| — | ${base.name} | ${base.requestsPerSec} | ${base.p50} | ${base.p99} | 0 | 0 | 1.00 |`];
  rows.push(
    ...(await measure('PGlite (in-memory)', { DATABASE_URL: 'memory://', GMS_CONFIG: config }, base)),
  );
  const db = await scratchDatabase(baseDbUrl);
  try {
    rows.push(...(await measure('PostgreSQL 15', { DATABASE_URL: db.url, GMS_CONFIG: config }, base)));
  } finally {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nMachine: ${machine()}. ${connections} connections, ${durationSec} s per scenario after 2 s warm-up.\n\n` +
      '| Backend | Scenario | req/s | p50 ms | p99 ms | errors | non-2xx | ratio to baseline |\n' +
      '|---|---|---:|---:|---:|---:|---:|---:|\n' +
      `${rows.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
