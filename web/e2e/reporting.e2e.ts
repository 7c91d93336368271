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
  await server.app.managers.resources.createGroup({
    name: 'DNIS',
    resources: [
      { name: 'a', accessNumber: '1-800-0001' },
      { name: 'b', accessNumber: '1-800-0002' },
    ],
  });
  // Three allocations (the third finds the pool of two exhausted? no: not locking, so three bookings).
  for (const n of ['6504660001', '6504660002', '6504660003']) {
    const form = new FormData();
    form.append('_phone_number', n);
    form.append('_resource_group', 'DNIS');
    const r = await fetch(`${server.url}/genesys/1/service/request-interaction`, {
      method: 'POST',
      body: form,
    });
    expect(r.status).toBe(200);
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('Reporting: the last hour of Resources; export CSV of what is shown; drag to zoom and reset; range in the URL', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/reporting/resources');
  await page
    .getByRole('status')
    .filter({ hasText: /^Resources from/ })
    .waitFor();
  const chart = page.getByRole('figure', { name: /Resources chart/ });
  await chart.locator('svg').first().waitFor();

  await page.getByLabel('Show as table').check();
  const table = page.getByRole('table', { name: 'Resources per bucket' });
  await table.waitFor();
  const shownAllocations = (
    await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.querySelectorAll('td')[1]?.textContent ?? 0)))
  ).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  expect(shownAllocations).toBe(3);
  await expectAccessible(page);
  await screenshot(page, 'reporting');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('group', { name: 'Export' }).getByRole('button', { name: 'CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv.split(/\r?\n/)[0]).toMatch(/alloc/i);
  expect(csv).toContain('DNIS');
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('group', { name: 'Export' }).getByRole('button', { name: 'Excel' }).click(),
  ]);
  expect((await readFile(await xlsx.path())).subarray(0, 2).toString()).toBe('PK');
  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('group', { name: 'Export' }).getByRole('button', { name: 'PDF' }).click(),
  ]);
  expect((await readFile(await pdf.path())).subarray(0, 5).toString()).toBe('%PDF-');

  // Drag across the middle of the plot: the page reloads the report for that window.
  const box = await chart.boundingBox();
  if (!box) throw new Error('chart not laid out');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => new URL(page.url()).searchParams.get('zoomedFrom')).toBe('LAST_HOUR');
  const url = new URL(page.url());
  expect(url.searchParams.get('preset')).toBe('CUSTOM');
  const from = Date.parse(url.searchParams.get('from') ?? '');
  const to = Date.parse(url.searchParams.get('to') ?? '');
  expect(to - from).toBeGreaterThan(5 * 60_000);
  expect(to - from).toBeLessThan(40 * 60_000);
  await expect.poll(() => page.getByLabel('From').inputValue()).not.toBe('');
  await page.getByRole('button', { name: 'Reset zoom' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('preset')).toBe('LAST_HOUR');
  expect(new URL(page.url()).searchParams.get('from')).toBeNull();

  await page.getByRole('link', { name: 'Services' }).last().click();
  await page
    .getByRole('status')
    .filter({ hasText: /^Services from/ })
    .waitFor();
  await page.getByLabel('Range', { exact: true }).selectOption('LAST_7_DAYS');
  await expect.poll(() => new URL(page.url()).searchParams.get('preset')).toBe('LAST_7_DAYS');
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Reporting: a refused custom range keeps the From/To the operator typed (to correct them); "Show as table" survives a reload', async () => {
  const { page, context, offsite, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/reporting/resources');
  await page.getByLabel('Show as table').check();
  await page.getByRole('table', { name: 'Resources per bucket' }).waitFor();
  expect(new URL(page.url()).searchParams.get('table')).toBe('1');
  await page.reload();
  await page.getByRole('table', { name: 'Resources per bucket' }).waitFor();
  expect(await page.getByLabel('Show as table').isChecked()).toBe(true);

  // From after To: the server refuses the range; both fields still show what was asked for.
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  const from = new Date(new Date(to).getTime() + 86_400_000);
  const fromInput = new Date(from.getTime() - from.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByLabel('From', { exact: true }).fill(fromInput);
  await page.getByRole('alert').filter({ hasText: 'must end after it starts' }).waitFor();
  expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(fromInput);
  expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(to);
  expect(offsite).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('Reporting: bars keep their width when the range starts seconds before a bucket boundary (a short first bucket)', async () => {
  const { page, context, errors } = await openConsole(browser, server.url);
  // A custom hour from 4 s before a minute boundary: per-minute buckets, the first one 4 s long.
  const boundary = Math.floor(Date.now() / 300_000) * 300_000 - 30 * 60_000;
  const from = new Date(boundary - 4_000).toISOString();
  const to = new Date(boundary - 4_000 + 3_600_000).toISOString();
  await signIn(page, server.url, `/genesys/reporting/resources?preset=CUSTOM&from=${from}&to=${to}`);
  const chart = page.getByRole('figure', { name: /Resources chart/ });
  await page
    .getByRole('status')
    .filter({ hasText: /^Resources from/ })
    .waitFor();
  // The allocations bar (3, the only bar above zero): ECharts draws it as `M x y l width 0 l 0 -height …`.
  const widthOfTallestBar = () =>
    chart.locator('svg path').evaluateAll((paths) => {
      let best = { height: 0, width: 0 };
      for (const p of paths) {
        const m = /^M[\d.-]+ [\d.-]+l([\d.]+) 0l0 -([\d.]+)/.exec(p.getAttribute('d') ?? '');
        if (m && Number(m[2]) > best.height) best = { height: Number(m[2]), width: Number(m[1]) };
      }
      return best.width;
    });
  // Sixty one-minute buckets across ~1,150 px: a bar is ~13 px wide (it was 1 px: ECharts sized
  // bars by the smallest gap, the 4 s one).
  await expect.poll(widthOfTallestBar).toBeGreaterThan(8);
  expect(errors).toEqual([]);
  await context.close();
});

test('Reporting: switching report keeps the range (not the resource group / service filter)', async () => {
  const { page, context, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/reporting/resources?filter=DNIS');
  await page.getByLabel('Range', { exact: true }).selectOption('LAST_7_DAYS');
  await expect.poll(() => new URL(page.url()).searchParams.get('preset')).toBe('LAST_7_DAYS');
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Services' }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe('/genesys/reporting/services');
  expect(new URL(page.url()).searchParams.get('preset')).toBe('LAST_7_DAYS');
  expect(new URL(page.url()).searchParams.get('filter')).toBeNull();
  expect(await page.getByLabel('Range', { exact: true }).inputValue()).toBe('LAST_7_DAYS');
  expect(errors).toEqual([]);
  await context.close();
});

test('Reporting: the filter lists every resource group defined under Tools and every configured service, not only those with activity in the range', async () => {
  await server.app.managers.resources.createGroup({ name: 'QUIET_POOL', resources: [] });
  await server.app.managers.services.create({ name: 'oh-report', template: 'office-hours' });
  const { page, context, errors } = await openConsole(browser, server.url);
  await signIn(page, server.url, '/genesys/reporting/resources');
  const filter = page.getByLabel('Resource group');
  await expect.poll(() => filter.locator('option').allTextContents()).toContain('QUIET_POOL');
  await filter.selectOption('QUIET_POOL');
  await page.getByText('Nothing happened in this range.').waitFor();
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Services' }).click();
  await expect
    .poll(() => page.getByLabel('Service', { exact: true }).locator('option').allTextContents())
    .toContain('oh-report');
  expect(errors).toEqual([]);
  await context.close();
});
