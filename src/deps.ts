import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Database, type Db, openDatabase } from './db/client.js';
import { createLogger, type Logger } from './log/logger.js';
import { MetricsRegistry } from './metrics/registry.js';
import { registerNode } from './modules/node/node.registration.js';
import { createEventBus, type EventBus } from './pubsub/event-bus.js';
import { createMemoryTransport, type Transport } from './pubsub/transport.js';
import { Scheduler } from './scheduler.js';
import { appVersion } from './version.js';

/** Built once per instance and handed to every manager; the request context adds the viewer. */
export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  scheduler: Scheduler;
  node: { id: number; name: string };
  /** Prometheus metrics of this instance; modules register scrape-time gauges here. */
  metrics: MetricsRegistry;
}

export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  /** A dump of an already migrated PGlite database (tests clone it instead of re-running initdb). */
  pgliteSnapshot?: Blob;
  /** Sees every statement sent to the database (statement counts, per-request statement logs). */
  onStatement?: (statement: string) => void;
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.logLevel, { node: config.node.name });
  const clock = overrides.clock ?? systemClock;
  const onNewerSchema = config.allowNewerDatabase ? (message: string) => logger.warn(message) : undefined;
  const database = await openDatabase(
    config.database.kind === 'postgres'
      ? {
          ...config.database,
          onStatement: overrides.onStatement,
          onNewerSchema,
          onAvailability: (up, err) =>
            up
              ? logger.info('database reachable again: serving requests')
              : logger.error('database unreachable: answering 503 with Retry-After until it is back', {
                  err,
                }),
        }
      : {
          kind: 'pglite',
          dataDir: config.database.dataDir,
          snapshot: overrides.pgliteSnapshot,
          onStatement: overrides.onStatement,
          onNewerSchema,
        },
  );
  let transport: Transport;
  try {
    // ioredis is loaded only when Redis is configured (an instance without it never needs it).
    transport = config.redis
      ? await (await import('./pubsub/redis-transport.js')).createRedisTransport({
          url: config.redis.url,
          commandTimeoutMs: config.redis.commandTimeoutMs,
          maxPendingPublishes: config.redis.maxPendingPublishes,
          onError: (err, context) => logger.warn('redis error', { context, err }),
          onStateChange: (connected) =>
            connected
              ? logger.info('redis connected: events reach other instances at once')
              : logger.warn(
                  'redis unreachable: this instance stays ready; events reach other instances by polling the event store until it is back',
                ),
        })
      : createMemoryTransport((err) => logger.error('pubsub listener failed', { err }));
  } catch (err) {
    await database.close();
    throw err;
  }
  const bus = createEventBus(transport, {
    bufferSize: config.subscriptionBufferSize,
    namespace: config.pubsubNamespace,
  });
  const node = await registerNode(database.db, {
    name: config.node.name,
    version: appVersion,
    now: clock.now(),
  });
  const nodeLogger = logger.child({ nodeId: node.id });
  return {
    config,
    database,
    db: database.db,
    bus,
    clock,
    logger: nodeLogger,
    scheduler: new Scheduler(logger),
    node,
    metrics: new MetricsRegistry(nodeLogger),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.scheduler.stop();
  await deps.bus.close();
  await deps.database.close();
}
