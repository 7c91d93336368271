/**
 * Old-generation growth under one route's load (issue 18): the compiled server on a scratch
 * database, --rate requests a second to one route for --seconds, V8's `--trace-gc-nvp` on; the
 * figure is what its scavenges promoted in the last --tail seconds (steady state: start-up promotes
 * a lot in the first seconds), a second and a request. What a server promotes is what its full
 * collections must later free: on the cross-instance push bench's publishing instance, B, it decided
 * how often a mark-compact paused every publish in flight.
 *
 *   node --import tsx bench/promotion.ts [--route publish|storage-read|not-found] [--rate 1000]
 *     [--seconds 22] [--tail 10] [--database postgres|memory] [--node-args="--flag …"]
 *
 * `--node-args` go to the server's node, after an `=` (`--node-args="--max-semi-space-size=64"`:
 * promotion that stays the same with a larger young generation is not about how long objects
 * live). PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), a
 * scratch database beside it; `--database postgres` also uses Redis at BENCH_REDIS_URL (default
 * redis://127.0.0.1:6379), as a scaled instance does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assertBuilt, machine, type ScratchDatabase, scratchDatabase, startProcess } from './harness.js';
import { RawHttpPool, type RawRequest } from './raw-http.js';

const { values: args } = parseArgs({
  options: {
    route: { type: 'string', default: 'publish' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '22' },
    tail: { type: 'string', default: '10' },
    database: { type: 'string', default: 'postgres' },
    'node-args': { type: 'string', default: '' },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const tail = Number(args.tail);
if (!(tail > 0 && tail < seconds)) throw new Error('--tail must be above 0 and below --seconds');

const devices = 20_000;
const routes: Record<string, (k: number) => RawRequest> = {
  // A direct comet publish to a random device, as the push bench's publisher sends it.
  publish: (k) => {
    const device = `dev-${k % devices}`;
    return {
      method: 'POST',
      path: '/genesys/1/notification/publish',
      headers: { 'content-type': 'application/json', gms_user: device },
      body: JSON.stringify({
        tag: 'bench.promotion',
        message: { event: k, sentAt: Date.now() },
        notificationDetails: { type: 'comet', deviceId: device },
      }),
    };
  },
  // One prepared select that finds nothing (404).
  'storage-read': (k) => ({
    method: 'GET',
    path: `/genesys/1/storage/missing-${k % devices}`,
    headers: {},
    body: '',
  }),
  // The HTTP edge alone: no route, no database.
  'not-found': () => ({ method: 'GET', path: '/zzz', headers: {}, body: '' }),
};
const route = routes[args.route as string];
if (!route) throw new Error(`--route: one of ${Object.keys(routes).join(', ')}`);

/** Sums `promoted=` of the scavenges `--trace-gc-nvp` printed between `fromMs` and `toMs`. */
function promotedBetween(
  trace: string,
  fromMs: number,
  toMs: number,
): { scavenges: number; bytes: number; markCompacts: number } {
  let scavenges = 0;
  let bytes = 0;
  let markCompacts = 0;
  for (const line of trace.split('\n')) {
    const head = /\s(\d+) ms: pause=[\d.]+ mutator=[\d.]+ gc=(\w+)/.exec(line);
    if (!head || Number(head[1]) < fromMs || Number(head[1]) > toMs) continue;
    if (head[2] === 's') {
      scavenges++;
      bytes += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    } else if (head[2] === 'mc') markCompacts++;
  }
  return { scavenges, bytes, markCompacts };
}

assertBuilt();
const outDir = mkdtempSync(join(tmpdir(), 'gms-promotion-'));
process.env.BENCH_SERVER_STDOUT_DIR = outDir;
let db: ScratchDatabase | null = null;
try {
  const env: Record<string, string> = { NODE_ENV: 'production', LOG_LEVEL: 'warn' };
  if (args.database === 'postgres') {
    db = await scratchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    env.DATABASE_URL = db.url;
    env.REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  } else if (args.database === 'memory') env.DATABASE_URL = 'memory://';
  else throw new Error('--database: postgres or memory');
  const extra = (args['node-args'] as string).split(' ').filter(Boolean);
  // The trace's times count from the server's start (its isolate's, a few ms after the spawn).
  const spawnedAt = performance.now();
  const server = await startProcess([join('dist', 'main.js')], env, '/readyz', {
    nodeArgs: ['--trace-gc-nvp', ...extra],
  });
  const pool = new RawHttpPool(server.url, 32);
  const startedAt = performance.now();
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let loadEndMs = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      const due = Math.floor((elapsed / 1000) * rate);
      while (sent < due) {
        const k = sent++;
        pool.request(route(k)).then(
          (status) => {
            answered++;
            if (status >= 500) failed++;
          },
          () => {
            answered++;
            failed++;
          },
        );
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(tick);
        loadEndMs = performance.now() - spawnedAt;
        resolve();
      }
    }, 5);
  });
  // The last answers, before the pool and the server close under them.
  for (let waited = 0; answered < sent && waited < 5000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  await pool.close();
  await server.stop();
  const file = readdirSync(outDir).find((f) => f.endsWith('.out'));
  const trace = file ? readFileSync(join(outDir, file), 'utf8') : '';
  // The load's last --tail seconds, not the trace's last line: the server's shutdown collects too.
  const { scavenges, bytes, markCompacts } = promotedBetween(trace, loadEndMs - tail * 1000, loadEndMs);
  const requests = rate * tail;
  console.log(machine());
  console.log(
    `${args.route} at ${rate}/s on ${args.database}${extra.length ? ` (${extra.join(' ')})` : ''}, last ${tail} s of ${seconds}: ` +
      `${scavenges} scavenges promoted ${Math.round(bytes / 1024)} KB (${Math.round(bytes / 1024 / tail)} KB/s, ` +
      `${Math.round(bytes / requests)} B a request), ${markCompacts} mark-compacts; ${sent} requests sent, ${failed} failed`,
  );
} finally {
  await db?.drop();
  rmSync(outDir, { recursive: true, force: true });
}
