// npm runs `prepare` after `npm ci` / `npm install` (also with --omit=dev): build what `npm start` serves.
// One step per target; a step whose tools are devDependencies skips cleanly when they are absent.
// `node scripts/prepare.mjs console` runs one step.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
// Some packages export no package.json, so look on disk (npm installs them flat under node_modules).
const has = (pkg) => existsSync(`node_modules/${pkg}/package.json`);

const steps = [
  {
    // A crash fix for the database driver (see the script): before anything else, always.
    name: 'postgres-patch',
    needs: ['postgres'],
    async run() {
      await import('./patch-postgres.mjs');
    },
  },
  {
    // `npm start` runs compiled JavaScript (no TypeScript loader at start), and a new embedded
    // database starts from a migrated PGlite dump instead of running initdb + every migration.
    name: 'server',
    needs: ['typescript'],
    async run() {
      execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
        stdio: 'inherit',
      });
      const { writePgliteSnapshot } = await import('../dist/db/pglite-snapshot.js');
      const { migrationsFolder } = await import('../dist/db/client.js');
      await writePgliteSnapshot(migrationsFolder);
    },
  },
  {
    name: 'console',
    needs: ['vite', '@vitejs/plugin-react', 'react', 'react-dom'],
    async run() {
      // The console always ships React's production build, whatever NODE_ENV the caller has (tests: 'test').
      process.env.NODE_ENV = 'production';
      const { build } = await import('vite');
      await build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
    },
  },
];

const only = process.argv.slice(2);
let failed = false;
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  const missing = step.needs.filter((p) => !has(p));
  if (missing.length > 0) {
    console.log(`prepare: ${step.name} skipped (devDependencies not installed: ${missing.join(', ')})`);
    continue;
  }
  const started = Date.now();
  try {
    await step.run();
    console.log(`prepare: ${step.name} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`prepare: ${step.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
