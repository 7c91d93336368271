/**
 * Access-number allocation throughput: N concurrent clients, each looping allocate → release on a
 * locking group, straight against the manager (no HTTP), on Postgres (and PGlite for comparison).
 *
 *   node --import tsx bench/allocation.ts [--clients 1,8,32] [--numbers 50,5000,60000] [--seconds 5] [--pglite]
 *
 * Several pool sizes compare the cost of a pick in a pool of 50 with one of 60,000 (issue 18: within
 * 1.2×). The numbers are inserted with one SQL statement (provisioning speed is measured elsewhere).
 *
 * Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a scratch database
 * is created next to it and dropped afterwards. A second phase runs more clients than numbers, so
 * part of the requests are refused (503): it measures the exhaustion path under contention.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { sql } from '../src/db/client.js';
import { closeDeps, createDeps, type Deps } from '../src/deps.js';
import { createManagers } from '../src/managers.js';
import type { ResourceManager } from '../src/modules/resource/resource.manager.js';
import { scratchDatabase } from './harness.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '1,8,32' },
    numbers: { type: 'string', default: '50,5000,60000' },
    seconds: { type: 'string', default: '5' },
    pglite: { type: 'boolean', default: false },
  },
});
const clientCounts = args.clients.split(',').map(Number);
const poolSizes = args.numbers.split(',').map(Number);
const seconds = Number(args.seconds);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Result {
  ok: number;
  refused: number;
  latencies: number[];
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) : 0;

async function run(
  resources: ResourceManager,
  group: string,
  clients: number,
  release: boolean,
): Promise<Result> {
  const result: Result = { ok: 0, refused: 0, latencies: [] };
  const deadline = performance.now() + seconds * 1000;
  const client = async (c: number) => {
    let i = 0;
    while (performance.now() < deadline) {
      const sessionId = `bench-${c}-${i++}`;
      const started = performance.now();
      try {
        const a = await resources.allocate({ group, sessionId, provideCode: true });
        result.latencies.push(performance.now() - started);
        result.ok++;
        if (release) await resources.release({ bookingId: a.bookingId, sessionId });
      } catch (err) {
        if ((err as { status?: number }).status !== 503) throw err;
        result.latencies.push(performance.now() - started);
        result.refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return result;
}

function report(label: string, r: Result) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const line = [
    label.padEnd(44),
    `${(r.ok / seconds).toFixed(0).padStart(6)} grants/s`,
    `${(r.refused / seconds).toFixed(0).padStart(6)} refusals/s`,
    `p50 ${percentile(sorted, 50).toFixed(2).padStart(6)} ms`,
    `p99 ${percentile(sorted, 99).toFixed(2).padStart(6)} ms`,
  ].join('  ');
  process.stdout.write(`${line}\n`);
}

async function bench(kind: string, deps: Deps, resources: ResourceManager, numbers: number) {
  const group = `bench-${randomUUID().slice(0, 8)}`;
  const created = await resources.createGroup({ name: group, locking: true, bookingExpirationTimeout: 30 });
  const tag = String(created.id).padStart(4, '0');
  await deps.db.execute(
    sql`insert into resources (group_id, name, access_number, number_key, created_at, updated_at)
        select ${created.id}, 'K' || i, '1-555-' || ${tag} || '-' || i, '9' || ${tag} || lpad(i::text, 6, '0'), now(), now()
        from generate_series(1, ${numbers}::int) as i`,
  );
  process.stdout.write(`\n${kind}: locking group of ${numbers} numbers, ${seconds} s per run\n`);
  for (const clients of clientCounts) {
    if (clients > numbers) continue;
    report(`allocate+release, ${clients} client(s)`, await run(resources, group, clients, true));
  }
  if (numbers > 1000) return;
  // Exhaustion under contention: hold every number, then hammer the full pool.
  const held = await Promise.all(
    Array.from({ length: numbers }, (_, i) => resources.allocate({ group, sessionId: `holder-${i}` })),
  );
  const herd = Math.max(...clientCounts);
  report(`exhausted pool (503), ${herd} client(s)`, await run(resources, group, herd, false));
  for (const [i, a] of held.entries())
    await resources.release({ bookingId: a.bookingId, sessionId: `holder-${i}` });
}

async function main() {
  const scratch = await scratchDatabase(baseUrl);
  const { name, url } = scratch;
  const poolSize = Math.max(...clientCounts, 10);
  try {
    const deps = await createDeps(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: String(Math.min(poolSize, 100)),
        NODE_NAME: `bench-${name}`,
      }),
    );
    try {
      const { resources } = createManagers(deps);
      for (const n of poolSizes)
        await bench(`Postgres (pool ${Math.min(poolSize, 100)})`, deps, resources, n);
    } finally {
      await closeDeps(deps);
    }
  } finally {
    await scratch.drop();
  }
  if (args.pglite) {
    const deps = await createDeps(
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'memory://', NODE_NAME: 'bench' }),
    );
    try {
      const { resources } = createManagers(deps);
      for (const n of poolSizes) await bench('PGlite (in-memory, one connection)', deps, resources, n);
    } finally {
      await closeDeps(deps);
    }
  }
}

await main();
