/**
 * The legacy operations and their GraphQL twins over HTTP, on PGlite (in-memory) and PostgreSQL,
 * each beside a bare graphql-yoga `{ hello }` measured in the same run (issue 18 item 5):
 *
 *   node --import tsx bench/operations.ts [--connections 50] [--seconds 5] [--backends pglite,postgres] [--write]
 *
 * Runs the compiled server (`npm start`'s dist/main.js: `npm run build` first). Every scenario is
 * warmed up for 2 s, then measured for --seconds with autocannon; each request's body is built by a
 * `setupRequest` callback (so requests that must differ do) and each answer is checked by an
 * `onResponse` callback: "wrong" counts 2xx answers without the expected content. match-interaction
 * consumes the bookings made by the request-interaction runs (plus unmeasured top-up bookings), so it
 * runs a fixed number of requests instead of a fixed time. --write replaces BENCHMARKS.md's
 * operations section. Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
 * a scratch database is created next to it and dropped afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { assertBuilt, machine, scratchDatabase, startProcess } from './harness.js';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    backends: { type: 'string', default: 'pglite,postgres' },
    write: { type: 'boolean', default: false },
  },
});
const connections = Number(args.connections);
const durationSec = Number(args.seconds);
const warmUpSec = 2;
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const gmsUser = 'bench-device';

/** A locking group too large for a run to exhaust, the seed's delayed callback service, an agent group. */
const provisioning = `agent_groups:
  - { name: Billing }
resource_groups:
  Locking:
    locking: true
    booking_expiration_timeout: 600
    ranges: ['18005000000-18005059999']
services:
  callback-delayed:
    '@preset': User-Originated-Delayed
    _service: callback
    _wait_for_agent: true
    _wait_for_user_confirm: true
    _target: Billing@StatServer.GA
    _urs_virtual_queue: VQ_Bench
    # The template's per-service throttles (500 starts in 5 min, 1,000 an hour) would refuse most
    # of a run; every other protection (daily limit per number, duplicates, slot capacity) stays.
    _throttle_callbacks_per_service_1: 100000000
    _throttle_callbacks_per_service_2: 100000000
`;

interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Op {
  name: string;
  /** The next request (called once per request). */
  next(): Req;
  /** Is a 2xx answer the expected one? May record what it returns (ids for later scenarios). */
  check(body: string, sent: Req): boolean;
  /** A fixed number of requests (consumable data) instead of a duration. */
  amount?: () => { warmUp: number; measured: number };
}

interface Row {
  backend: string;
  name: string;
  requestsPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  wrong: number;
  seconds: number;
}

async function drive(url: string, op: Op, run: { durationSec?: number; amount?: number }) {
  let wrong = 0;
  const result = await autocannon({
    url,
    connections: run.amount === undefined ? connections : Math.min(connections, run.amount),
    ...(run.amount === undefined ? { duration: run.durationSec } : { amount: run.amount }),
    requests: [
      {
        // One request in flight per connection (no pipelining): the context is this connection's
        // and still holds the request when its answer arrives.
        setupRequest: (request, context: { sent?: Req }) => {
          const r = op.next();
          context.sent = r;
          // autocannon writes Content-Length into the headers object: never a shared one.
          return { ...request, method: r.method, path: r.path, headers: { ...r.headers }, body: r.body };
        },
        onResponse: (status, body, context: { sent?: Req }) => {
          const r = context.sent;
          if (status >= 200 && status < 300 && (!r || !op.check(body, r))) wrong++;
        },
      },
    ],
  });
  return { result, wrong };
}

/**
 * One request, awaited: fails the run on a wrong answer (a spot check of the work). After a load run
 * it also waits out the requests the server still works on for clients autocannon already dropped,
 * which would otherwise eat into the next measurement: serialised work (PGlite's one connection, the
 * per-service lock of callback starts) answers this one after them.
 */
async function probe(url: string, op: Op): Promise<void> {
  const r = op.next();
  const res = await fetch(`${url}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  const body = await res.text();
  if (!res.ok || !op.check(body, r))
    throw new Error(`${op.name}: ${r.method} ${r.path} answered ${res.status} ${body.slice(0, 300)}`);
}

async function measure(url: string, backend: string, op: Op, base?: Row): Promise<Row> {
  await probe(url, op);
  const fixed = op.amount?.();
  await drive(url, op, fixed ? { amount: fixed.warmUp } : { durationSec: warmUpSec });
  await probe(url, op);
  const { result, wrong } = await drive(url, op, fixed ? { amount: fixed.measured } : { durationSec });
  const requests = result.requests.total;
  // result.duration is the wall time of the run in seconds; an amount-bound run may end mid-second.
  const row: Row = {
    backend,
    name: op.name,
    requestsPerSec: Math.round(requests / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    wrong,
    seconds: result.duration,
  };
  const ratio = base ? ` (${(row.requestsPerSec / base.requestsPerSec).toFixed(2)}× Yoga)` : '';
  process.stdout.write(
    `${backend} ${op.name}: ${row.requestsPerSec} req/s${ratio} p50 ${row.p50} p99 ${row.p99} ms, ${requests} requests in ${row.seconds.toFixed(1)} s, non-2xx ${row.non2xx}, errors ${row.errors}, wrong ${wrong}\n`,
  );
  return row;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded', gms_user: gmsUser };
const boundary = 'gmsbench7c1f';
const multipart = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('')
    .concat(`--${boundary}--\r\n`);
const parse = (body: string): Record<string, unknown> | null => {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** The scenarios on one server; state (bookings, ids) flows from one to the next. */
function operations() {
  const bookings: Array<{ id: string; number: string; code: string }> = [];
  const storageIds: string[] = [];
  const graphqlIds: string[] = [];
  let callbacks = 0;
  let reads = 0;

  const requestInteraction: Op = {
    name: 'request-interaction (multipart, locking group of 60,000, with code)',
    next: () => ({
      method: 'POST',
      path: '/genesys/1/service/request-interaction',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipart({
        _phone_number: '6504669999',
        _resource_group: 'Locking',
        _provide_code: 'true',
        // The sessions must outlive the match-interaction run that consumes their bookings: with the
        // default _ttl (30 s) the oldest bookings were released by their sessions' expiry before a
        // slow run reached them (416 non-2xx "no match" at the end of one PostgreSQL run).
        _ttl: '3600',
        usr_reason: 'billing',
      }),
    }),
    check(body) {
      const b = parse(body);
      if (typeof b?._id !== 'string' || typeof b._access_number !== 'string') return false;
      if (typeof b._access_code !== 'string') return false;
      bookings.push({ id: b._id, number: b._access_number, code: b._access_code });
      return true;
    },
  };

  const expected = new WeakMap<Req, string>();
  const matchInteraction: Op = {
    name: 'match-interaction (access number + code of a booked session)',
    next() {
      const b = bookings.pop();
      const r: Req = {
        method: 'POST',
        path: '/genesys/1/service/match-interaction',
        headers: form,
        body: new URLSearchParams({
          _access_number: b?.number ?? '',
          _access_code: b?.code ?? '',
        }).toString(),
      };
      if (b) expected.set(r, b.id);
      return r;
    },
    // Each answer must name the session that booked the number (a match also ends the booking).
    check: (body, sent) => parse(body)?._id === expected.get(sent),
    amount() {
      // One booking is left for the probe between warm-up and measurement.
      const warmUp = Math.floor(bookings.length / 5);
      return { warmUp, measured: bookings.length - warmUp - 1 };
    },
  };

  const callbackDelayed: Op = {
    name: 'callback create, delayed (`_desired_time` ahead, distinct customer numbers)',
    next() {
      const i = callbacks++;
      // 50 a 5-minute slot (the template's capacity is 100), starting an hour from now.
      const at = new Date(Date.now() + 3_600_000 + i * 6_000).toISOString();
      return {
        method: 'POST',
        path: '/genesys/1/service/callback/callback-delayed',
        headers: form,
        body: new URLSearchParams({
          _customer_number: `+1650${4_000_000 + i}`,
          _desired_time: at,
          usr_reason: 'billing',
        }).toString(),
      };
    },
    // The delayed dialog: an id and the desired time it is scheduled for.
    check(body) {
      const b = parse(body);
      return typeof b?._id === 'string' && typeof b._desired_time === 'string';
    },
  };

  const storageCreate: Op = {
    name: 'storage create `POST /genesys/1/storage/600` (2 keys)',
    next: () => ({
      method: 'POST',
      path: '/genesys/1/storage/600',
      headers: form,
      body: 'usr_reason=billing&usr_account=12345',
    }),
    check(body) {
      const id = parse(body)?.id;
      if (typeof id !== 'string') return false;
      storageIds.push(id);
      return true;
    },
  };

  const storageRead: Op = {
    name: 'storage read `GET /genesys/1/storage/<id>`',
    next: () => ({
      method: 'GET',
      path: `/genesys/1/storage/${storageIds[reads++ % storageIds.length]}`,
      headers: { gms_user: gmsUser },
    }),
    check: (body) => parse(body)?.usr_reason === 'billing',
  };

  const graphqlCreate: Op = {
    name: 'GraphQL mutation `createStorageEntry` (same work as storage create)',
    next: () => ({
      method: 'POST',
      path: '/graphql',
      headers: { ...json, gms_user: gmsUser },
      body: JSON.stringify({
        query:
          'mutation($values: [StorageValueInput!]!) { createStorageEntry(ttl: 600, values: $values) { __typename ... on MutationCreateStorageEntrySuccess { data { id } } } }',
        variables: {
          values: [
            { key: 'usr_reason', value: 'billing' },
            { key: 'usr_account', value: '12345' },
          ],
        },
      }),
    }),
    check(body) {
      const data = parse(body)?.data as { createStorageEntry?: { data?: { id?: unknown } } } | undefined;
      const id = data?.createStorageEntry?.data?.id;
      if (typeof id !== 'string') return false;
      graphqlIds.push(id);
      return true;
    },
  };

  const graphqlRead: Op = {
    name: 'GraphQL query `storageEntry` (same work as storage read)',
    next: () => ({
      method: 'POST',
      path: '/graphql',
      headers: { ...json, gms_user: gmsUser },
      body: JSON.stringify({
        query: 'query($id: String!) { storageEntry(id: $id) { id values { key text } } }',
        variables: { id: graphqlIds[reads++ % graphqlIds.length] },
      }),
    }),
    check: (body) => body.includes('"text":"billing"'),
  };

  return {
    bookings,
    requestInteraction,
    matchInteraction,
    sequence: [callbackDelayed, storageCreate, storageRead, graphqlCreate, graphqlRead],
  };
}

async function measureBackend(backend: string, env: Record<string, string>, base: Row): Promise<Row[]> {
  const server = await startProcess(
    ['dist/main.js'],
    { ...env, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    '/healthz',
  );
  const ops = operations();
  const rows: Row[] = [];
  try {
    rows.push(await measure(server.url, backend, ops.requestInteraction, base));
    // match-interaction needs one booking a request: top up (unmeasured) so that the measured part
    // lasts about as long as the other scenarios at the request-interaction's own rate.
    const want = Math.round((rows[0]?.requestsPerSec ?? 0) * (durationSec + warmUpSec) * 1.5);
    if (ops.bookings.length < want) {
      await drive(server.url, ops.requestInteraction, { amount: want - ops.bookings.length });
    }
    rows.push(await measure(server.url, backend, ops.matchInteraction, base));
    for (const op of ops.sequence) rows.push(await measure(server.url, backend, op, base));
  } finally {
    await server.stop();
  }
  return rows;
}

function table(rows: Row[], base: Row): string {
  // autocannon counts only answers that arrive within the window: none means every request took
  // longer than the window, not a latency of 0.
  const line = (r: Row) =>
    r.requests === 0
      ? `| ${r.backend} | ${r.name} | 0 | > ${Math.round(r.seconds * 1000)} | > ${Math.round(r.seconds * 1000)} | — | — | ${r.errors} | 0 |`
      : `| ${r.backend} | ${r.name} | ${r.requestsPerSec} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.wrong} | ${r.errors} | ${(r.requestsPerSec / base.requestsPerSec).toFixed(2)} |`;
  return [
    '| Backend | Scenario | req/s | p50 ms | p99 ms | non-2xx | wrong | errors | ratio to Yoga |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(line),
  ].join('\n');
}

async function main() {
  assertBuilt();
  const loadBefore = loadavg()[0]?.toFixed(1);
  const dir = await mkdtemp(join(tmpdir(), 'bench-ops-'));
  const config = join(dir, 'gms.yaml');
  await writeFile(config, provisioning);
  const baseline = await startProcess(['bench/baseline-server.ts'], {}, '/graphql');
  const hello: Op = {
    name: 'Baseline: bare graphql-yoga `{ hello }`',
    next: () => ({ method: 'POST', path: '/graphql', headers: json, body: '{"query":"{hello}"}' }),
    check: (body) => body.includes('"hello":"world"'),
  };
  let base: Row;
  try {
    base = await measure(baseline.url, '—', hello);
  } finally {
    await baseline.stop();
  }
  const rows: Row[] = [base];
  const backends = (args.backends ?? '').split(',');
  try {
    if (backends.includes('pglite'))
      rows.push(
        ...(await measureBackend(
          'PGlite (in-memory)',
          { DATABASE_URL: 'memory://', GMS_CONFIG: config },
          base,
        )),
      );
    if (backends.includes('postgres')) {
      const db = await scratchDatabase(baseDbUrl);
      try {
        rows.push(
          ...(await measureBackend('PostgreSQL', { DATABASE_URL: db.url, GMS_CONFIG: config }, base)),
        );
      } finally {
        await db.drop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const load = `load average ${loadBefore} before the run, ${loadavg()[0]?.toFixed(1)} after`;
  const text = `Machine: ${machine()}; ${load}. ${connections} connections, ${durationSec} s per scenario after a ${warmUpSec} s warm-up (match-interaction: a fixed number of requests, one a booking).\n\n${table(rows, base)}`;
  process.stdout.write(`\n${text}\n`);
  if (args.write) {
    const file = new URL('../BENCHMARKS.md', import.meta.url);
    const doc = readFileSync(file, 'utf8');
    const section = `<!-- operations:start -->\nMeasured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node --import tsx bench/operations.ts --connections ${connections} --seconds ${durationSec}\`. ${text}\n<!-- operations:end -->`;
    if (!doc.includes('<!-- operations:start -->'))
      throw new Error('BENCHMARKS.md has no <!-- operations:start --> section to replace');
    writeFileSync(file, doc.replace(/<!-- operations:start -->[\s\S]*<!-- operations:end -->/, section));
    process.stdout.write('BENCHMARKS.md updated\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
