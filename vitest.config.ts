import { existsSync } from 'node:fs';
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

/**
 * Browser tests (web/e2e/*.e2e.ts): Debian's Chromium driven by playwright-core against a real server
 * on PGlite. Without a Chromium they are left out with one line; CI (CI=true) always runs them, so a
 * missing browser fails there instead of passing quietly.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserTests = existsSync(chromium) || process.env.CI === 'true';
if (!browserTests)
  console.log(
    `Browser tests skipped: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

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
      ...(browserTests
        ? [
            {
              extends: true as const,
              test: {
                name: 'browser',
                include: ['web/e2e/**/*.e2e.ts'],
                globalSetup: ['test/global-setup.ts'],
                env: { TEST_BACKEND: 'pglite' },
                testTimeout: 90_000,
                hookTimeout: 120_000,
                // Live views update within seconds; a loaded machine needs more than the 1 s default.
                expect: { poll: { timeout: 15_000, interval: 100 } },
                // One Chromium at a time (the machine has two cores), and the server's modules imported once.
                fileParallelism: false,
                isolate: false,
              },
            },
          ]
        : []),
    ],
  },
});
