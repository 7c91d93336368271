import { ConfigError, loadConfig } from './config.js';

/** Reads the configuration, builds the app, listens, and shuts down cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // The database opens (PGlite: its engine compiles on V8's background threads, Postgres starts,
  // migrations are checked) while the rest of the server's modules load, instead of after them
  // (BENCHMARKS.md, issue 18 start-up).
  const depsModule = import('./deps.js');
  const [{ closeDeps }, deps, { buildApp }, { scheduleBackgroundTasks }, { startup }] = await Promise.all([
    depsModule,
    depsModule.then(({ createDeps }) => createDeps(config)),
    import('./app.js'),
    import('./managers.js'),
    import('./startup.js'),
  ]);
  const app = await buildApp(deps);
  try {
    await startup(app);
  } catch (err) {
    // A bad provisioning file is a configuration error: say what is wrong, without a stack trace.
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      await closeDeps(deps).catch(() => {});
      process.exit(2);
    }
    throw err;
  }
  // Day partitions for today and the days ahead before traffic; hourly after that.
  await app.managers.partitions.maintain();
  scheduleBackgroundTasks(deps, app.managers);
  const { url } = await app.start();
  if (config.admin.usesDefault)
    deps.logger.warn(
      'the default admin credentials default/password are in use: set ADMIN_USERNAME and ADMIN_PASSWORD',
    );
  deps.logger.info('listening', {
    graphql: `${url}/graphql`,
    legacy: `${url}/genesys/1`,
    health: `${url}/healthz`,
    storage: config.database.kind === 'postgres' ? 'postgres' : (config.database.dataDir ?? 'memory'),
    pubsub: config.redis ? 'redis' : 'in-process',
  });
  process.stdout.write(
    `\nGMS Engage node ${deps.node.id} is up:\n  GraphiQL  ${url}/graphql\n  Legacy    ${url}/genesys/1/...\n  Health    ${url}/healthz  ${url}/readyz\n\n`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), config.limits.shutdownGraceMs + 5_000);
    force.unref();
    try {
      await app.stop();
      await closeDeps(deps);
      process.exit(0);
    } catch (err) {
      deps.logger.error('shutdown failed', { err });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // A setting the process cannot run with, found while opening (a DATA_DIR another server holds).
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `Start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
