import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * npm 11.16+ warns after every install about dependencies whose install scripts package.json's
 * `allowScripts` does not cover, and refuses the install with --strict-allow-scripts (npm's next
 * major makes that the default): `npm ci` on a fresh machine must stay clean and working.
 */
describe('install scripts', () => {
  const root = new URL('..', import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
  };
  const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
    packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
  };

  it('every dependency with an install script is approved or denied in allowScripts', () => {
    const allow = pkg.allowScripts ?? {};
    const uncovered = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path, p]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 13), version: p.version }))
      .filter(({ name, version }) => !(name in allow) && !(`${name}@${version}` in allow))
      .map(({ name, version }) => `${name}@${version}`);
    expect(uncovered).toEqual([]);
  });
});
