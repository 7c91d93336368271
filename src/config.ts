import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import { fromPackageRoot } from './paths.js';

/** dist/console under the package root. */
const defaultConsoleDir = (): string => fromPackageRoot('dist', 'console');

/** Every setting the server reads from the environment. README.md documents each one. */
const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .refine((v) => /^(postgres(ql)?:\/\/|pglite:\/\/|memory:\/\/?$)/.test(v), {
      message: 'must start with postgres://, postgresql://, pglite://<dir> or be memory://',
    })
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(10),
  DATABASE_PREPARED_STATEMENTS: boolFromEnv.default(true),
  ALLOW_NEWER_DATABASE: boolFromEnv.default(false),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), { message: 'must start with redis:// or rediss://' })
    .optional(),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1000),
  REDIS_MAX_PENDING_PUBLISHES: positiveInt.default(10_000),
  PUBSUB_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .default('gms'),
  NODE_NAME: z.string().min(1).max(200).optional(),
  HEARTBEAT_INTERVAL_MS: positiveInt.default(10_000),
  NODE_DOWN_AFTER_MS: positiveInt.default(30_000),
  NODE_FLAG_AFTER_MS: positiveInt.optional(),
  ADMIN_USERNAME: z.string().min(1).default('default'),
  ADMIN_PASSWORD: z.string().min(1).default('password'),
  AUTH_TOKEN_TTL_SECONDS: positiveInt.default(12 * 3600),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  GMS_CONFIG: z.string().min(1).optional(),
  GRAPHIQL: boolFromEnv.optional(),
  CONSOLE_DIR: z.string().min(1).optional(),
  INTROSPECTION: boolFromEnv.optional(),
  ALLOWED_ORIGINS: z.string().default('*'),
  BODY_LIMIT_BYTES: positiveInt.default(10 * 1024 * 1024),
  MULTIPART_MAX_FILE_BYTES: positiveInt.default(5 * 1024 * 1024),
  MULTIPART_MAX_FILES: positiveInt.default(10),
  MULTIPART_MAX_FIELDS: positiveInt.default(200),
  MULTIPART_MAX_PARTS: positiveInt.default(210),
  REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5_000),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  WS_MAX_PAYLOAD_BYTES: positiveInt.default(64 * 1024),
  WS_MAX_SUBSCRIPTIONS: positiveInt.default(100),
  WS_INIT_TIMEOUT_MS: positiveInt.default(3_000),
  WS_KEEPALIVE_MS: positiveInt.default(12_000),
  SUBSCRIPTION_BUFFER_SIZE: positiveInt.default(256),
  GRAPHQL_MAX_DEPTH: positiveInt.default(10),
  GRAPHQL_MAX_ALIASES: positiveInt.default(15),
  GRAPHQL_MAX_TOKENS: positiveInt.default(2000),
  GRAPHQL_MAX_COST: positiveInt.default(5000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PUBLIC: boolFromEnv.default(false),
  EVENT_POLL_MS: positiveInt.default(5_000),
  SERVICE_CACHE_MS: nonNegativeInt.default(10_000),
  COMETD_TIMEOUT_SECONDS: positiveInt.default(45),
  COMETD_ACK: boolFromEnv.default(true),
  COMETD_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  NOTIFICATION_EXPIRE_SECONDS: positiveInt.min(30).default(30),
  PUSH_WORKER_INTERVAL_MS: positiveInt.default(1_000),
  PUSH_MAX_ATTEMPTS: positiveInt.default(5),
  PUSH_RETRY_BASE_MS: positiveInt.default(2_000),
  PUSH_RETRY_MAX_MS: positiveInt.default(300_000),
  PUSH_HTTP_TIMEOUT_MS: positiveInt.default(5_000),
  PUSH_RETENTION_SECONDS: positiveInt.default(7 * 86_400),
  PUSH_CUSTOMHTTP_URL: z.url().optional(),
  PUSH_CUSTOMHTTP_AUTHORIZATION: z.string().min(1).optional(),
  APNS_URL: z.url().default('https://api.push.apple.com'),
  APNS_TEAM_ID: z.string().min(1).optional(),
  APNS_KEY_ID: z.string().min(1).optional(),
  APNS_PRIVATE_KEY: z.string().min(1).optional(),
  APNS_TOPIC: z.string().min(1).optional(),
  FCM_URL: z.url().default('https://fcm.googleapis.com'),
  FCM_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  FCM_PROJECT_ID: z.string().min(1).optional(),
  FCM_CLIENT_EMAIL: z.string().min(1).optional(),
  FCM_PRIVATE_KEY: z.string().min(1).optional(),
  RETENTION_INTERVAL_MS: positiveInt.default(60_000),
  RETENTION_BATCH_ROWS: positiveInt.max(100_000).default(5_000),
  RETENTION_MAX_BATCHES: positiveInt.default(20),
  RETENTION_SESSION_EVENTS_DAYS: nonNegativeInt.default(3),
  RETENTION_CHAT_DAYS: nonNegativeInt.default(30),
  RETENTION_CALLBACK_DAYS: nonNegativeInt.default(30),
  RETENTION_ROUTING_DAYS: nonNegativeInt.default(30),
  RETENTION_RESOURCE_HISTORY_DAYS: positiveInt.default(90),
  RETENTION_ACTIVITY_DAYS: positiveInt.default(35),
  RETENTION_ROLLUP_MINUTE_DAYS: positiveInt.default(60),
  RETENTION_ROLLUP_HOUR_DAYS: positiveInt.default(400),
  RETENTION_ROLLUP_DAY_DAYS: positiveInt.default(800),
  ROLLUP_INTERVAL_MS: positiveInt.default(5_000),
  PARTITION_AHEAD_DAYS: positiveInt.max(60).default(7),
  ROLLUP_BATCH_ROWS: positiveInt.max(100_000).default(10_000),
  ROLLUP_VACUUM_ROWS: nonNegativeInt.default(100_000),
  PUSH_ALLOWED_TARGETS: z.string().default('*'),
  LEGACY_ACCESS: z.enum(['compatible', 'strict']).default('compatible'),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string | undefined;
  database:
    | { kind: 'postgres'; url: string; poolSize: number; preparedStatements: boolean }
    | { kind: 'pglite'; dataDir: string | null };
  /**
   * Start on a database a newer release has migrated (migrations this build does not have), with a
   * warning, instead of refusing to (db/client.ts, SCALING.md "Upgrades").
   */
  allowNewerDatabase: boolean;
  redis: { url: string; commandTimeoutMs: number; maxPendingPublishes: number } | null;
  /** Prefix of every pub/sub channel, so several deployments can share one Redis. */
  pubsubNamespace: string;
  /** `flagAfterMs`: a node DOWN this long is flagged for removal (the GMS help advises 45 minutes). */
  node: { name: string; heartbeatIntervalMs: number; downAfterMs: number; flagAfterMs: number };
  admin: { username: string; password: string; usesDefault: boolean; tokenTtlSeconds: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  provisioningFile: string | undefined;
  graphql: {
    graphiql: boolean;
    introspection: boolean;
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
  };
  allowedOrigins: string[] | '*';
  /** The built console (web/ → dist/console), served at /genesys/. */
  consoleDir: string;
  limits: {
    bodyBytes: number;
    fileBytes: number;
    files: number;
    fields: number;
    parts: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
    shutdownGraceMs: number;
  };
  ws: { maxPayloadBytes: number; maxSubscriptions: number; initTimeoutMs: number; keepAliveMs: number };
  subscriptionBufferSize: number;
  /** Longest a resolved service is kept in process (services/service-cache.ts); 0: no cache. */
  serviceCacheMs: number;
  /** Who may scrape /metrics: admins, holders of `token`, or anyone when `public`. */
  metrics: { token: string | undefined; public: boolean };
  /** Push delivery (docs/push.md): event polling, CometD, Notification API, provider adapters. */
  push: PushConfig;
  /** How long append-only records are kept (docs/data-lifecycle.md). */
  retention: RetentionConfig;
  /**
   * Ownership on the legacy paths (README "Legacy access modes"): `compatible` keeps GMS 8.1's
   * open ids; `strict` binds what a device creates to it. GraphQL is always strict.
   */
  legacyAccess: 'compatible' | 'strict';
}

/** Retention of append-only records; every `*Days` is counted from when a row stopped being owed. */
export interface RetentionConfig {
  intervalMs: number;
  /** Rows per DELETE statement (each its own short transaction). */
  batchRows: number;
  /** Batches per table per run: a run is bounded, the next one carries on. */
  maxBatches: number;
  sessionEventsDays: number;
  chatDays: number;
  callbackDays: number;
  routingDays: number;
  resourceHistoryDays: number;
  /** Raw activity rows behind the reports (rollups answer for older ranges). */
  activityDays: number;
  /** Report rollups per grain (minute, hour, day): kept longer than the raw rows. */
  rollupMinuteDays: number;
  rollupHourDays: number;
  rollupDayDays: number;
  /** How often each instance folds recorded activity into the rollups, and rows per fold. */
  rollupIntervalMs: number;
  rollupBatchRows: number;
  /**
   * After this many rows folded (by this instance) the emptied queue is vacuumed, once it is
   * drained: a large backlog otherwise leaves its index full of dead entries until autovacuum. 0: never.
   */
  rollupVacuumRows: number;
  /** Day partitions created ahead of today for the time-partitioned tables (partitions.ts). */
  partitionAheadDays: number;
}

export interface PushConfig {
  /** Fallback poll of the event store when no bus poke arrives. */
  eventPollMs: number;
  cometdTimeoutSeconds: number;
  /** Offer the Bayeux acknowledgement extension (position advances on the client's ack). */
  cometdAck: boolean;
  /** Level of the CometD traffic log (handshake/connect/subscribe/deliver/ack per client, at debug); unset: LOG_LEVEL. */
  cometdLogLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent' | null;
  notificationExpireSeconds: number;
  workerIntervalMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  httpTimeoutMs: number;
  retentionSeconds: number;
  customHttp: { url: string; authorization: string | undefined } | null;
  apns: { url: string; teamId: string; keyId: string; privateKey: string; topic: string } | null;
  fcm: { url: string; tokenUrl: string; projectId: string; clientEmail: string; privateKey: string } | null;
  /** Who httpcb deliveries may reach (PUSH_ALLOWED_TARGETS); special addresses only when listed. */
  allowedTargets: TargetPolicySpec;
}

export interface TargetPolicySpec {
  /** `*`: any host name or public address. */
  anyHost: boolean;
  /** Exact host names. */
  hosts: string[];
  /** `*.example.com` entries, kept as `.example.com`. */
  suffixes: string[];
  /** IPs and CIDRs, as `[address, prefix]`; they may be special (e.g. `10.1.2.0/24`). */
  networks: [string, number][];
}

/**
 * Parses `PUSH_ALLOWED_TARGETS`: comma-separated `*`, host names, `*.domain` wildcards, IP
 * addresses and CIDRs. Returns an error message for the first bad entry.
 */
export function parseTargetPolicy(value: string): TargetPolicySpec | string {
  const spec: TargetPolicySpec = { anyHost: false, hosts: [], suffixes: [], networks: [] };
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      spec.anyHost = true;
      continue;
    }
    if (entry.startsWith('*.')) {
      if (!/^[a-z0-9.-]+$/.test(entry.slice(2))) return `'${raw.trim()}' is not a host name wildcard`;
      spec.suffixes.push(entry.slice(1));
      continue;
    }
    const [address = '', prefixText, extra] = entry.replace(/^\[(.*)\]$/, '$1').split('/');
    const family = isIP(address);
    if (family !== 0) {
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
        return `'${raw.trim()}' is not a valid CIDR`;
      spec.networks.push([address, prefix]);
      continue;
    }
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(entry))
      return `'${raw.trim()}' is not a host name, IP or CIDR`;
    spec.hosts.push(entry);
  }
  return spec;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once; a bad value names its variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  // The GMS help's 45 minutes, unless nodes are only declared DOWN later than that.
  const flagAfterMs = e.NODE_FLAG_AFTER_MS ?? Math.max(45 * 60_000, e.NODE_DOWN_AFTER_MS);
  if (flagAfterMs < e.NODE_DOWN_AFTER_MS)
    throw new ConfigError(
      'Invalid configuration:\n  NODE_FLAG_AFTER_MS: must not be shorter than NODE_DOWN_AFTER_MS',
    );
  const isProd = e.NODE_ENV === 'production';
  let database: Config['database'];
  if (e.DATABASE_URL === undefined) database = { kind: 'pglite', dataDir: e.DATA_DIR };
  else if (e.DATABASE_URL.startsWith('memory:')) database = { kind: 'pglite', dataDir: null };
  else if (e.DATABASE_URL.startsWith('pglite://'))
    database = { kind: 'pglite', dataDir: e.DATABASE_URL.slice('pglite://'.length) || e.DATA_DIR };
  else
    database = {
      kind: 'postgres',
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      preparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    };

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    database,
    allowNewerDatabase: e.ALLOW_NEWER_DATABASE,
    redis: e.REDIS_URL
      ? {
          url: e.REDIS_URL,
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
          maxPendingPublishes: e.REDIS_MAX_PENDING_PUBLISHES,
        }
      : null,
    pubsubNamespace: e.PUBSUB_NAMESPACE,
    node: {
      name: e.NODE_NAME ?? `${hostname()}:${e.PORT}`,
      heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
      downAfterMs: e.NODE_DOWN_AFTER_MS,
      flagAfterMs,
    },
    admin: {
      username: e.ADMIN_USERNAME,
      password: e.ADMIN_PASSWORD,
      usesDefault: e.ADMIN_USERNAME === 'default' && e.ADMIN_PASSWORD === 'password',
      tokenTtlSeconds: e.AUTH_TOKEN_TTL_SECONDS,
    },
    logLevel: e.NODE_ENV === 'test' && env.LOG_LEVEL === undefined ? 'silent' : e.LOG_LEVEL,
    provisioningFile: e.GMS_CONFIG,
    graphql: {
      graphiql: e.GRAPHIQL ?? !isProd,
      introspection: e.INTROSPECTION ?? !isProd,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST,
    },
    consoleDir: e.CONSOLE_DIR ?? defaultConsoleDir(),
    allowedOrigins:
      e.ALLOWED_ORIGINS.trim() === '*'
        ? '*'
        : e.ALLOWED_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    limits: {
      bodyBytes: e.BODY_LIMIT_BYTES,
      fileBytes: e.MULTIPART_MAX_FILE_BYTES,
      files: e.MULTIPART_MAX_FILES,
      fields: e.MULTIPART_MAX_FIELDS,
      parts: e.MULTIPART_MAX_PARTS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    },
    ws: {
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      maxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
      initTimeoutMs: e.WS_INIT_TIMEOUT_MS,
      keepAliveMs: e.WS_KEEPALIVE_MS,
    },
    subscriptionBufferSize: e.SUBSCRIPTION_BUFFER_SIZE,
    serviceCacheMs: e.SERVICE_CACHE_MS,
    metrics: { token: e.METRICS_TOKEN, public: e.METRICS_PUBLIC },
    push: pushConfig(e),
    retention: {
      intervalMs: e.RETENTION_INTERVAL_MS,
      batchRows: e.RETENTION_BATCH_ROWS,
      maxBatches: e.RETENTION_MAX_BATCHES,
      sessionEventsDays: e.RETENTION_SESSION_EVENTS_DAYS,
      chatDays: e.RETENTION_CHAT_DAYS,
      callbackDays: e.RETENTION_CALLBACK_DAYS,
      routingDays: e.RETENTION_ROUTING_DAYS,
      resourceHistoryDays: e.RETENTION_RESOURCE_HISTORY_DAYS,
      activityDays: e.RETENTION_ACTIVITY_DAYS,
      rollupMinuteDays: e.RETENTION_ROLLUP_MINUTE_DAYS,
      rollupHourDays: e.RETENTION_ROLLUP_HOUR_DAYS,
      rollupDayDays: e.RETENTION_ROLLUP_DAY_DAYS,
      rollupIntervalMs: e.ROLLUP_INTERVAL_MS,
      rollupBatchRows: e.ROLLUP_BATCH_ROWS,
      rollupVacuumRows: e.ROLLUP_VACUUM_ROWS,
      partitionAheadDays: e.PARTITION_AHEAD_DAYS,
    },
    legacyAccess: e.LEGACY_ACCESS,
  };
}

const pem = (v: string) => v.replaceAll('\\n', '\n');

function pushConfig(e: z.infer<typeof envSchema>): PushConfig {
  const all = <T extends string>(names: T[], values: (string | undefined)[]) => {
    const set = values.filter((v) => v !== undefined).length;
    if (set !== 0 && set !== values.length)
      throw new ConfigError(`Invalid configuration:\n  ${names.join(', ')}: set all of them or none`);
    return set === values.length;
  };
  const apns = all(
    ['APNS_TEAM_ID', 'APNS_KEY_ID', 'APNS_PRIVATE_KEY', 'APNS_TOPIC'],
    [e.APNS_TEAM_ID, e.APNS_KEY_ID, e.APNS_PRIVATE_KEY, e.APNS_TOPIC],
  );
  const fcm = all(
    ['FCM_PROJECT_ID', 'FCM_CLIENT_EMAIL', 'FCM_PRIVATE_KEY'],
    [e.FCM_PROJECT_ID, e.FCM_CLIENT_EMAIL, e.FCM_PRIVATE_KEY],
  );
  const allowedTargets = parseTargetPolicy(e.PUSH_ALLOWED_TARGETS);
  if (typeof allowedTargets === 'string')
    throw new ConfigError(`Invalid configuration:\n  PUSH_ALLOWED_TARGETS: ${allowedTargets}`);
  return {
    allowedTargets,
    eventPollMs: e.EVENT_POLL_MS,
    cometdTimeoutSeconds: e.COMETD_TIMEOUT_SECONDS,
    cometdAck: e.COMETD_ACK,
    cometdLogLevel: e.COMETD_LOG_LEVEL ?? null,
    notificationExpireSeconds: e.NOTIFICATION_EXPIRE_SECONDS,
    workerIntervalMs: e.PUSH_WORKER_INTERVAL_MS,
    maxAttempts: e.PUSH_MAX_ATTEMPTS,
    retryBaseMs: e.PUSH_RETRY_BASE_MS,
    retryMaxMs: e.PUSH_RETRY_MAX_MS,
    httpTimeoutMs: e.PUSH_HTTP_TIMEOUT_MS,
    retentionSeconds: e.PUSH_RETENTION_SECONDS,
    customHttp: e.PUSH_CUSTOMHTTP_URL
      ? { url: e.PUSH_CUSTOMHTTP_URL, authorization: e.PUSH_CUSTOMHTTP_AUTHORIZATION }
      : null,
    apns: apns
      ? {
          url: e.APNS_URL.replace(/\/$/, ''),
          teamId: e.APNS_TEAM_ID as string,
          keyId: e.APNS_KEY_ID as string,
          privateKey: pem(e.APNS_PRIVATE_KEY as string),
          topic: e.APNS_TOPIC as string,
        }
      : null,
    fcm: fcm
      ? {
          url: e.FCM_URL.replace(/\/$/, ''),
          tokenUrl: e.FCM_TOKEN_URL,
          projectId: e.FCM_PROJECT_ID as string,
          clientEmail: e.FCM_CLIENT_EMAIL as string,
          privateKey: pem(e.FCM_PRIVATE_KEY as string),
        }
      : null,
  };
}

/** The names documented in README's configuration table; a test keeps the two in step. */
export const configVariables = Object.keys(envSchema.shape);
