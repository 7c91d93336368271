/**
 * One request-interaction after another through `app.fetch` (no HTTP, no concurrency) on in-memory
 * PGlite: the server-side cost of one request, which bounds PGlite's throughput (its engine runs on
 * the event loop, so requests cannot overlap). BENCHMARKS.md "PGlite under a burst".
 *
 *   node --import tsx bench/pglite-serial.ts [--requests 2000] [--numbers 50] [--locking]
 *
 * A locking group holds each number for the whole run (bookings last 10 minutes), so with
 * `--locking` the group has a number for every request unless `--numbers` says otherwise.
 */
import { parseArgs } from 'node:util';
import { poolApp } from './harness.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    numbers: { type: 'string' },
    locking: { type: 'boolean', default: false },
  },
});
const requests = Number(args.requests);
const WARM_UP = 200;
const pool = await poolApp({
  databaseUrl: 'memory://',
  numbers: args.numbers ? Number(args.numbers) : args.locking ? WARM_UP + requests : 50,
  locking: args.locking,
  bookingExpirationTimeout: 600,
});
try {
  const request = async () => {
    const response = await pool.requestInteraction();
    await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  };
  for (let i = 0; i < WARM_UP; i++) await request();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await request();
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]?.toFixed(2);
  process.stdout.write(
    `${requests} requests: ${(total / requests).toFixed(2)} ms each (p50 ${at(0.5)}, p99 ${at(0.99)}), ${Math.round((1000 * requests) / total)} req/s in a row\n`,
  );
} finally {
  await pool.close();
}
