import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registerNode } from '../../src/modules/node/node.registration.js';
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

test('Home: nodes with up/down bars; a live node cannot be removed (with the reason); a node down 50 min is flagged and removed', async () => {
  // A node that registered 50 minutes ago and went silent: it is DOWN and past the 45-minute hint.
  await registerNode(server.app.deps.db, {
    name: 'gms-old-node',
    version: '8.1.2',
    now: new Date(Date.now() - 50 * 60_000),
  });
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url);
  const live = page.getByRole('listitem', { name: 'Node console-e2e' });
  const dead = page.getByRole('listitem', { name: 'Node gms-old-node' });
  await live.getByText('Up', { exact: true }).waitFor();
  // The health sweep announces the old node's state; the page shows it live.
  await dead.getByText('Down', { exact: true }).waitFor();
  await dead.getByText(/Down for over 45 minutes/).waitFor();
  await expect.poll(() => live.textContent()).toMatch(/Version \S+/);
  await expect.poll(() => live.textContent()).toMatch(/Last heartbeat \d+ s ago/);
  await expectAccessible(page);
  await screenshot(page, 'home');

  await live.getByRole('button', { name: 'Remove node console-e2e' }).click();
  const dialog = page.getByRole('dialog');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Remove node' }).click();
  await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/up|answer|alive|live/i);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await dead.getByRole('button', { name: 'Remove node gms-old-node' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove node' }).click();
  await dead.waitFor({ state: 'detached' });
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await live.waitFor();

  // Tablet width: the same page, nothing cut off.
  await page.setViewportSize({ width: 768, height: 1024 });
  await live.waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
