import { defineConfig } from 'vitest/config';

/**
 * The suites always run on PGlite with in-process pub/sub; with TEST_DATABASE_URL (and
 * TEST_REDIS_URL) set they run a second time on real Postgres (and Redis).
 */
const scaled = Boolean(process.env.TEST_DATABASE_URL);

/**
 * One graphql instance: Vite would load graphql's ESM build (index.mjs) for source files while
 * yoga, loaded by Node, gets its CommonJS build (index.js); yoga then fails `instanceof
 * GraphQLError` on our errors and masks them as "Unexpected error.".
 */
const resolve = { alias: { graphql: 'graphql/index.js' } };

const shared = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  globalSetup: ['test/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      { resolve, test: { ...shared, name: 'pglite', env: { TEST_BACKEND: 'pglite' } } },
      ...(scaled
        ? [{ resolve, test: { ...shared, name: 'postgres', env: { TEST_BACKEND: 'postgres' } } }]
        : []),
    ],
  },
});
