import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ConsoleServer,
  expectAccessible,
  launchChromium,
  openConsole,
  screenshot,
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

test('a wrong password shows an error; the default credentials warn; the session survives a reload; logout ends it', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await page.goto(`${server.url}/genesys`);
  expect(new URL(page.url()).pathname).toBe('/genesys/');
  await expectAccessible(page);
  await screenshot(page, 'login');

  await page.getByLabel('User name').fill('default');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid|wrong|credentials/i);

  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const main = page.getByRole('navigation', { name: 'Main' });
  await main.waitFor();
  await page.getByRole('status').filter({ hasText: 'default administrator credentials' }).waitFor();

  await page.reload();
  await main.waitFor();
  expect(await page.getByRole('link', { name: 'Home' }).getAttribute('aria-current')).toBe('page');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('custom admin credentials: no warning', async () => {
  const custom = await startConsoleServer({ ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 's3cret-pass' });
  try {
    const { page, context } = await openConsole(browser, custom.url);
    await page.goto(`${custom.url}/genesys/`);
    await page.getByLabel('User name').fill('boss');
    await page.getByLabel('Password').fill('s3cret-pass');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cluster nodes' }).waitFor();
    expect(await page.getByText('default administrator credentials').count()).toBe(0);
    await context.close();
  } finally {
    await custom.close();
  }
});
