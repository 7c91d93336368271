/**
 * Start-up time: process spawn to the first `GET /readyz` 200, for the compiled server (`npm start`:
 * node dist/main.js, built by `npm run build`) and the TypeScript sources through tsx, on an empty
 * PGlite data directory, the same directory again, and PostgreSQL (empty database, then existing).
 * Beside each median: the server's CPU time until ready (all threads / its main thread, from
 * /proc), which a busy machine inflates far less than the wall time.
 *
 *   node --import tsx bench/startup.ts [--runs 3] [--servers compiled|tsx|all] [--builds dir,dir]
 *
 * A/B: `--builds .bench/before/dist,dist` measures each build's `main.js` instead (a copy of a
 * build sits beside its checkout's drizzle/, service_templates/ and package.json), the builds
 * alternating within every round (A, B, A, B…) so that both see the same load. Node options for a
 * build follow it after `@`: `--builds dist,dist@--v8-pool-size=1`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, scratchDatabase } from './harness.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    servers: { type: 'string', default: 'all' },
    builds: { type: 'string' },
  },
});
const runs = Number(args.runs);

interface Start {
  ms: number;
  /** CPU time (user + system) of the whole process / of its main thread until ready; NaN without /proc. */
  cpuMs: number;
  mainCpuMs: number;
}

/** utime + stime of a /proc stat file, in ms (clock ticks of 10 ms). */
function cpuOf(statPath: string): number {
  try {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * The server listens on a port the kernel picks (PORT=0) and prints it in its "is up" lines: a port
 * picked by the bench beforehand could be taken by another process before the server bound it
 * (EADDRINUSE on a machine shared with other benches and tests).
 */
async function timeToReady(command: string[], env: Record<string, string>): Promise<Start> {
  const started = performance.now();
  const child = spawn(command[0] as string, command.slice(1), {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let port: number | null = null;
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (port !== null) return;
    out += chunk;
    const found = /GraphiQL\s+http:\/\/[^:/]+:(\d+)/.exec(out);
    if (found) port = Number(found[1]);
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
      if (port !== null) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/readyz`);
          if (r.status === 200)
            return {
              ms: performance.now() - started,
              cpuMs: cpuOf(`/proc/${child.pid}/stat`),
              mainCpuMs: cpuOf(`/proc/${child.pid}/task/${child.pid}/stat`),
            };
        } catch {}
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

const allCommands: [string, string[]][] = [
  ['compiled (node dist/main.js)', [process.execPath, 'dist/main.js']],
  ['tsx (node --import tsx src/main.ts)', [process.execPath, '--import', 'tsx', 'src/main.ts']],
];
const commands: [string, string[]][] = args.builds
  ? args.builds.split(',').map((spec) => {
      const [build = 'dist', ...nodeArgs] = spec.split('@');
      return [
        [...nodeArgs, join(build, 'main.js')].join(' '),
        [process.execPath, ...nodeArgs, join(build, 'main.js')],
      ];
    })
  : allCommands.filter(([label]) => args.servers === 'all' || label.startsWith(`${args.servers}`));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cell = (starts: Start[]) =>
  `${median(starts.map((s) => s.ms)).toFixed(0)} (${median(starts.map((s) => s.cpuMs)).toFixed(0)} / ${median(starts.map((s) => s.mainCpuMs)).toFixed(0)})`;

process.stdout.write(
  `Machine: ${machine()}; median of ${runs} runs: wall ms (CPU ms until ready: process / main thread).\n\n`,
);
process.stdout.write(
  '| Server | PGlite empty dir | PGlite existing dir | Postgres empty db | Postgres existing db |\n|---|---:|---:|---:|---:|\n',
);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadAtStart = load();
// Rounds outermost, so that every server sees the same stretch of the machine's load.
const results = commands.map((): Start[][] => [[], [], [], []]);
for (let i = 0; i < runs; i++) {
  for (const [c, [, command]] of commands.entries()) {
    const cells = results[c] as Start[][];
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
}
for (const [c, [label]] of commands.entries())
  process.stdout.write(`| ${label} | ${(results[c] as Start[][]).map(cell).join(' | ')} |\n`);
process.stdout.write(`\nLoad average (1, 5, 15 min): ${loadAtStart} at the start, ${load()} at the end.\n`);
process.stdout.write(
  `Each start, wall / process CPU / main thread CPU ms:\n${commands
    .map(
      ([label], c) =>
        `  ${label}: ${(results[c] as Start[][])
          .map((cells) => cells.map((s) => `${s.ms.toFixed(0)}/${s.cpuMs}/${s.mainCpuMs}`).join(' '))
          .join(' | ')}`,
    )
    .join('\n')}\n`,
);
