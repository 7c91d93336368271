// npm runs `prepare` after `npm ci` / `npm install` (also with --omit=dev): build what `npm start` serves.
// One step per target; a step whose tools are devDependencies skips cleanly when they are absent.
// `node scripts/prepare.mjs console` runs one step.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
// Some packages export no package.json, so look on disk (npm installs them flat under node_modules).
const has = (pkg) => existsSync(`node_modules/${pkg}/package.json`);

/**
 * The server bundled by esbuild into dist/: main.js, the entry `npm start` runs, plus a chunk for
 * each part loaded on first use (`import()` in the sources: the PGlite driver, the push senders,
 * cometd, Redis). Loading ~1,500 modules was half the main thread's start-up (BENCHMARKS.md, issue
 * 18 start-up). Kept external, loaded from node_modules as before (each already imported lazily):
 * PGlite (it finds its .wasm and .data files beside itself), exceljs, pdfkit (its fonts), jszip,
 * faye, ioredis, undici, jose; and postgres, which scripts/patch-postgres.mjs patches in place.
 * Paths to the package's own files go through src/paths.ts (the package root), not through
 * `import.meta.url`, which every bundled module shares.
 */
async function bundleServer() {
  const { build } = await import('esbuild');
  // Whatever an earlier build left (tsc's tree of modules before the bundle), except the console.
  if (existsSync('dist'))
    for (const entry of readdirSync('dist'))
      if (entry !== 'console') rmSync(join('dist', entry), { recursive: true, force: true });
  await build({
    entryPoints: { main: 'src/main.ts', 'pglite-snapshot': 'src/db/pglite-snapshot.ts' },
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [
      '@electric-sql/pglite',
      '@electric-sql/pglite/*',
      'exceljs',
      'pdfkit',
      'jszip',
      'faye',
      'ioredis',
      'undici',
      'jose',
      'postgres',
    ],
    // CommonJS packages inside an ES module: their require() of Node's built-ins goes through this.
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
}

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
    // `npm start` runs one bundled file (no TypeScript loader at start, and a handful of files for
    // Node's ESM loader instead of ~1,500), and a new embedded database starts from a migrated
    // PGlite dump instead of running initdb + every migration.
    name: 'server',
    needs: ['esbuild'],
    async run() {
      await bundleServer();
      const { writePgliteSnapshot } = await import('../dist/pglite-snapshot.js');
      await writePgliteSnapshot(join(root, 'drizzle'));
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
