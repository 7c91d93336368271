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
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { startup } from '../src/startup.js';
import { scratchDatabase } from './harness.js';

const { values: args } = parseArgs({
  options: {
    numbers: { type: 'string', default: '50' },
    locking: { type: 'boolean', default: false },
  },
});
const numbers = Number(args.numbers);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function log(kind: string, databaseUrl: string) {
  let recording: string[] | null = null;
  const deps = await createDeps(
    loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl }),
    { onStatement: (s) => recording?.push(s.replace(/\s+/g, ' ')) },
  );
  const app = await buildApp(deps);
  try {
    await startup(app);
    await app.managers.resources.createGroup({
      name: 'Pool',
      locking: args.locking,
      bookingExpirationTimeout: 30,
      resources: Array.from({ length: numbers }, (_, i) => ({ name: `K${i}`, accessNumber: `1-555-${i}` })),
    });
    const request = () =>
      app.fetch(
        new Request('http://gms.test/genesys/1/service/request-interaction', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '_phone_number=6504669999&_resource_group=Pool&_provide_code=true&usr_reason=billing',
        }),
      );
    await (await request()).text();
    recording = [];
    const response = await request();
    await response.text();
    const list: string[] = recording;
    recording = null;
    process.stdout.write(`\n${kind}: ${list.length} statements (HTTP ${response.status})\n`);
    for (const [i, s] of list.entries()) process.stdout.write(`${String(i + 1).padStart(3)}. ${s}\n`);
  } finally {
    await app.stop();
    await closeDeps(deps);
  }
}

await log('PGlite', 'memory://');
const scratch = await scratchDatabase(baseUrl);
try {
  await log('PostgreSQL', scratch.url);
} finally {
  await scratch.drop();
}
