import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ConsoleServer, launchChromium, openConsole, signIn, startConsoleServer } from './harness.js';

/**
 * The console at a large contact center's size (issue 14: "1,000 callbacks, 10,000 resources stay
 * responsive"). Responsiveness is checked by what the page does, not by timing it: the callback queue
 * is paged (the page holds 50 rows whatever the queue's length) and the numbers table is virtualised
 * (a bounded number of rows in the DOM while the table says it has 10,001), and both still work at
 * the far end of the data.
 */
const CALLBACKS = 1_000;
const NUMBERS = 10_000;
const PAGE_ROWS = 50; // web/src/features/callbacks/CallbacksPage.tsx PAGE_SIZE

let server: ConsoleServer;
let browser: Browser;

const number = (i: number) => `1800${String(i).padStart(7, '0')}`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchChromium()]);
  const m = server.app.managers;
  await m.routing.agents.upsertGroup({ name: 'Billing' });
  await m.services.create({
    name: 'cb-scale',
    template: 'callback',
    preset: 'User-Originated-Delayed',
    options: [
      { name: '_target', value: 'Billing@StatServer.GA' },
      { name: '_urs_virtual_queue', value: 'VQ_Scale' },
      // The template's defaults (1,000 queued, 500 per 5 minutes) would refuse part of this queue.
      { name: '_max_queued_callbacks_per_service', value: '5000' },
      { name: '_throttle_callbacks_per_service_1', value: '5000' },
    ],
  });
  // The callbacks arrive as legacy clients send them, a few at a time, through the server's request
  // handler (no sockets: the test and the server share one event loop, so keep-alive timers on both
  // ends of a loopback socket fire late together and race).
  let next = 0;
  const worker = async () => {
    while (next < CALLBACKS) {
      const i = next++;
      const form = new FormData();
      form.set('_customer_number', `408${String(i).padStart(7, '0')}`);
      const res = await server.app.fetch(
        new Request(`${server.url}/genesys/1/service/callback/cb-scale`, {
          method: 'POST',
          headers: { gms_user: `scale-device-${i}` },
          body: form,
        }),
      );
      const body = await res.text();
      if (res.status !== 200) throw new Error(`callback ${i}: ${res.status} ${body}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await m.resources.applyConfig({
    DNIS_SCALE: {
      allocation: 'round-robin',
      locking: true,
      bookingExpirationTimeout: 30,
      resources: Object.fromEntries(Array.from({ length: NUMBERS }, (_, i) => [`r${i}`, number(i)])),
    },
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('Callback Management with 1,000 queued callbacks: one page of 50 rows, paging to the last page', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/callbacks?service=cb-scale');
  const table = page.getByRole('table', { name: 'Callback queue' });
  await expect.poll(() => table.getByRole('row').count()).toBe(PAGE_ROWS + 1);
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await pages.getByText(`Page 1 (rows 1–${PAGE_ROWS})`).waitFor();

  // The last page: the URL carries the page, so an admin (or this test) can jump there.
  const last = Math.ceil(CALLBACKS / PAGE_ROWS);
  const url = new URL(page.url());
  url.searchParams.set('page', String(last));
  await page.goto(url.toString());
  await pages.getByText(`Page ${last} (rows ${(last - 1) * PAGE_ROWS + 1}–${CALLBACKS})`).waitFor();
  expect(await pages.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
  expect(await table.getByRole('row').count()).toBe(CALLBACKS - (last - 1) * PAGE_ROWS + 1);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Tools → Resources with 10,000 numbers: a virtualised table that reaches the last number', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/tools/resource-groups?group=DNIS_SCALE');
  const counts = page.getByRole('status', { name: 'Pool of DNIS_SCALE' });
  await expect.poll(() => counts.textContent()).toMatch(/10,?000 numbers.*0 booked.*10,?000 free/);
  const region = page.getByRole('region', { name: 'Numbers of DNIS_SCALE' });
  const table = region.getByRole('table');
  expect(await table.getAttribute('aria-rowcount')).toBe(String(NUMBERS + 1));
  await region.getByRole('cell', { name: number(0), exact: true }).waitFor();
  const rendered = await table.locator('tbody tr').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);

  // Scrolled to the end, the last number is in the DOM and the first is not.
  await region.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await region.getByRole('cell', { name: number(NUMBERS - 1), exact: true }).waitFor();
  expect(await region.getByRole('cell', { name: number(0), exact: true }).count()).toBe(0);
  expect(await table.locator('tbody tr').count()).toBeLessThan(100);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
