import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import type { App } from '../src/app.js';

export interface Server {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server process and waits until it answers. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyPath: string,
  options: {
    fdLimit?: number;
    /** Node options before the script (e.g. `--expose-gc`, `--import ./bench/memory-probe.mjs`). */
    nodeArgs?: string[];
  } = {},
): Promise<Server> {
  // Below Linux's ephemeral range (32768–60999): a port there may be held by one of the many client
  // sockets of an earlier run (a 19,950-subscriber run leaves 40,000 of them in TIME_WAIT).
  const port = 20000 + Math.floor(Math.random() * 12000);
  // BENCH_CPU_PROF=<dir>: every server but the baseline writes a V8 CPU profile there on exit.
  const profile =
    process.env.BENCH_CPU_PROF && !args[0]?.includes('baseline')
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
      : [];
  // Compiled entry points (dist/*.js) run as `npm start` runs them, without the TypeScript loader.
  const loader = args[0]?.endsWith('.js') ? [] : ['--import', 'tsx'];
  const node = [process.execPath, ...profile, ...(options.nodeArgs ?? []), ...loader, ...args];
  // BENCH_SERVER_STDOUT_DIR=<dir>: each server's stdout goes to <dir>/server-<port>.out (e.g. what
  // `--trace-gc` prints); otherwise it is dropped.
  const stdoutDir = process.env.BENCH_SERVER_STDOUT_DIR;
  const stdout = stdoutDir ? openSync(join(stdoutDir, `server-${port}.out`), 'w') : 'ignore';
  const spawnOptions = {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', stdout, 'inherit'] as ['ignore', number | 'ignore', 'inherit'],
  };
  // With fdLimit the server's soft RLIMIT_NOFILE is raised first (exec keeps the pid).
  const child =
    options.fdLimit === undefined
      ? spawn(node[0] as string, node.slice(1), spawnOptions)
      : spawn('sh', ['-c', `ulimit -n ${options.fdLimit} && exec "$@"`, 'sh', ...node], spawnOptions);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      const r = await fetch(
        `${url}${readyPath}`,
        readyPath === '/graphql'
          ? {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: '{"query":"{__typename}"}',
            }
          : {},
      );
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  name: string;
  requestsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface Scenario {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function load(
  baseUrl: string,
  s: Scenario,
  options: { connections: number; durationSec: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url: `${baseUrl}${s.path}`,
    method: s.method ?? 'GET',
    headers: s.headers,
    body: s.body,
    connections: options.connections,
    duration: options.durationSec,
  });
  return {
    name: s.name,
    requestsPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export interface ScratchDatabase {
  /** Name of the database (also handy as a unique node name). */
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database next to `baseUrl`, for one benchmark run; `drop()` removes it (forcibly). */
export async function scratchDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = `gms_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** dist/ older than the sources measures other code than the checkout's: refuse rather than mislead. */
export function assertBuilt(): void {
  const built = statSync(new URL('../dist/main.js', import.meta.url), { throwIfNoEntry: false });
  if (!built) throw new Error('dist/main.js is missing: run `npm run build` first');
  const src = new URL('../src/', import.meta.url);
  const newer = readdirSync(src, { recursive: true, encoding: 'utf8' }).find(
    // The files the bundle can hold (tests are left out of dist/).
    (f) =>
      f.endsWith('.ts') &&
      !/\.test(-support)?\.ts$/.test(f) &&
      statSync(new URL(f, src)).mtimeMs > built.mtimeMs,
  );
  if (newer) throw new Error(`src/${newer} is newer than dist/main.js: run \`npm run build\` first`);
}

const clockTicksPerSecond = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, ms) the processes have used so far, from /proc (Linux; 0 elsewhere). */
export function processCpuMs(pids: Iterable<number>): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended: its time is lost to the sum (pool connections stay for the whole run).
    }
  }
  return (ticks * 1000) / clockTicksPerSecond;
}

/** Read and write system calls a process has made so far (/proc/<pid>/io; zeros elsewhere). */
export function processSyscalls(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? 0);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

/** Every PostgreSQL process on this machine (backends of every database, WAL writer, checkpointer…). */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** The server processes serving connections to `url`'s database (the pool of the server under test). */
export async function databaseBackendPids(url: string): Promise<number[]> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await client<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

export interface PoolApp {
  app: App;
  /** One legacy `POST /genesys/1/service/request-interaction` on the 'Pool' group, through `app.fetch`. */
  requestInteraction(): Promise<Response>;
  close(): Promise<void>;
}

/**
 * An app in this process (no HTTP) started on `databaseUrl`, with a resource group 'Pool' of
 * `numbers` access numbers: the set-up of the in-process request-interaction benches.
 */
export async function poolApp(options: {
  databaseUrl: string;
  numbers: number;
  locking: boolean;
  bookingExpirationTimeout: number;
  onStatement?: (statement: string) => void;
}): Promise<PoolApp> {
  // Loaded here, not at the top: the other benches drive server processes and need none of it.
  const [{ buildApp }, { loadConfig }, { closeDeps, createDeps }, { startup }] = await Promise.all([
    import('../src/app.js'),
    import('../src/config.js'),
    import('../src/deps.js'),
    import('../src/startup.js'),
  ]);
  const deps = await createDeps(
    loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: options.databaseUrl }),
    { onStatement: options.onStatement },
  );
  const app = await buildApp(deps);
  const close = async () => {
    await app.stop();
    await closeDeps(deps);
  };
  try {
    await startup(app);
    await app.managers.resources.createGroup({
      name: 'Pool',
      locking: options.locking,
      bookingExpirationTimeout: options.bookingExpirationTimeout,
      resources: Array.from({ length: options.numbers }, (_, i) => ({
        name: `K${i}`,
        accessNumber: `1-555-${i}`,
      })),
    });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    app,
    requestInteraction: () =>
      app.fetch(
        new Request('http://gms.test/genesys/1/service/request-interaction', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '_phone_number=6504669999&_resource_group=Pool&_provide_code=true&usr_reason=billing',
        }),
      ),
    close,
  };
}

/** A multipart/form-data body of text fields, as a legacy client sends request-interaction. */
export function multipartBody(boundary: string, fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('')
    .concat(`--${boundary}--\r\n`);
}
