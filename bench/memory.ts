/**
 * Idle resident memory of the compiled server (`node dist/main.js`, `npm run build` first): RSS a few
 * seconds after `/readyz` answers 200, on in-memory PGlite, a PGlite data directory and PostgreSQL.
 *
 *   node --import tsx bench/memory.ts [--settle 5]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, scratchDatabase } from './harness.js';

const { values: args } = parseArgs({ options: { settle: { type: 'string', default: '5' } } });

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

const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Math.round(Number(line?.[1] ?? 0) / 1024);
};

async function idleRss(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, Number(args.settle) * 1000));
    return rssMb(child.pid as number);
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

const dir = await mkdtemp(join(tmpdir(), 'gms-mem-'));
const db = await scratchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
try {
  process.stdout.write(
    `Machine: ${machine()}; RSS ${args.settle} s after /readyz 200.\n\n| Storage | idle RSS MB |\n|---|---:|\n`,
  );
  process.stdout.write(`| PGlite in memory | ${await idleRss({ DATABASE_URL: 'memory://' })} |\n`);
  process.stdout.write(
    `| PGlite data directory | ${await idleRss({ DATABASE_URL: `pglite://${join(dir, 'data')}` })} |\n`,
  );
  process.stdout.write(`| PostgreSQL | ${await idleRss({ DATABASE_URL: db.url })} |\n`);
} finally {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
