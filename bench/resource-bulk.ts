/**
 * Provisioning a large DNIS pool (issue 17 item 4): how long the provisioning file takes to make a
 * group of N numbers, written three ways — one `ranges:` line, a `csv:` block, and N `resources:`
 * entries — plus the GraphQL `addResources` call with a range, and a re-apply of the same file
 * (nothing to do). PGlite (in-memory) and Postgres (a scratch database next to BENCH_DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/test).
 *
 *   node --import tsx bench/resource-bulk.ts [numbers=60000]
 *
 * Prints figures only; correctness is asserted by src/modules/resource/resource.bulk.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { parseRange } from '../src/modules/resource/resource.bulk.js';
import { applyProvisioningFileAt } from '../src/provisioning/provisioning.js';
import { scratchDatabase } from './harness.js';

const numbers = Number(process.argv[2] ?? 60_000);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const first = 18_001_110_000;

function fileText(group: string, start: number, how: 'ranges' | 'csv' | 'resources'): string {
  const last = start + numbers - 1;
  const lines = [`resource_groups:`, `  ${group}:`, `    locking: true`];
  if (how === 'ranges') lines.push(`    ranges:`, `      - ${start}-${last}`);
  else if (how === 'csv') {
    lines.push(`    csv: |`);
    for (let n = start; n <= last; n++) lines.push(`      Key${n},${n}`);
  } else {
    lines.push(`    resources:`);
    for (let n = start; n <= last; n++) lines.push(`      Key${n}: '${n}'`);
  }
  return `${lines.join('\n')}\n`;
}

async function bench(label: string, databaseUrl: string): Promise<void> {
  const deps = await createDeps(
    loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, NODE_NAME: 'bench', LOG_LEVEL: 'silent' }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'gms-bulk-'));
  try {
    const app = await buildApp(deps);
    const target = { managers: app.managers, logger: deps.logger };
    const ways = ['ranges', 'csv', 'resources'] as const;
    for (const [i, how] of ways.entries()) {
      const file = join(dir, `${how}.yaml`);
      await writeFile(file, fileText(`POOL_${how}`, first + i * 1_000_000, how));
      let started = performance.now();
      await applyProvisioningFileAt(file, target);
      const apply = performance.now() - started;
      started = performance.now();
      await applyProvisioningFileAt(file, target);
      const again = performance.now() - started;
      const total = (await app.managers.resources.poolHealth()).find((p) => p.group === `POOL_${how}`)?.health
        .total;
      console.log(
        `${label.padEnd(22)} provisioning file, ${numbers} numbers as ${how.padEnd(9)}: ${(apply / 1000).toFixed(2)} s (re-apply ${(again / 1000).toFixed(2)} s, ${total} numbers)`,
      );
    }
    await app.managers.resources.createGroup({ name: 'POOL_graphql', locking: true });
    const entries = parseRange(`${first + 5_000_000}-${first + 5_000_000 + numbers - 1}`);
    const started = performance.now();
    await app.managers.resources.addResources('POOL_graphql', entries);
    console.log(
      `${label.padEnd(22)} addResources (range), ${numbers} numbers: ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await closeDeps(deps);
  }
}

async function main(): Promise<void> {
  await bench('PGlite (in-memory)', 'memory://');
  const scratch = await scratchDatabase(baseUrl);
  try {
    await bench('PostgreSQL', scratch.url);
  } finally {
    await scratch.drop();
  }
}

await main();
