/**
 * The SQL statements one legacy `POST /genesys/1/service/request-interaction` sends, in order, on
 * PGlite and on Postgres (BENCHMARKS.md "Where a request-interaction's time goes").
 *
 *   node --import tsx bench/statements.ts [--numbers 50] [--locking]
 *
 * Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a scratch database
 * is created next to it and dropped afterwards.
 */
import { parseArgs } from 'node:util';
import { poolApp, scratchDatabase } from './harness.js';

const { values: args } = parseArgs({
  options: {
    numbers: { type: 'string', default: '50' },
    locking: { type: 'boolean', default: false },
  },
});
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function log(kind: string, databaseUrl: string) {
  let recording: string[] | null = null;
  const pool = await poolApp({
    databaseUrl,
    numbers: Number(args.numbers),
    locking: args.locking,
    bookingExpirationTimeout: 30,
    onStatement: (s) => recording?.push(s.replace(/\s+/g, ' ')),
  });
  try {
    await (await pool.requestInteraction()).text();
    recording = [];
    const response = await pool.requestInteraction();
    await response.text();
    const list: string[] = recording;
    recording = null;
    process.stdout.write(`\n${kind}: ${list.length} statements (HTTP ${response.status})\n`);
    for (const [i, s] of list.entries()) process.stdout.write(`${String(i + 1).padStart(3)}. ${s}\n`);
  } finally {
    await pool.close();
  }
}

await log('PGlite', 'memory://');
const scratch = await scratchDatabase(baseUrl);
try {
  await log('PostgreSQL', scratch.url);
} finally {
  await scratch.drop();
}
