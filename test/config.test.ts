import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('defaults to embedded PGlite in ./data, in-process pub/sub and port 8080', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(c.redis).toBeNull();
    expect(c.admin.usesDefault).toBe(true);
    expect(c.allowNewerDatabase).toBe(false);
    expect(loadConfig({ ALLOW_NEWER_DATABASE: 'true' }).allowNewerDatabase).toBe(true);
  });

  it('selects the driver from DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: null });
    expect(loadConfig({ DATABASE_URL: 'pglite:///tmp/x' }).database).toEqual({
      kind: 'pglite',
      dataDir: '/tmp/x',
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).database).toMatchObject({ kind: 'postgres' });
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['LOG_LEVEL', 'loud'],
    ['MULTIPART_MAX_FILE_BYTES', '-1'],
    ['GRAPHIQL', 'maybe'],
    ['ALLOW_NEWER_DATABASE', 'maybe'],
  ])('a bad %s stops start-up with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('turns GraphiQL and introspection off in production unless asked', () => {
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect(prod.graphql.graphiql).toBe(false);
    expect(prod.graphql.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).graphql.graphiql).toBe(true);
  });

  it('README (or a module page in docs/, folded into README at merge) documents every variable', () => {
    const docs = new URL('../docs/', import.meta.url);
    const pages = readdirSync(docs)
      .filter((f) => f.endsWith('.md'))
      .map((f) => readFileSync(new URL(f, docs), 'utf8'));
    const readme = [readFileSync(new URL('../README.md', import.meta.url), 'utf8'), ...pages].join('\n');
    const missing = configVariables.filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
