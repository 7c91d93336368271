/**
 * Allocation cost against pool size (issue 18): locking groups of 50, 5,000 and 60,000 numbers in
 * one database; one client books a number of each group in turn (interleaved, so load from other
 * processes hits every size alike) and releases it again, keeping the first 25 of each held.
 *
 *   node --import tsx bench/pool-size.ts [--rounds 300] [--sizes 50,5000,60000] [--pglite]
 *
 * Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a scratch database
 * is created next to it and dropped afterwards. The numbers are inserted with one SQL statement
 * (provisioning speed is measured elsewhere).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { sql } from '../src/db/client.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { createManagers } from '../src/managers.js';
import { machine, scratchDatabase } from './harness.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '300' },
    sizes: { type: 'string', default: '50,5000,60000' },
    pglite: { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const sizes = args.sizes.split(',').map(Number);
const HELD = 25;

async function measure(kind: string, url: string) {
  const deps = await createDeps(
    loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, NODE_NAME: `pool-size-${randomUUID()}` }),
  );
  try {
    const { resources } = createManagers(deps);
    for (const n of sizes) {
      const g = await resources.createGroup({ name: `P${n}`, locking: true, bookingExpirationTimeout: 300 });
      const tag = String(g.id).padStart(4, '0');
      await deps.db.execute(
        sql`insert into resources (group_id, name, access_number, number_key, created_at, updated_at)
            select ${g.id}, 'K' || i, '1-555-' || ${tag} || '-' || i, '9' || ${tag} || lpad(i::text, 6, '0'), now(), now()
            from generate_series(1, ${n}::int) as i`,
      );
    }
    await deps.db.execute(sql`analyze resources`);
    const times = new Map<number, number[]>(sizes.map((n) => [n, []]));
    for (let i = 0; i < rounds; i++) {
      for (const n of sizes) {
        const sessionId = `s${i}-${n}`;
        const started = performance.now();
        const a = await resources.allocate({ group: `P${n}`, sessionId, provideCode: true });
        times.get(n)?.push(performance.now() - started);
        if (i >= HELD) await resources.release({ bookingId: a.bookingId, sessionId });
      }
    }
    const at = (list: number[], p: number) =>
      list[Math.min(list.length - 1, Math.floor(p * list.length))] ?? 0;
    const p50s = sizes.map((n) =>
      at(
        (times.get(n) ?? []).sort((a, b) => a - b),
        0.5,
      ),
    );
    for (const [i, n] of sizes.entries()) {
      const list = times.get(n) ?? [];
      process.stdout.write(
        `| ${kind} | ${n.toLocaleString('en')} | ${at(list, 0.5).toFixed(2)} | ${at(list, 0.9).toFixed(2)} | ${at(list, 0.99).toFixed(2)} | ${((p50s[i] ?? 0) / (p50s[0] || 1)).toFixed(2)} |\n`,
      );
    }
  } finally {
    await closeDeps(deps);
  }
}

process.stdout.write(`Machine: ${machine()}, ${rounds} allocations per size.\n\n`);
process.stdout.write(
  '| Backend | Numbers | allocate p50 ms | p90 ms | p99 ms | p50 vs smallest |\n|---|---:|---:|---:|---:|---:|\n',
);
const scratch = await scratchDatabase(
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);
try {
  await measure('PostgreSQL 15', scratch.url);
} finally {
  await scratch.drop();
}
if (args.pglite) await measure('PGlite (in-memory)', 'memory://');
