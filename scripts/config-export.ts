import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import type { Deps } from '../src/deps.js';
import { createLogger } from '../src/log/logger.js';
import { createManagers } from '../src/managers.js';
import { MetricsRegistry } from '../src/metrics/registry.js';
import { exportProvisioning, formatOfPath, renderProvisioning } from '../src/provisioning/provisioning.js';
import { createEventBus } from '../src/pubsub/event-bus.js';
import { createMemoryTransport } from '../src/pubsub/transport.js';
import { Scheduler } from '../src/scheduler.js';

/**
 * npm run config:export [-- --out gms.yaml] [-- --format json]
 *
 * Writes the configuration in the GMS_CONFIG format (the same text as the configurationExport
 * query), reading the database the environment points at (DATABASE_URL / DATA_DIR). It does not
 * join the cluster as a node. A PGlite data directory can be open in one process only: stop the
 * server first, or use the GraphQL query.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string', short: 'o' }, format: { type: 'string', short: 'f' } },
  });
  const format =
    values.format === 'json' || values.format === 'yaml'
      ? values.format
      : values.format === undefined
        ? values.out
          ? formatOfPath(values.out)
          : 'yaml'
        : null;
  if (format === null) throw new ConfigError(`--format must be yaml or json, not '${values.format}'`);

  const config = loadConfig();
  const logger = createLogger('error', { tool: 'config-export' });
  const database = await openDatabase(
    config.database.kind === 'postgres'
      ? config.database
      : { kind: 'pglite', dataDir: config.database.dataDir },
  );
  const bus = createEventBus(
    createMemoryTransport(() => {}),
    {
      bufferSize: config.subscriptionBufferSize,
      namespace: config.pubsubNamespace,
    },
  );
  const deps: Deps = {
    config,
    database,
    db: database.db,
    bus,
    clock: systemClock,
    logger,
    scheduler: new Scheduler(logger),
    node: { id: 0, name: 'config-export' },
    metrics: new MetricsRegistry(logger),
  };
  try {
    const text = renderProvisioning(await exportProvisioning(createManagers(deps)), format);
    if (values.out) {
      await writeFile(values.out, text);
      process.stderr.write(`configuration written to ${values.out}\n`);
    } else process.stdout.write(text);
  } finally {
    await bus.close();
    await database.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(err instanceof ConfigError ? 2 : 1);
});
