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

test('Services: add a service from a template, see it at its URL, set and clear a request parameter, delete it', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  const post = async () =>
    (
      await page.request.post(`${server.url}/genesys/1/service/ri-console`, {
        multipart: { _phone_number: '5551234' },
      })
    ).text();
  const unknown = await post();
  await signIn(page, server.url, '/genesys/services');
  const form = page.getByRole('form', { name: 'Add a service' });
  await form.getByLabel('Template').selectOption('request-interaction');
  await form.getByLabel('Service name').fill('bad name!');
  await form.getByRole('button', { name: 'Add service' }).click();
  // The server's validation error appears at the field that caused it.
  await expect.poll(() => form.getByLabel('Service name').getAttribute('aria-invalid')).toBe('true');
  await form.getByLabel('Service name').fill('ri-console');
  await form.getByRole('button', { name: 'Add service' }).click();
  await form.getByRole('status').filter({ hasText: '/genesys/1/service/ri-console' }).waitFor();

  // The service answers at its URL: no longer the unknown-service error (now the pool it needs is missing).
  const known = await post();
  expect(known).not.toEqual(unknown);
  expect(known).toMatch(/DNIS/);

  const card = page
    .locator('details.service')
    .filter({ has: page.getByRole('heading', { name: 'ri-console' }) });
  await card.getByText('/genesys/1/service/ri-console').waitFor();
  const phone = card.getByRole('row', { name: /PhoneNumber/ });
  await phone.getByText('not specified').waitFor();
  await phone.getByRole('button', { name: 'About PhoneNumber' }).focus();
  await page.getByRole('tooltip').waitFor();
  await phone.getByRole('button', { name: 'Edit PhoneNumber' }).click();
  await phone.getByLabel('Value of PhoneNumber').fill('5550000');
  await phone.getByRole('button', { name: 'Save' }).click();
  await phone.getByText('5550000').waitFor();
  await phone.getByText('overrides the value sent with each request').waitFor();
  await expectAccessible(page);
  await screenshot(page, 'services');
  await phone.getByRole('button', { name: 'Clear PhoneNumber' }).click();
  await phone.getByText('not specified').waitFor();

  // Mandatory parameters carry a lock and no remove button.
  const mandatory = card.getByRole('row', { name: /Resource Group as configured in CME/ });
  await mandatory.getByRole('img', { name: 'Mandatory' }).waitFor();
  expect(await mandatory.getByRole('button', { name: /Remove/ }).count()).toBe(0);

  await card.getByRole('button', { name: 'Delete service ri-console' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete service' }).click();
  await card.waitFor({ state: 'detached' });
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Services: a callback service is added from the console: the form asks for the mandatory parameters without a default', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/services');
  const form = page.getByRole('form', { name: 'Add a service' });
  await form.getByLabel('Template').selectOption('callback');
  await form.getByLabel('Preset').selectOption('User-Originated-Delayed');
  // _target and _urs_virtual_queue have no default and no preset value: the server refuses the service without them.
  await form.getByLabel('Target', { exact: true }).fill('Billing@StatServer.GA');
  await form.getByLabel('Virtual Queue', { exact: true }).fill('VQ_Console');
  await form.getByLabel('Service name').fill('cb-added');
  await expectAccessible(page);
  await form.getByRole('button', { name: 'Add service' }).click();
  await form.getByRole('status').filter({ hasText: '/genesys/1/service/cb-added' }).waitFor();
  const card = page
    .locator('details.service')
    .filter({ has: page.getByRole('heading', { name: 'cb-added' }) });
  await card
    .getByRole('row', { name: /Target/ })
    .getByText('Billing@StatServer.GA')
    .waitFor();
  const service = (await server.app.managers.services.list()).find((s) => s.name === 'cb-added');
  const values = Object.fromEntries((service?.options ?? []).map((o) => [o.name, o.value]));
  expect(values).toMatchObject({ _target: 'Billing@StatServer.GA', _urs_virtual_queue: 'VQ_Console' });
  // A template without such parameters asks for none.
  await form.getByLabel('Template').selectOption('request-interaction');
  expect(await form.getByLabel('Target', { exact: true }).count()).toBe(0);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Services: "Show advanced parameters" is kept over a reload (in the URL)', async () => {
  const { page, context, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/services');
  await page.getByLabel('Show advanced parameters').check();
  await expect.poll(() => new URL(page.url()).searchParams.get('advanced')).toBe('1');
  await page.reload();
  await page.getByRole('form', { name: 'Add a service' }).waitFor();
  expect(await page.getByLabel('Show advanced parameters').isChecked()).toBe(true);
  await page.getByLabel('Show advanced parameters').uncheck();
  await expect.poll(() => new URL(page.url()).searchParams.get('advanced')).toBeNull();
  expect(errors).toEqual([]);
  await context.close();
});
