import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * The suites always run on PGlite with in-process pub/sub; with TEST_DATABASE_URL (and
 * TEST_REDIS_URL) set they run a second time on real Postgres (and Redis).
 */
const scaled = Boolean(process.env.TEST_DATABASE_URL);

const shared = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  globalSetup: ['test/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  // Node loads graphql's CommonJS build for every package; Vite would hand our sources the .mjs one,
  // and two GraphQLError classes break error masking. One copy, as in production.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    projects: [
      { extends: true as const, test: { ...shared, name: 'pglite', env: { TEST_BACKEND: 'pglite' } } },
      ...(scaled
        ? [
            {
              extends: true as const,
              test: { ...shared, name: 'postgres', env: { TEST_BACKEND: 'postgres' } },
            },
          ]
        : []),
    ],
  },
});
