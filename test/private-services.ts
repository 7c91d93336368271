import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Private PostgreSQL and Redis servers for fault tests and the drill: each gets its own data
 * directory and loopback port, so stopping, freezing or killing it never touches the shared
 * instances (5432, 6379). Everything is removed by `destroy()`.
 */

const run = promisify(execFile);

/** A free loopback port (the OS picks it; it is released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The directory of the newest installed PostgreSQL's binaries (`PG_BIN` overrides), or null. */
export function postgresBinDir(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const onPath = (name: string) =>
  (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));

const isRoot = () => process.getuid?.() === 0;

/**
 * Why private servers cannot be started here (one line), or null when they can. Tests skip with
 * this line; the drill stops with it.
 */
export function missingServices(what: { postgres?: boolean; redis?: boolean }): string | null {
  const missing: string[] = [];
  if (what.postgres) {
    if (!postgresBinDir()) missing.push('PostgreSQL server binaries (initdb, pg_ctl; set PG_BIN)');
    else if (isRoot() && !onPath('runuser')) missing.push('runuser (to run PostgreSQL as user postgres)');
  }
  if (what.redis && !onPath('redis-server')) missing.push('redis-server');
  return missing.length ? `needs ${missing.join(' and ')}` : null;
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Starts the server again on the same data directory and port (after stop or kill). */
  start(): Promise<void>;
  /** `pg_ctl stop`: fast (terminate sessions, clean shutdown) or immediate (crash-like). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Sends a signal to the postmaster (SIGSTOP freezes it, SIGCONT resumes). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/** initdb into a temporary directory and start PostgreSQL on its own loopback port. */
export async function startPrivatePostgres(options: { port?: number } = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found');
  const port = options.port ?? (await freePort());
  const root = mkdtempSync(join(tmpdir(), 'gms-pg-'));
  const data = join(root, 'data');
  // As root, the server must run as another user: the distribution's `postgres` account.
  const asUser = async (cmd: string, args: string[]) => {
    if (isRoot()) return run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]);
    return run(join(bin, cmd), args);
  };
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  await asUser('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on`;
  const start = async () => {
    await asUser('pg_ctl', ['-D', data, '-o', opts, '-l', join(root, 'log'), '-w', '-t', '30', 'start']);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await asUser('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']).catch(() => {});
  };
  await start();
  const postmasterPid = async () => {
    const text = await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '');
    return Number(text.split('\n')[0]) || null;
  };
  let pid = await postmasterPid();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await start();
      pid = await postmasterPid();
    },
    stop,
    signal(signal) {
      if (pid) process.kill(pid, signal);
    },
    async destroy() {
      if (pid) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {}
      }
      await stop('immediate');
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Starts redis-server again on the same port (after stop). */
  start(): Promise<void>;
  /** SIGKILL: the server vanishes at once, as in a crash. */
  stop(): Promise<void>;
  /** SIGSTOP freezes the server with its sockets open; SIGCONT resumes. */
  signal(signal: NodeJS.Signals): void;
  destroy(): Promise<void>;
}

/** A redis-server on its own loopback port, without persistence. */
export async function startPrivateRedis(options: { port?: number } = {}): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  let proc: ChildProcess | null = null;
  const start = async () => {
    const p = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    proc = p;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      p.stdout?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('Ready to accept connections')) resolve();
      });
      p.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${seen.slice(-300)}`)));
    });
    p.stdout?.removeAllListeners('data');
    p.stdout?.resume();
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    try {
      p.kill('SIGCONT');
    } catch {}
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    signal(signal) {
      (proc as ChildProcess | null)?.kill(signal);
    },
    destroy: stop,
  };
}
