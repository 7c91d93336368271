import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ConsoleServer,
  consoleDir,
  launchChromium,
  openConsole,
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

test('no request leaves the origin: every tab and sub-tab, the login page and /graphql', async () => {
  const { page, context, offsite } = await openConsole(browser, server.url);
  // The guard itself: an attempt to reach another origin is caught (the CSP blocks it, the route aborts it).
  await page.goto(`${server.url}/genesys/`);
  await page.evaluate(() => fetch('https://cdn.invalid/probe.js').catch(() => null));
  await expect.poll(() => offsite.length).toBeGreaterThan(0);
  offsite.length = 0;

  await signIn(page, server.url);
  const visited = new Set<string>();
  const queue = ['/genesys/'];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (visited.has(path)) continue;
    visited.add(path);
    await settle(page, `${server.url}${path}`);
    // Every link of the main tabs and of the page's own sub-tabs.
    for (const href of await page
      .locator('nav a[href^="/genesys/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')))
      if (!visited.has(href)) queue.push(href);
  }
  expect(visited.size).toBeGreaterThan(8);
  // Tablet width: every page fits (wide tables scroll inside their own box, the page does not).
  await page.setViewportSize({ width: 768, height: 1024 });
  const tooWide: string[] = [];
  for (const path of visited) {
    await settle(page, `${server.url}${path}`);
    if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth))
      tooWide.push(path);
  }
  expect(tooWide).toEqual([]);
  await page.goto(`${server.url}/graphql`);
  await page.locator('.graphiql-container').waitFor();
  await page.waitForLoadState('networkidle');
  expect(offsite).toEqual([]);
  await context.close();
});

/** Opens a page and waits until it has loaded its data: a heading, and nothing marked aria-busy. */
async function settle(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
}

test('the build references no other origin in its HTML and styles', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      e.isDirectory() ? walk(join(dir, e.name)) : files.push(join(dir, e.name));
  };
  walk(consoleDir);
  const loads: string[] = [];
  for (const file of files.filter((f) => /\.(html|css)$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    // src="http…", href="http…", url(http…) and @import of another origin would load from the network.
    for (const m of text.matchAll(
      /(?:src|href)\s*=\s*["']?(https?:)?\/\/[^"'\s>]+|url\(\s*["']?(?:https?:)?\/\/[^)]+\)|@import\s+["']?(?:https?:)?\/\//g,
    ))
      loads.push(`${file}: ${m[0]}`);
  }
  expect(loads).toEqual([]);
});
