/**
 * One request-interaction after another through `app.fetch` (no HTTP, no concurrency) on in-memory
 * PGlite: the server-side cost of one request, which bounds PGlite's throughput (its engine runs on
 * the event loop, so requests cannot overlap). BENCHMARKS.md "PGlite under a burst".
 *
 *   node --import tsx bench/pglite-serial.ts [--requests 2000] [--locking]
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { startup } from '../src/startup.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    numbers: { type: 'string', default: '50' },
    locking: { type: 'boolean', default: false },
  },
});
const requests = Number(args.requests);
const deps = await createDeps(
  loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: 'memory://' }),
);
const app = await buildApp(deps);
try {
  await startup(app);
  await app.managers.resources.createGroup({
    name: 'Pool',
    locking: args.locking,
    bookingExpirationTimeout: 600,
    resources: Array.from({ length: Number(args.numbers) }, (_, i) => ({
      name: `K${i}`,
      accessNumber: `1-555-${i}`,
    })),
  });
  const request = async () => {
    const response = await app.fetch(
      new Request('http://gms.test/genesys/1/service/request-interaction', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '_phone_number=6504669999&_resource_group=Pool&_provide_code=true&usr_reason=billing',
      }),
    );
    await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  };
  for (let i = 0; i < 200; i++) await request();
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
  await app.stop();
  await closeDeps(deps);
}
