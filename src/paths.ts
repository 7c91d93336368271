import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the nearest folder above this module with a package.json. The files the server
 * reads from its own checkout (drizzle/, service_templates/, package.json, dist/console,
 * dist/pglite-initial.tar) are found from here, so the same code runs from src/ (tsx, vitest) and
 * from the bundle `npm run build` writes to dist/ (where every module shares one `import.meta.url`).
 * A copy of a build (`.bench/before/dist` beside its own package.json, drizzle/ …) finds its copy.
 */
function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const packageRoot = findPackageRoot();

/** A path under the package root. */
export const fromPackageRoot = (...parts: string[]): string => join(packageRoot, ...parts);
