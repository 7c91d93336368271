import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  freePort,
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from '../../test/private-services.js';

/**
 * The drill's cluster on loopback: a private PostgreSQL and Redis (test/private-services.ts, never
 * the shared 5432/6379), N server instances (`src/main.ts`, one process each) and HAProxy in front.
 * HAProxy takes an instance out when its `/readyz` fails, keeps a CometD device on one instance
 * (by source address: the official client's first, websocket handshake carries no `gms_user`
 * header, so hashing that header sent it to another instance than its long-polls), and retries a request
 * only when it could not be sent at all (a POST is never replayed).
 */

export const ADMIN = { username: 'drill', password: 'drill-password-0123' };
export const adminAuthorization = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;

const root = resolve(import.meta.dirname, '../..');

export interface Instance {
  name: string;
  port: number;
  url: string;
  process: ChildProcess | null;
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export interface Cluster {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  instances: Instance[];
  /** HAProxy's frontend. */
  url: string;
  logDir: string;
  destroy(): Promise<void>;
}

/** Why the drill cannot run here (one line), or null. */
export function missingTools(): string | null {
  const onPath = (name: string) =>
    (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));
  const haproxy = process.env.HAPROXY_BIN ?? (onPath('haproxy') ? 'haproxy' : null);
  return haproxy ? null : 'needs haproxy (apt-get install -y haproxy, or set HAPROXY_BIN)';
}

async function waitReady(url: string, timeoutMs: number, process: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.exitCode !== null || process.signalCode !== null)
      throw new Error(`${url}: the instance exited during start-up`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}: not ready within ${timeoutMs} ms`);
}

function instance(name: string, port: number, env: Record<string, string>, logDir: string): Instance {
  const url = `http://127.0.0.1:${port}`;
  const self: Instance = {
    name,
    port,
    url,
    process: null,
    async start() {
      const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: root,
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_NAME: name },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      self.process = child;
      await waitReady(url, 120_000, child);
    },
    kill(signal) {
      self.process?.kill(signal);
    },
  };
  return self;
}

function haproxyConfig(port: number, instances: Instance[]): string {
  const servers = (check: string) =>
    instances.map((i) => `  server ${i.name} 127.0.0.1:${i.port} check ${check}`).join('\n');
  return `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout check 1s
  # Only a request that could not be sent is tried on another instance: a POST is never replayed.
  retries 2
  option redispatch
  retry-on conn-failure
frontend drill
  bind 127.0.0.1:${port}
  acl cometd path_beg /genesys/cometd
  use_backend cometd if cometd
  default_backend api
backend api
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500 fall 2 rise 2
${servers('')}
backend cometd
  # Sticky per device: faye keeps a client's state on one instance. By source, not by the gms_user
  # header: the default client's websocket upgrade has no headers, and a handshake on one instance
  # with long-polls on another never subscribes.
  balance source
  hash-type consistent
  # Which instance answered (the drill kills the one holding the CometD devices).
  http-response set-header x-drill-server %s
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500 fall 2 rise 2
${servers('')}
`;
}

export async function startCluster(options: {
  instances: number;
  env?: Record<string, string>;
  /** Keep the instances' and HAProxy's logs after the run (also DRILL_KEEP_LOGS=1). */
  keepLogs?: boolean;
}): Promise<Cluster> {
  const logDir = mkdtempSync(join(tmpdir(), 'gms-drill-'));
  const pg = await startPrivatePostgres();
  const redis = await startPrivateRedis();
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: pg.url,
    DATABASE_POOL_SIZE: '8',
    REDIS_URL: redis.url,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    EVENT_POLL_MS: '1000',
    COMETD_TIMEOUT_SECONDS: '10',
    ...options.env,
  };
  const instances: Instance[] = [];
  for (let i = 1; i <= options.instances; i++)
    instances.push(instance(`drill-${i}`, await freePort(), env, logDir));
  let haproxy: ChildProcess | null = null;
  const destroy = async () => {
    haproxy?.kill('SIGKILL');
    for (const i of instances) i.kill('SIGKILL');
    await redis.destroy();
    await pg.destroy();
  };
  try {
    // The first instance runs the migrations; the others then start side by side.
    const [first, ...rest] = instances;
    if (first) await first.start();
    await Promise.all(rest.map((i) => i.start()));
    const port = await freePort();
    const config = join(logDir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(port, instances));
    const log = createWriteStream(join(logDir, 'haproxy.log'));
    haproxy = spawn(process.env.HAPROXY_BIN ?? 'haproxy', ['-f', config, '-db'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    haproxy.stdout?.pipe(log);
    haproxy.stderr?.pipe(log);
    const url = `http://127.0.0.1:${port}`;
    const proxy = haproxy;
    await waitReady(url, 20_000, proxy);
    return {
      pg,
      redis,
      instances,
      url,
      logDir,
      async destroy() {
        await destroy();
        if (!options.keepLogs && !process.env.DRILL_KEEP_LOGS)
          rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}
