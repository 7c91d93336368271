import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ConsoleServer,
  expectAccessible,
  launchChromium,
  openConsole,
  screenshot,
  signIn,
  startConsoleServer,
} from './harness.js';

let server: ConsoleServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function runAndRead(page: import('playwright-core').Page, operation: string): Promise<string> {
  await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor();
  await page.getByRole('button', { name: /Execute query/i }).click();
  const menuItem = page.getByRole('menuitem', { name: operation });
  if (await menuItem.count()) await menuItem.click();
  const response = page.locator('.graphiql-response');
  await expect.poll(() => response.textContent(), { timeout: 15_000 }).toMatch(/"data"/);
  return (await response.textContent()) ?? '';
}

test('GraphiQL at /graphql works offline (bundled, no CDN) and runs a query', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await page.goto(`${server.url}/graphql?query=${encodeURIComponent('{ serverInfo { version } }')}`);
  const text = await runAndRead(page, 'serverInfo');
  expect(text).toContain('serverInfo');
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Lab → GraphiQL: runs an example with the session token', async () => {
  const { page, context, offsite } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/lab/graphiql');
  const text = await runAndRead(page, 'ClusterNodes');
  expect(text).toContain('console-e2e');
  await screenshot(page, 'lab-graphiql');
  // The one exclusion: GraphiQL 5's editor tabs nest their close button inside the tab (axe
  // nested-interactive, graphql/graphiql#3422). The rest of GraphiQL (contrast overridden) is checked.
  await expectAccessible(page, ['.graphiql-tab']);
  expect(offsite).toEqual([]);
  await context.close();
});

test('Lab → GraphiQL on a server with introspection off (production): the admin still gets the schema', async () => {
  const closed = await startConsoleServer({ INTROSPECTION: 'false' });
  try {
    const { page, context, errors } = await openConsole(browser, closed.url);
    // GraphiQL's own introspection, with the session's admin token: answered (yoga.ts lets an admin).
    const introspected = page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('__schema'),
    );
    await signIn(page, closed.url, '/genesys/lab/graphiql');
    const body = (await (await introspected).json()) as { data?: { __schema?: unknown }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema).toBeTruthy();
    const text = await runAndRead(page, 'ClusterNodes');
    expect(text).toContain('console-e2e');
    expect(text).not.toContain('introspection has been disabled');
    expect(errors).toEqual([]);
    await context.close();
  } finally {
    await closed.close();
  }
});
