import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { createLogger } from '../src/log/logger.js';
import { startup } from '../src/startup.js';
import { prepareFuzzTargets, runFuzz } from '../test/fuzz/run.js';

/**
 * npm run fuzz — the CI fuzz suite's generators (test/fuzz/) for longer, with a new seed each run:
 * a server on an in-memory PGlite (or FUZZ_DATABASE_URL, a Postgres database it may fill),
 * FUZZ_RUNS requests per legacy route and FUZZ_GRAPHQL_RUNS over every GraphQL query and
 * mutation field. Prints the figures (RELIABILITY.md, input handling) and every kind of failure
 * with one example; exits 1 on any failure. FUZZ_SEED replays a run.
 */
const LIMITS = { bodyBytes: 64 * 1024 };

async function main(): Promise<void> {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_000);
  const runsPerRoute = Number(process.env.FUZZ_RUNS ?? 300);
  const graphqlRuns = Number(process.env.FUZZ_GRAPHQL_RUNS ?? 10_000);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: process.env.FUZZ_DATABASE_URL ?? 'memory://',
    BODY_LIMIT_BYTES: String(LIMITS.bodyBytes),
    MULTIPART_MAX_FILE_BYTES: '32768',
    NODE_NAME: `fuzz-${seed}`,
  });
  const errors: string[] = [];
  const logger = createLogger('error', {}, (line) => errors.push(line));
  const deps = await createDeps(config, { logger });
  const app = await buildApp(deps);
  await startup(app);
  const pools = await prepareFuzzTargets(app);
  const { url } = await app.start({ port: 0, host: '127.0.0.1' });
  console.log(`fuzzing ${url} with seed ${seed}: ${runsPerRoute} per legacy route, ${graphqlRuns} GraphQL`);
  const result = await runFuzz(url, app, pools, {
    seed,
    runsPerRoute,
    graphqlRuns,
    limits: LIMITS,
    concurrency: Number(process.env.FUZZ_CONCURRENCY ?? 4),
  });
  await app.stop();
  await closeDeps(deps);

  const { failures, ...figures } = result;
  console.log(JSON.stringify({ ...figures, serverErrorLogLines: errors.length }, null, 2));
  const kinds = new Map<string, { count: number; example: (typeof failures)[number] }>();
  for (const f of failures) {
    const k = `${f.label} → ${f.status}`;
    const seen = kinds.get(k);
    if (seen) seen.count++;
    else kinds.set(k, { count: 1, example: f });
  }
  for (const [k, { count, example }] of kinds)
    console.log(`FAIL ×${count} ${k}\n  ${JSON.stringify(example)}`);
  for (const line of errors.slice(0, 10)) console.log(`server error log: ${line.slice(0, 600)}`);
  process.exitCode = failures.length > 0 || errors.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
