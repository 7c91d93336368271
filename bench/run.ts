import { readFileSync, writeFileSync } from 'node:fs';
import { assertBuilt, type LoadResult, load, machine, type Scenario, startProcess } from './harness.js';

/**
 * `npm run bench`: starts a bare graphql-yoga "hello" server and this server (embedded in-memory
 * storage), drives both from this process over loopback with autocannon, and writes BENCHMARKS.md's
 * HTTP section with every figure's ratio to the baseline.
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const adminAuth = `Basic ${Buffer.from('default:password').toString('base64')}`;
const json = { 'content-type': 'application/json' };

const scenarios: Scenario[] = [
  {
    name: 'GraphQL query `serverInfo`',
    method: 'POST',
    path: '/graphql',
    headers: json,
    body: JSON.stringify({ query: '{ serverInfo { nodeId version } }' }),
  },
  {
    name: 'GraphQL admin query `nodes` (Basic auth, DB read)',
    method: 'POST',
    path: '/graphql',
    headers: { ...json, authorization: adminAuth },
    body: JSON.stringify({ query: '{ nodes { id status health } }' }),
  },
  { name: 'Legacy `GET /genesys/1/admin/node/status` (DB read)', path: '/genesys/1/admin/node/status' },
  { name: '`GET /healthz`', path: '/healthz' },
];

async function main() {
  assertBuilt();
  const rows: Array<LoadResult & { ratio: number }> = [];
  const baseline = await startProcess(['bench/baseline-server.ts'], {}, '/graphql');
  let base: LoadResult;
  try {
    await load(
      baseline.url,
      { name: 'warm-up', method: 'POST', path: '/graphql', headers: json, body: '{"query":"{hello}"}' },
      { connections, durationSec: 2 },
    );
    base = await load(
      baseline.url,
      {
        name: 'Baseline: bare graphql-yoga `{ hello }`',
        method: 'POST',
        path: '/graphql',
        headers: json,
        body: '{"query":"{hello}"}',
      },
      { connections, durationSec },
    );
  } finally {
    await baseline.stop();
  }
  rows.push({ ...base, ratio: 1 });

  // The compiled server, as `npm start` runs it.
  const server = await startProcess(
    ['dist/main.js'],
    { DATABASE_URL: 'memory://', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    '/healthz',
  );
  try {
    for (const s of scenarios) {
      await load(server.url, s, { connections, durationSec: 2 });
      const r = await load(server.url, s, { connections, durationSec });
      rows.push({ ...r, ratio: r.requestsPerSec / base.requestsPerSec });
      process.stdout.write(`${r.name}: ${r.requestsPerSec} req/s, p99 ${r.p99} ms\n`);
    }
  } finally {
    await server.stop();
  }

  const table = [
    '| Scenario | req/s | p50 ms | p99 ms | errors | non-2xx | ratio to baseline |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.requestsPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.ratio.toFixed(2)} |`,
    ),
  ].join('\n');
  const section = `<!-- http:start -->\n## HTTP throughput\n\nMachine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}.\nCommand: \`npm run bench\` (autocannon, ${connections} connections, ${durationSec} s per scenario after a 2 s warm-up, load generated from a second process on loopback; server with embedded in-memory PGlite, in-process pub/sub, \`NODE_ENV=production\`).\n\n${table}\n<!-- http:end -->`;
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  let doc: string;
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc =
      '# Benchmarks\n\nEvery figure is measured against a bare graphql-yoga "hello" server started in the same run (ratio column).\n\n';
  }
  doc = doc.includes('<!-- http:start -->')
    ? doc.replace(/<!-- http:start -->[\s\S]*<!-- http:end -->/, section)
    : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
  process.stdout.write('BENCHMARKS.md updated\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
