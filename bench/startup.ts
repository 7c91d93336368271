/**
 * Start-up time: process spawn to the first `GET /readyz` 200, for the compiled server (`npm start`:
 * node dist/main.js, built by `npm run build`) and the TypeScript sources through tsx, on an empty
 * PGlite data directory, the same directory again, and PostgreSQL (empty database, then existing).
 *
 *   node --import tsx bench/startup.ts [--runs 3]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, scratchDatabase } from './harness.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(args.runs);

/** A port nothing listens on right now (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function timeToReady(command: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command[0] as string, command.slice(1), {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (r.status === 200) return performance.now() - started;
      } catch {}
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

const commands: [string, string[]][] = [
  ['compiled (node dist/main.js)', [process.execPath, 'dist/main.js']],
  ['tsx (node --import tsx src/main.ts)', [process.execPath, '--import', 'tsx', 'src/main.ts']],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

process.stdout.write(`Machine: ${machine()}; median of ${runs} runs, ms.\n\n`);
process.stdout.write(
  '| Server | PGlite empty dir | PGlite existing dir | Postgres empty db | Postgres existing db |\n|---|---:|---:|---:|---:|\n',
);
for (const [label, command] of commands) {
  const cells: number[][] = [[], [], [], []];
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'gms-start-'));
    const db = await scratchDatabase(
      process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    );
    try {
      const dataDir = { DATABASE_URL: `pglite://${join(dir, 'data')}` };
      cells[0]?.push(await timeToReady(command, dataDir));
      cells[1]?.push(await timeToReady(command, dataDir));
      cells[2]?.push(await timeToReady(command, { DATABASE_URL: db.url }));
      cells[3]?.push(await timeToReady(command, { DATABASE_URL: db.url }));
    } finally {
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`| ${label} | ${cells.map((c) => median(c).toFixed(0)).join(' | ')} |\n`);
}
