import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { isConsolePath } from './console.js';

/** A fake build folder: the serving rules are tested without building the console. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gms-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'graphiql.html'), '<!doctype html><head><!--graphiql-settings--></head>');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  return dir;
}

describe('console serving under /genesys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CONSOLE_DIR: fakeBuild() } });
  });
  afterAll(() => t.close());

  test('/genesys redirects to /genesys/ (keeping the query)', async () => {
    const r = await t.fetch('/genesys?x=1');
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/genesys/?x=1');
  });

  test('/genesys/ and extension-less paths answer index.html, never cached, with a same-origin CSP', async () => {
    for (const path of ['/genesys/', '/genesys/tools/resource-groups', '/genesys/lab/graphiql']) {
      const r = await t.fetch(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await r.text()).toContain('<title>console</title>');
    }
    const head = await t.fetch('/genesys/services', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  test('hashed assets are immutable; a missing asset is a 404, not the HTML shell', async () => {
    const js = await t.fetch('/genesys/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await t.fetch('/genesys/assets/index-abc123.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    for (const path of ['/genesys/assets/index-old999.js', '/genesys/assets/', '/genesys/nope.js']) {
      const r = await t.fetch(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/json/);
    }
  });

  test('no path escapes the build folder', async () => {
    for (const path of [
      '/genesys/assets/..%2F..%2Fpackage.json',
      '/genesys/%2e%2e/package.json',
      '/genesys/assets/%00.js',
    ])
      expect((await t.fetch(path)).status, path).toBe(404);
  });

  test('only GET and HEAD reach the console', async () => {
    expect((await t.fetch('/genesys/', { method: 'POST' })).status).toBe(404);
  });

  test('the legacy API under /genesys/1, /genesys/2 and /genesys/cometd is untouched', async () => {
    expect(isConsolePath('/genesys/1/node')).toBe(false);
    expect(isConsolePath('/genesys/2/service/callback/x/availability')).toBe(false);
    expect(isConsolePath('/genesys/cometd')).toBe(false);
    expect(isConsolePath('/genesys/cometd/handshake')).toBe(false);
    expect(isConsolePath('/genesys/10')).toBe(true);
    expect((await t.fetch('/genesys/1/node')).status).toBe(200);
    const unknown = await t.fetch('/genesys/1/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 404 });
    const status = await t.fetch('/genesys/1/admin/node/status');
    expect(await status.text()).toBe('ONLINE');
  });

  test('GraphiQL at /graphql is the bundled page with its settings inlined (no CDN); API requests are unchanged', async () => {
    const page = await t.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="application/json" id="graphiql-settings">');
    expect(html).toContain('query ServerInfo');
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn/i);
    const api = await t.fetch('/graphql?query=%7BserverInfo%7Bversion%7D%7D', {
      headers: { accept: 'application/json' },
    });
    expect(((await api.json()) as { data: unknown }).data).toMatchObject({
      serverInfo: { version: expect.any(String) },
    });
  });
});

describe('console not built', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CONSOLE_DIR: join(tmpdir(), 'gms-console-missing-dir') } });
  });
  afterAll(() => t.close());

  test('/genesys/ says how to build it; /graphql falls back to yoga GraphiQL', async () => {
    const r = await t.fetch('/genesys/');
    expect(r.status).toBe(503);
    expect(((await r.json()) as { message: string }).message).toMatch(/npm run build:console/);
    const g = await t.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(g.status).toBe(200);
  });
});
