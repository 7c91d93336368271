/**
 * Idle resident memory of the compiled server (`node dist/main.js`, `npm run build` first): RSS a few
 * seconds after `/readyz` answers 200, then again after a full garbage collection (what start-up
 * left for the collector is not the server's to keep; bench/memory-probe.mjs), with the JavaScript
 * heap and the memory outside it (ArrayBuffers: PGlite's files; WebAssembly memory), on in-memory
 * PGlite, a new PGlite data directory, the same directory opened again, and PostgreSQL. Also RSS
 * `--late` seconds after ready with no GC forced: V8's memory reducer shrinks an idle heap (its
 * young generation above all) only some 20 s after the last major GC, so the 5-s figure still holds
 * what start-up grew.
 *
 *   node --import tsx bench/memory.ts [--settle 5] [--late 30] [--build dist] [--node-args=--flag …]
 *
 * `--build`: the directory whose main.js runs (a copy of a build beside its checkout's drizzle/,
 * service_templates/ and package.json, e.g. `.bench/before/dist`, for an A/B).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, scratchDatabase } from './harness.js';

const { values: args } = parseArgs({
  options: {
    settle: { type: 'string', default: '5' },
    late: { type: 'string', default: '30' },
    build: { type: 'string', default: 'dist' },
    'node-args': { type: 'string', default: '' },
  },
});
/** Extra V8/Node options for the server (`--node-args=--max-semi-space-size=64`; with a space, parseArgs takes a value starting with `--` for an option). */
const nodeArgs = (args['node-args'] ?? '').split(' ').filter(Boolean);

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

const probe = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function idleMemory(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const memoryFile = join(dir, `memory-${port}.jsonl`);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--expose-gc', '--import', probe, join(args.build, 'main.js')],
    {
      env: {
        ...process.env,
        ...env,
        BENCH_MEMORY_FILE: memoryFile,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyAt = Date.now();
    await new Promise((r) => setTimeout(r, Number(args.settle) * 1000));
    const settled = rssMb(child.pid as number);
    await new Promise((r) => setTimeout(r, Math.max(0, readyAt + Number(args.late) * 1000 - Date.now())));
    const late = rssMb(child.pid as number);
    child.kill('SIGUSR2');
    while (!existsSync(memoryFile)) await new Promise((r) => setTimeout(r, 50));
    const usage = JSON.parse(readFileSync(memoryFile, 'utf8')) as NodeJS.MemoryUsage;
    await new Promise((r) => setTimeout(r, 500));
    const collected = rssMb(child.pid as number);
    return `${settled} | ${late} | ${collected} | ${mb(usage.heapUsed)} / ${mb(usage.heapTotal)} | ${mb(usage.external)} (${mb(usage.arrayBuffers)}) |`;
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
    `Machine: ${machine()}; ${join(args.build, 'main.js')}; load average ${loadavg()[0]?.toFixed(1)}; RSS ${args.settle} s and ${args.late} s after /readyz 200, then after a full GC.\n\n` +
      `| Storage | RSS MB | RSS at ${args.late} s | RSS after GC | JS heap used / total MB | external MB (ArrayBuffers) |\n|---|---:|---:|---:|---:|---:|\n`,
  );
  process.stdout.write(`| PGlite in memory | ${await idleMemory({ DATABASE_URL: 'memory://' })}\n`);
  const dataDir = { DATABASE_URL: `pglite://${join(dir, 'data')}` };
  process.stdout.write(`| PGlite data directory (new) | ${await idleMemory(dataDir)}\n`);
  process.stdout.write(`| PGlite data directory (existing) | ${await idleMemory(dataDir)}\n`);
  process.stdout.write(`| PostgreSQL | ${await idleMemory({ DATABASE_URL: db.url })}\n`);
} finally {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
