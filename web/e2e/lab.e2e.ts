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
  await server.app.managers.routing.queues.upsert({ name: 'VQ_Lab' });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('Lab → Statistics: pick a metric, RegDN and a virtual queue; the value is shown and refreshed', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/lab/statistics');
  await page.getByLabel('Metric').selectOption('CurrNumberWaitingCalls');
  await page.getByLabel('Object type').selectOption('regdn');
  await page.getByLabel('Object', { exact: true }).selectOption('VQ_Lab');
  const value = page.getByRole('status', { name: 'Value' });
  await expect.poll(() => value.textContent()).toBe('0');
  await expectAccessible(page);
  await screenshot(page, 'lab-statistics');
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Lab → API: the legacy REST API from the server’s OpenAPI document; Try it out! stores values', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  // The document is built from the route table: the page lists its operations and runs one for real.
  expect((await fetch(`${server.url}/genesys/1/openapi.json`)).ok).toBe(true);
  await signIn(page, server.url, '/genesys/lab/api');
  await page.getByText('Storage API', { exact: true }).click();
  const op = page.locator('details.operation').filter({ hasText: 'POST /genesys/1/storage/{ttl}' });
  await op.locator('summary').click();
  const form = page.getByRole('form', { name: 'POST /genesys/1/storage/{ttl}' });
  await form.getByLabel('ttl').fill('30');
  await form.getByLabel(/More parameters/).fill('key1=Value1\nkey2=Value2');
  await form.getByRole('button', { name: 'Try it out!' }).click();
  await expect.poll(() => form.getByRole('status', { name: 'Response code' }).textContent()).toMatch(/^200/);
  const body = JSON.parse(
    (await form.getByRole('status', { name: 'Response body' }).textContent()) ?? '{}',
  ) as { id?: string };
  expect(body.id).toBeTruthy();
  // The values really are stored.
  const stored = await fetch(`${server.url}/genesys/1/storage/${body.id}`);
  expect(await stored.json()).toMatchObject({ key1: 'Value1', key2: 'Value2' });
  await expectAccessible(page);
  await screenshot(page, 'lab-api');
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Lab → API: the open operation is in the URL, so a reload keeps it open', async () => {
  const { page, context, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/lab/api');
  await page.getByText('Callback API', { exact: true }).click();
  await page.getByText('Reschedule a callback').click();
  const form = page.getByRole('form', { name: 'PUT /genesys/1/service/callback/{name}/{id}' });
  await form.waitFor();
  await expect
    .poll(() => new URL(page.url()).searchParams.get('op'))
    .toBe('put /genesys/1/service/callback/{name}/{id}');
  await page.reload();
  await form.getByLabel('_new_desired_time').waitFor();
  // Closing it takes it out of the URL.
  await page.getByText('Reschedule a callback').click();
  await expect.poll(() => new URL(page.url()).searchParams.get('op')).toBeNull();
  expect(errors).toEqual([]);
  await context.close();
});

test('Lab → Statistics: the metric and object type shown as selected on arrival are the ones used (the object can be picked at once)', async () => {
  const { page, context, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/lab/statistics');
  // Once the options have loaded (a read right after sign-in can come before them).
  await expect.poll(() => page.getByLabel('Metric').inputValue(), { timeout: 10_000 }).not.toBe('');
  await expect.poll(() => page.getByLabel('Object type').inputValue(), { timeout: 10_000 }).not.toBe('');
  await page.getByLabel('Object', { exact: true }).selectOption('VQ_Lab', { timeout: 10_000 });
  await expect.poll(() => page.getByRole('status', { name: 'Value' }).textContent()).toBe('0');
  expect(errors).toEqual([]);
  await context.close();
});
