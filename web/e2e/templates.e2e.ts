import { readFile } from 'node:fs/promises';
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

test('Tools → Service Templates: the bundled templates; upload a template file; its parameters by category; delete it', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/tools/service-templates');
  for (const name of ['callback', 'match-interaction', 'office-hours', 'request-interaction'])
    await page.getByRole('heading', { name, exact: true }).waitFor();

  const source = (
    await readFile(new URL('../../service_templates/request-interaction.yaml', import.meta.url), 'utf8')
  ).replace(/^name: request-interaction$/m, 'name: my-interaction');
  expect(source).toContain('name: my-interaction');
  await page.getByLabel('Template (.zip or .yaml)').setInputFiles({
    name: 'my-interaction.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(source),
  });
  await page.getByRole('button', { name: 'Add service template' }).click();
  await page.getByRole('status').filter({ hasText: 'Template my-interaction loaded.' }).waitFor();
  const card = page
    .locator('details')
    .filter({ has: page.getByRole('heading', { name: 'my-interaction', exact: true }) });
  await card.locator('summary').click();
  const category = card.getByRole('table', { name: 'Request Interaction' });
  await category.getByRole('row', { name: /PhoneNumber/ }).waitFor();
  await expectAccessible(page);
  await screenshot(page, 'tools-templates');

  // The same file again is refused unless "replace" is ticked.
  await page
    .getByLabel('Template (.zip or .yaml)')
    .setInputFiles({ name: 'again.yaml', mimeType: 'application/yaml', buffer: Buffer.from(source) });
  await page.getByRole('button', { name: 'Add service template' }).click();
  await page.getByRole('form', { name: 'Add a service template' }).getByRole('alert').waitFor();

  await card.getByRole('button', { name: 'Delete template my-interaction' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete template' }).click();
  await card.waitFor({ state: 'detached' });
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Services → an office-hours service: a holiday closes its day in the calendar preview', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/services');
  const form = page.getByRole('form', { name: 'Add a service' });
  await form.getByLabel('Template').selectOption('office-hours');
  await form.getByLabel('Service name').fill('hours');
  await form.getByRole('button', { name: 'Add service' }).click();
  const card = page.locator('details.service').filter({ has: page.getByRole('heading', { name: 'hours' }) });
  const calendar = card.getByRole('table', { name: /Open periods/ });
  await calendar.waitFor();
  // Find the next weekday that is open, then make it a holiday.
  const open = calendar.getByRole('row').filter({ hasText: '09:00–17:00' }).first();
  const header = (await open.getByRole('rowheader').textContent()) ?? '';
  const date = header.split(' ')[1] ?? '';
  expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await card.getByLabel(/^Holiday/).fill(date);
  await card.getByRole('button', { name: 'Add holiday' }).click();
  await expect
    .poll(() => calendar.getByRole('row', { name: new RegExp(date) }).textContent())
    .toMatch(/Closed/);
  await card.getByRole('row', { name: /_holiday1/ }).waitFor();
  await expectAccessible(page);
  await screenshot(page, 'services-office-hours');
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
