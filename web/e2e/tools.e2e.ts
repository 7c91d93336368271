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

test('Tools → Patterns: build the seed group; test_value 123 highlights ex2 (123.*) only', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/tools/patterns');
  await page.getByLabel('New pattern group').fill('Callback_exceptions');
  await page.getByRole('button', { name: 'New pattern group' }).click();
  await page.getByRole('heading', { name: 'Callback_exceptions' }).waitFor();
  expect(new URL(page.url()).searchParams.get('group')).toBe('Callback_exceptions');
  const table = page.getByRole('table', { name: 'Patterns of Callback_exceptions' });
  for (const [name, regex] of [
    ['exception1', '555.*'],
    ['ex2', '123.*'],
    ['ex3', 'a'],
    ['ddd', '12345'],
  ] as const) {
    await page.getByLabel('Pattern name').fill(name);
    await page.getByLabel('Pattern value (expression)').fill(regex);
    await page.getByRole('button', { name: 'Add pattern' }).click();
    await table.getByRole('cell', { name: regex, exact: true }).waitFor();
  }
  // An invalid expression is refused with the reason.
  await page.getByLabel('Pattern name').fill('broken');
  await page.getByLabel('Pattern value (expression)').fill('(unclosed');
  await page.getByRole('button', { name: 'Add pattern' }).click();
  await page.getByRole('form', { name: 'Add a pattern' }).getByRole('alert').waitFor();

  await page.getByLabel('Test a value against every pattern of the group').fill('123');
  await expect.poll(() => table.locator('tr.highlight').allTextContents()).toEqual(['ex2 (matches)123.*']);
  await expectAccessible(page);
  await screenshot(page, 'tools-patterns');
  await page.getByRole('button', { name: 'Help' }).click();
  await page.getByRole('dialog', { name: 'Pattern syntax' }).waitFor();
  await expectAccessible(page);
  await page.keyboard.press('Escape');

  // A pattern, then the whole group, each through its confirmation dialog.
  await table.getByRole('button', { name: 'Remove pattern ddd' }).click();
  await page
    .getByRole('dialog', { name: 'Remove pattern ddd?' })
    .getByRole('button', { name: 'Remove pattern' })
    .click();
  await table.getByRole('cell', { name: '12345', exact: true }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Delete group Callback_exceptions' }).click();
  await page
    .getByRole('dialog', { name: 'Delete pattern group Callback_exceptions?' })
    .getByRole('button', { name: 'Delete group' })
    .click();
  await page.getByText('No pattern group yet: create one above.').waitFor();
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Tools → Resources: add a resource group and a resource; booked/free counts follow an allocation live; numbers in bulk (range, uploaded CSV, remove)', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/tools/resource-groups');
  await page.getByLabel('New resource group').fill('DNIS');
  await page.getByRole('button', { name: 'New resource group' }).click();
  await page.getByRole('heading', { name: 'DNIS' }).waitFor();
  await page.getByLabel('Resource name').fill('Key1');
  await page.getByLabel('Access number').fill('1-800-1234');
  await page.getByRole('button', { name: 'Add resource' }).click();
  const numbers = page.getByRole('region', { name: 'Numbers of DNIS' });
  await numbers.getByRole('cell', { name: '1-800-1234' }).waitFor();
  const counts = page.getByRole('status', { name: 'Pool of DNIS' });
  await expect.poll(() => counts.textContent()).toMatch(/1 numbers.*0 booked.*1 free/);

  // A mobile app books the number over the legacy REST API: the counts change without a reload.
  const booked = await page.request.post(`${server.url}/genesys/1/service/request-interaction`, {
    multipart: { _phone_number: '6504669999', _resource_group: 'DNIS' },
  });
  expect(booked.status()).toBe(200);
  await expect.poll(() => counts.textContent(), { timeout: 10_000 }).toMatch(/1 booked.*0 free/);

  // Numbers in bulk: a range, then an uploaded CSV; a bad line is named and nothing is written.
  const bulk = page.getByRole('form', { name: 'Numbers in bulk' });
  await bulk.getByLabel('Range').fill('18001110000-18001110999');
  await bulk.getByRole('button', { name: 'Add numbers' }).click();
  await bulk.getByRole('status').filter({ hasText: 'Added 1,000 numbers; DNIS has 1,001.' }).waitFor();
  await expect.poll(() => counts.textContent()).toMatch(/1001 numbers/);
  await bulk.getByLabel('Upload a CSV file').setInputFiles({
    name: 'pool.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('name,access_number\nKey2,1-800-5678\nKey3,1-800-9999,extra\n'),
  });
  await expect.poll(() => bulk.getByLabel(/^CSV/).inputValue()).toContain('Key2,1-800-5678');
  await bulk.getByRole('button', { name: 'Add numbers' }).click();
  await expect.poll(() => bulk.getByRole('alert').textContent()).toContain('csv line 3');
  await bulk.getByLabel(/^CSV/).fill('Key2,1-800-5678\n');
  await bulk.getByRole('button', { name: 'Add numbers' }).click();
  await bulk.getByRole('status').filter({ hasText: 'Added 1 number; DNIS has 1,002.' }).waitFor();
  await bulk.getByLabel('Range').fill('18001110500-18001110999');
  await bulk.getByRole('button', { name: 'Remove numbers' }).click();
  await bulk.getByRole('status').filter({ hasText: 'Removed 500 numbers; DNIS has 502.' }).waitFor();
  await expect.poll(() => counts.textContent()).toMatch(/502 numbers/);

  await page.getByLabel('Booking timeout (s)').fill('45');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();
  await expectAccessible(page);
  await screenshot(page, 'tools-resources');

  // Deleting a group with a booked number is refused inside the dialog (the booking just made lasts
  // 45 s); Cancel leaves the group as it was.
  const again = await page.request.post(`${server.url}/genesys/1/service/request-interaction`, {
    multipart: { _phone_number: '6504668888', _resource_group: 'DNIS' },
  });
  expect(again.status()).toBe(200);
  await page.getByRole('button', { name: 'Delete group DNIS' }).click();
  const refused = page.getByRole('dialog', { name: 'Delete resource group DNIS?' });
  await refused.getByRole('button', { name: 'Delete group' }).click();
  await expect.poll(() => refused.getByRole('alert').textContent()).toContain('active booking');
  await refused.getByRole('button', { name: 'Cancel' }).click();
  await refused.waitFor({ state: 'detached' });

  // A free number and an empty group go at once; the page falls back to the group left.
  await page.getByLabel('New resource group').fill('Spare');
  await page.getByRole('button', { name: 'New resource group' }).click();
  await page.getByRole('heading', { name: 'Spare' }).waitFor();
  await page.getByLabel('Resource name').fill('S1');
  await page.getByLabel('Access number').fill('1-800-0001');
  await page.getByRole('button', { name: 'Add resource' }).click();
  // The side list selects a group by its link (?group=…) and shows each group's counts.
  const nav = page.getByRole('navigation', { name: 'Resource groups' });
  await expect
    .poll(() => nav.getByRole('link', { name: /^Spare/ }).textContent())
    .toBe('Spare 0 booked / 1 free');
  await nav.getByRole('link', { name: /^DNIS/ }).click();
  await page.getByRole('heading', { name: 'DNIS' }).waitFor();
  expect(new URL(page.url()).searchParams.get('group')).toBe('DNIS');
  await nav.getByRole('link', { name: /^Spare/ }).click();
  await page
    .getByRole('region', { name: 'Numbers of Spare' })
    .getByRole('button', { name: 'Remove resource S1' })
    .click();
  await page
    .getByRole('dialog', { name: 'Remove resource S1?' })
    .getByRole('button', { name: 'Remove resource' })
    .click();
  await page.getByText('No number in this group yet: add one below.').waitFor();
  await page.getByRole('button', { name: 'Delete group Spare' }).click();
  await page
    .getByRole('dialog', { name: 'Delete resource group Spare?' })
    .getByRole('button', { name: 'Delete group' })
    .click();
  await page.getByRole('heading', { name: 'DNIS' }).waitFor();
  expect(new URL(page.url()).searchParams.get('group')).toBeNull();
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Tools → Resources: a number’s access number is changed in place; a number another resource has is refused readably', async () => {
  await server.app.managers.resources.createGroup({
    name: 'EDIT',
    resources: [
      { name: 'r1', accessNumber: '1-800-3000' },
      { name: 'r2', accessNumber: '1-800-3001' },
    ],
  });
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/tools/resource-groups?group=EDIT');
  const numbers = page.getByRole('region', { name: 'Numbers of EDIT' });
  const r1 = numbers.getByRole('row', { name: /r1/ });
  await r1.getByRole('button', { name: 'Edit access number of r1' }).click();
  await r1.getByLabel('Access number of r1', { exact: true }).fill('1-800-3001');
  await r1.getByRole('button', { name: 'Save' }).click();
  await r1.getByRole('alert').waitFor();
  expect(await r1.getByRole('alert').textContent()).toMatch(/1-800-3001/);
  await expectAccessible(page);
  await r1.getByLabel('Access number of r1', { exact: true }).fill('1-800-3002');
  await r1.getByRole('button', { name: 'Save' }).click();
  await r1.getByRole('cell', { name: '1-800-3002' }).waitFor();
  const group = (await server.app.managers.resources.listGroups()).find((g) => g.name === 'EDIT');
  expect(group?.resources.find((r) => r.name === 'r1')?.accessNumber).toBe('1-800-3002');
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
