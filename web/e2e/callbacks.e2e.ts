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
  const m = server.app.managers;
  await m.routing.agents.upsertGroup({ name: 'Billing' });
  await m.services.create({
    name: 'cb-console',
    template: 'callback',
    preset: 'User-Originated-Delayed',
    options: [
      { name: '_target', value: 'Billing@StatServer.GA' },
      { name: '_urs_virtual_queue', value: 'VQ_Console' },
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('Callback Management: a callback created over the legacy REST API appears live; filter; cancel it with confirmation', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/callbacks');
  await page.getByText('No callback matches these filters.').waitFor();

  const start = (number: string) =>
    page.request.post(`${server.url}/genesys/1/service/callback/cb-console`, {
      headers: { gms_user: 'console-e2e-device' },
      multipart: { _customer_number: number },
    });
  expect((await start('4082650001')).status()).toBe(200);
  // No reload: the subscription brings it.
  const table = page.getByRole('table', { name: 'Callback queue' });
  const row = table.getByRole('row', { name: /4082650001/ });
  await row.waitFor();
  await expect.poll(() => row.textContent()).toMatch(/cb-console/);
  expect((await start('4082650002')).status()).toBe(200);
  await table.getByRole('row', { name: /4082650002/ }).waitFor();

  // Filters live in the URL.
  await page.getByLabel('State').selectOption('COMPLETED');
  await page.getByText('No callback matches these filters.').waitFor();
  expect(new URL(page.url()).searchParams.get('state')).toBe('COMPLETED');
  await page.getByLabel('State').selectOption('');
  await row.waitFor();
  await expectAccessible(page);
  await screenshot(page, 'callbacks');

  await row.getByRole('button', { name: /Cancel callback 4082650001/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this callback?' });
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Cancel callbacks' }).click();
  await row.waitFor({ state: 'detached' });
  await page.getByRole('status').filter({ hasText: '1 cancelled' }).waitFor();

  // Many at once: select all shown, cancel.
  await page.getByLabel('Select every callback shown').check();
  await page.getByRole('button', { name: 'Cancel selected (1)' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel callbacks' }).click();
  await page.getByText('No callback matches these filters.').waitFor();
  const states = (await server.app.managers.callbacks.list({ serviceName: 'cb-console' })).map((c) => [
    c.state,
    c.reason,
  ]);
  expect(states).toEqual([
    ['COMPLETED', 'CANCELLED_BY_ADMIN'],
    ['COMPLETED', 'CANCELLED_BY_ADMIN'],
  ]);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

/** A datetime-local value (the browser's zone is this process's) `ms` from now. */
const localInput = (ms: number) => {
  const d = new Date(Date.now() + ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

test('Callback Management: a callback’s details open from its row (kept over a reload) and it is rescheduled there; a refusal reads as the server’s message', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  const started = await page.request.post(`${server.url}/genesys/1/service/callback/cb-console`, {
    headers: { gms_user: 'console-e2e-device' },
    multipart: { _customer_number: '4082650077' },
  });
  const { _id: id } = (await started.json()) as { _id: string };
  await signIn(page, server.url, '/genesys/callbacks');
  const row = page.getByRole('table', { name: 'Callback queue' }).getByRole('row', { name: /4082650077/ });
  await row.getByRole('button', { name: 'Details of callback 4082650077' }).click();
  const dialog = page.getByRole('dialog', { name: 'Callback 4082650077' });
  await dialog.getByText(id, { exact: true }).waitFor();
  await dialog.getByText('VQ_Console', { exact: true }).waitFor();
  expect(new URL(page.url()).searchParams.get('details')).toBe(id);
  await expectAccessible(page);

  // A reload keeps the dialog open.
  await page.reload();
  await dialog.getByText(id, { exact: true }).waitFor();

  // The server refuses a time in the past: its message shows in the dialog.
  await dialog.getByLabel('New desired time').fill(localInput(-3_600_000));
  await dialog.getByRole('button', { name: 'Reschedule' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'is in the past' }).waitFor();

  const wanted = localInput(3 * 3_600_000);
  await dialog.getByLabel('New desired time').fill(wanted);
  await dialog.getByRole('button', { name: 'Reschedule' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Rescheduled' }).waitFor();
  const callback = await server.app.managers.callbacks.get(id);
  expect(callback?.state).toBe('SCHEDULED');
  expect(new Date(callback?.desiredTime ?? 0).getTime()).toBe(new Date(wanted).getTime());
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect(new URL(page.url()).searchParams.get('details')).toBeNull();
  await expect.poll(() => row.textContent()).toMatch(/SCHEDULED/);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Callback Management: an open Details dialog follows the callback live (cancelled over the REST API meanwhile)', async () => {
  const { page, context, errors } = await openConsole(browser, server.url);
  const started = await page.request.post(`${server.url}/genesys/1/service/callback/cb-console`, {
    headers: { gms_user: 'console-e2e-device' },
    multipart: { _customer_number: '4082650088' },
  });
  const { _id: id } = (await started.json()) as { _id: string };
  await signIn(page, server.url, '/genesys/callbacks');
  // Opened from a link (the dialog is modal: the page behind it is hidden from the accessibility tree).
  await page.goto(`${server.url}/genesys/callbacks?details=${id}`);
  const dialog = page.getByRole('dialog', { name: 'Callback 4082650088' });
  await dialog.getByText('QUEUED', { exact: true }).waitFor();
  const cancelled = await page.request.delete(`${server.url}/genesys/1/service/callback/cb-console/${id}`, {
    headers: { gms_user: 'console-e2e-device' },
  });
  expect(cancelled.status()).toBe(200);
  await dialog.getByText(/^COMPLETED \(CANCELLED\)$/).waitFor();
  expect(await dialog.getByLabel('New desired time').count()).toBe(0);
  expect(errors).toEqual([]);
  await context.close();
});
