import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import ExcelJS from 'exceljs';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { adminAuth, createTestApp, type TestApp } from '../../../test/harness.js';
import { UnavailableError } from '../../errors.js';
import type { CallbackEntry } from './activity.manager.js';

const ServicesReport = graphql(`
  query ReportServices($range: ReportRangeInput!, $service: String) {
    servicesReport(range: $range, service: $service) {
      __typename
      ... on QueryServicesReportSuccess {
        data {
          range { preset from to bucket bucketSeconds timeZone buckets }
          total
          ok
          failed
          services {
            service
            total
            ok
            failed
            byStatus { status count }
            buckets { start total ok failed }
          }
        }
      }
      ... on Error { code message }
      ... on ValidationError { field }
    }
  }
`);

const ResourcesReport = graphql(`
  query ReportResources($range: ReportRangeInput!, $group: String) {
    resourcesReport(range: $range, group: $group) {
      __typename
      ... on QueryResourcesReportSuccess {
        data {
          range { from to bucket }
          groups {
            group
            allocations
            releases
            expirations
            exhaustions
            peakBooked
            buckets { start allocations releases exhaustions peakBooked minFree booked free }
          }
        }
      }
      ... on Error { code message }
    }
  }
`);

const CallbackReport = graphql(`
  query ReportCallback($range: ReportRangeInput!, $service: String, $queue: String) {
    callbackReport(range: $range, service: $service, queue: $queue) {
      __typename
      ... on QueryCallbackReportSuccess {
        data {
          created
          connected
          cancelled
          abandoned
          completed
          waitBinsSeconds
          waitBinLabels
          wait { connected avgSeconds p50Seconds p90Seconds p95Seconds maxSeconds histogram }
          series {
            service
            queue
            created
            connected
            abandoned
            cancelled
            completed
            wait { connected p50Seconds histogram }
            buckets { start created connected avgWaitSeconds }
          }
        }
      }
      ... on Error { code message }
    }
  }
`);

const ExportReport = graphql(`
  mutation ReportExport($report: ReportKind!, $format: ReportExportFormat!, $range: ReportRangeInput!, $service: String) {
    exportReport(report: $report, format: $format, range: $range, service: $service) {
      __typename
      ... on MutationExportReportSuccess {
        data { url path filename contentType expiresAt }
      }
      ... on Error { code message }
    }
  }
`);

const TODAY = { preset: 'TODAY' as const };
const standardFontDataUrl = `${dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'))}/standard_fonts/`;

/** Filled shapes on the first page (the chart's bars and legend swatches). */
async function pdfFills(bytes: ArrayBuffer): Promise<number> {
  const doc = await getDocument({
    data: new Uint8Array(bytes.slice(0)),
    useSystemFonts: false,
    standardFontDataUrl,
  }).promise;
  const ops = await (await doc.getPage(1)).getOperatorList();
  await doc.destroy();
  return ops.fnArray.filter((op) => op === OPS.fill || op === OPS.eoFill).length;
}

async function pdfText(bytes: ArrayBuffer): Promise<string> {
  const doc = await getDocument({
    data: new Uint8Array(bytes.slice(0)),
    useSystemFonts: false,
    standardFontDataUrl,
  }).promise;
  const parts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  await doc.destroy();
  return parts.join('\n');
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('reports over the activity record', () => {
  let t: TestApp;
  const post = (service: string) =>
    t.fetch(`/genesys/1/service/${service}`, {
      method: 'POST',
      body: new URLSearchParams({ first_name: 'Ann', _phone_number: '5551234' }),
      headers: { gms_user: 'u1' },
    });

  beforeAll(async () => {
    // Today is 2026-01-05 (UTC); the clock is moved to when each thing happens.
    t = await createTestApp();
    // Svc books from its own shared pool (request-interaction allocates an access number).
    await t.app.managers.resources.createGroup({
      name: 'SvcPool',
      resources: [{ name: 'k', accessNumber: '18005550100' }],
    });
    await t.app.managers.services.create({
      name: 'Svc',
      template: 'request-interaction',
      options: [
        { name: '_provide_code', value: 'false' },
        { name: '_resource_group', value: 'SvcPool' },
      ],
    });
    const { clock } = t;

    clock.set('2026-01-04T09:10:00Z');
    expect((await post('Svc')).status).toBe(200);
    expect((await post('NoSuchService')).status).toBe(404);

    clock.set('2026-01-05T09:05:00Z');
    expect((await post('Svc')).status).toBe(200);
    expect((await post('Svc')).status).toBe(200);
    clock.set('2026-01-05T09:20:00Z');
    expect((await post('NoSuchService')).status).toBe(404);

    const rm = t.app.managers.resources;
    await rm.createGroup({
      name: 'G',
      locking: true,
      bookingExpirationTimeout: 3600,
      resources: [
        { name: 'a', accessNumber: '18005550001' },
        { name: 'b', accessNumber: '18005550002' },
      ],
    });
    clock.set('2026-01-05T09:30:00Z');
    const first = await rm.allocate({ group: 'G', sessionId: 's1' });
    await rm.allocate({ group: 'G', sessionId: 's2' });
    await expect(rm.allocate({ group: 'G', sessionId: 's3' })).rejects.toBeInstanceOf(UnavailableError);
    clock.set('2026-01-05T09:40:00Z');
    expect(await rm.release({ bookingId: first.bookingId, sessionId: 's1' })).toBe(true);

    // Callback lifecycle entries, as the callback module records them.
    const at = (m: number) => new Date(Date.UTC(2026, 0, 5, 9, m));
    const cb = (kind: CallbackEntry['kind'], id: string, queue: string, minute: number, waitMs?: number) => ({
      category: 'callback' as const,
      kind,
      service: 'callback-svc',
      queue,
      callbackId: id,
      waitMs: waitMs ?? null,
      at: at(minute),
    });
    await t.app.managers.activity.record(t.app.deps.db, [
      cb('created', 'c1', 'q1', 0),
      cb('created', 'c2', 'q1', 0),
      cb('created', 'c3', 'q1', 1),
      cb('created', 'c4', 'q2', 2),
      cb('connected', 'c1', 'q1', 5, 20_000),
      cb('connected', 'c2', 'q1', 6, 45_000),
      cb('connected', 'c3', 'q1', 8, 200_000),
      cb('abandoned', 'c4', 'q2', 4, 100_000),
      cb('completed', 'c1', 'q1', 15, 600_000),
    ]);
    clock.set('2026-01-05T10:15:00Z');
  });
  afterAll(() => t?.close());

  it('counts service accesses per period by outcome (sessions created and failures by status)', async () => {
    const r = await t.admin(ServicesReport, { range: TODAY });
    if (r.servicesReport.__typename !== 'QueryServicesReportSuccess')
      throw new Error(r.servicesReport.__typename);
    const d = r.servicesReport.data;
    expect(d.range).toMatchObject({
      preset: 'TODAY',
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-01-05T10:15:00.000Z',
      bucket: 'HOUR',
      bucketSeconds: 3600,
      timeZone: 'UTC',
    });
    expect(d.range.buckets).toHaveLength(11);
    expect(d).toMatchObject({ total: 3, ok: 2, failed: 1 });
    const svc = d.services.find((s) => s.service === 'Svc');
    expect(svc).toMatchObject({ total: 2, ok: 2, failed: 0, byStatus: [{ status: 200, count: 2 }] });
    expect(svc?.buckets[9]).toEqual({ start: '2026-01-05T09:00:00.000Z', total: 2, ok: 2, failed: 0 });
    expect(svc?.buckets.filter((b) => b.total > 0)).toHaveLength(1);
    expect(d.services.find((s) => s.service === 'NoSuchService')).toMatchObject({
      total: 1,
      failed: 1,
      byStatus: [{ status: 404, count: 1 }],
    });

    const y = await t.admin(ServicesReport, { range: { preset: 'YESTERDAY' } });
    if (y.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('yesterday');
    expect(y.servicesReport.data).toMatchObject({ total: 2, ok: 1, failed: 1 });

    const week = await t.admin(ServicesReport, { range: { preset: 'LAST_7_DAYS' }, service: 'Svc' });
    if (week.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('week');
    expect(week.servicesReport.data.range.bucket).toBe('DAY');
    expect(week.servicesReport.data.services).toHaveLength(1);
    expect(week.servicesReport.data.services[0]?.buckets.map((b) => b.total)).toEqual([0, 0, 0, 0, 0, 1, 2]);

    const hour = await t.admin(ServicesReport, { range: { preset: 'LAST_HOUR' } });
    if (hour.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('hour');
    // 09:15–10:15: only the 09:20 failure.
    expect(hour.servicesReport.data).toMatchObject({ total: 1, failed: 1 });
    expect(hour.servicesReport.data.range.buckets).toHaveLength(12);
  });

  it('custom ranges with bucket sizes and time zones; bad ranges are validation errors', async () => {
    const custom = await t.admin(ServicesReport, {
      range: {
        preset: 'CUSTOM',
        from: '2026-01-05T09:00:00Z',
        to: '2026-01-05T09:30:00Z',
        bucket: 'FIFTEEN_MINUTES',
      },
    });
    if (custom.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('custom');
    expect(custom.servicesReport.data.range.buckets).toEqual([
      '2026-01-05T09:00:00.000Z',
      '2026-01-05T09:15:00.000Z',
    ]);
    const nf = custom.servicesReport.data.services.find((s) => s.service === 'NoSuchService');
    expect(nf?.buckets.map((b) => b.failed)).toEqual([0, 1]);

    // A range that does not start on a boundary: the first and last buckets are short, the ones
    // between follow the clock (here 15-minute marks), not from + k × 15 minutes.
    const offGrid = await t.admin(ServicesReport, {
      range: {
        preset: 'CUSTOM',
        from: '2026-01-05T09:12:30.250Z',
        to: '2026-01-05T09:50:00Z',
        bucket: 'FIFTEEN_MINUTES',
      },
    });
    if (offGrid.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('off grid');
    expect(offGrid.servicesReport.data.range.buckets).toEqual([
      '2026-01-05T09:12:30.250Z',
      '2026-01-05T09:15:00.000Z',
      '2026-01-05T09:30:00.000Z',
      '2026-01-05T09:45:00.000Z',
    ]);
    const nfOff = offGrid.servicesReport.data.services.find((s) => s.service === 'NoSuchService');
    expect(nfOff?.buckets.map((b) => b.failed)).toEqual([0, 1, 0, 0]);
    // Hours on the clock of a zone half an hour off UTC (Kolkata, UTC+05:30): boundaries at hh:30Z.
    const kolkata = await t.admin(ServicesReport, {
      range: {
        preset: 'CUSTOM',
        from: '2026-01-05T08:00:00Z',
        to: '2026-01-05T10:00:00Z',
        bucket: 'HOUR',
        timeZone: 'Asia/Kolkata',
      },
      service: 'Svc',
    });
    if (kolkata.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('kolkata');
    expect(kolkata.servicesReport.data.range.buckets).toEqual([
      '2026-01-05T08:00:00.000Z',
      '2026-01-05T08:30:00.000Z',
      '2026-01-05T09:30:00.000Z',
    ]);
    expect(kolkata.servicesReport.data.services[0]?.buckets.map((b) => b.total)).toEqual([0, 2, 0]);

    // 2026-01-05 in Tokyo began at 2026-01-04T15:00Z, so yesterday's 09:10Z access is "today" there.
    const tokyo = await t.admin(ServicesReport, { range: { preset: 'TODAY', timeZone: 'Asia/Tokyo' } });
    if (tokyo.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('tokyo');
    expect(tokyo.servicesReport.data.range.from).toBe('2026-01-04T15:00:00.000Z');
    expect(tokyo.servicesReport.data.total).toBe(3);

    const backwards = await t.admin(ServicesReport, {
      range: { preset: 'CUSTOM', from: '2026-01-05T09:00:00Z', to: '2026-01-04T09:00:00Z' },
    });
    expect(backwards.servicesReport).toMatchObject({
      __typename: 'ValidationError',
      code: 'report/range_bounds',
    });
    const tooFine = await t.admin(ServicesReport, { range: { preset: 'LAST_30_DAYS', bucket: 'MINUTE' } });
    expect(tooFine.servicesReport).toMatchObject({ code: 'report/too_many_buckets', field: 'bucket' });
    const zone = await t.admin(ServicesReport, { range: { preset: 'TODAY', timeZone: 'Mars/Base' } });
    expect(zone.servicesReport).toMatchObject({ code: 'report/invalid_time_zone' });
  });

  it('reports resource pools: allocations, exhaustion, booked vs free carried over idle periods', async () => {
    const r = await t.admin(ResourcesReport, { range: TODAY });
    if (r.resourcesReport.__typename !== 'QueryResourcesReportSuccess') throw new Error('resources');
    const [g, pool] = r.resourcesReport.data.groups;
    // The two sessions Svc created today each booked a number of its shared pool.
    expect(pool).toMatchObject({ group: 'SvcPool', allocations: 2, exhaustions: 0 });
    expect(g).toMatchObject({
      group: 'G',
      allocations: 2,
      releases: 1,
      exhaustions: 1,
      expirations: 0,
      peakBooked: 2,
    });
    expect(g?.buckets[9]).toEqual({
      start: '2026-01-05T09:00:00.000Z',
      allocations: 2,
      releases: 1,
      exhaustions: 1,
      peakBooked: 2,
      minFree: 0,
      booked: 1,
      free: 1,
    });
    // Before any activity nothing is known; after it the last state carries into idle buckets.
    expect(g?.buckets[8]).toMatchObject({ booked: null, free: null });
    expect(g?.buckets[10]).toMatchObject({ allocations: 0, booked: 1, free: 1, peakBooked: 1 });

    // A range starting after the activity still knows the state (last event before the range).
    const later = await t.admin(ResourcesReport, {
      range: {
        preset: 'CUSTOM',
        from: '2026-01-05T10:00:00Z',
        to: '2026-01-05T10:15:00Z',
        bucket: 'FIVE_MINUTES',
      },
      group: 'G',
    });
    if (later.resourcesReport.__typename !== 'QueryResourcesReportSuccess') throw new Error('later');
    expect(later.resourcesReport.data.groups[0]?.buckets.map((b) => [b.booked, b.free])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it('reports callbacks per service and queue with the wait distribution', async () => {
    const r = await t.admin(CallbackReport, { range: TODAY });
    if (r.callbackReport.__typename !== 'QueryCallbackReportSuccess') throw new Error('callback');
    const d = r.callbackReport.data;
    expect(d).toMatchObject({ created: 4, connected: 3, abandoned: 1, cancelled: 0, completed: 1 });
    expect(d.waitBinsSeconds).toEqual([30, 60, 120, 300, 600, 1800]);
    expect(d.waitBinLabels[0]).toBe('< 30s');
    // Waits 20 s, 45 s, 200 s.
    expect(d.wait).toEqual({
      connected: 3,
      avgSeconds: 88.333,
      p50Seconds: 45,
      p90Seconds: 169,
      p95Seconds: 184.5,
      maxSeconds: 200,
      histogram: [1, 1, 0, 1, 0, 0, 0],
    });
    expect(d.series.map((s) => [s.service, s.queue, s.created, s.connected, s.abandoned])).toEqual([
      ['callback-svc', 'q1', 3, 3, 0],
      ['callback-svc', 'q2', 1, 0, 1],
    ]);
    expect(d.series[0]?.buckets[9]).toMatchObject({ created: 3, connected: 3, avgWaitSeconds: 88.333 });

    const q2 = await t.admin(CallbackReport, { range: TODAY, queue: 'q2' });
    if (q2.callbackReport.__typename !== 'QueryCallbackReportSuccess') throw new Error('q2');
    expect(q2.callbackReport.data).toMatchObject({ created: 1, connected: 0, abandoned: 1 });
    expect(q2.callbackReport.data.wait).toMatchObject({ connected: 0, p50Seconds: null });
    // An empty queue selects callbacks that had none: there are none here.
    const none = await t.admin(CallbackReport, { range: TODAY, queue: '' });
    if (none.callbackReport.__typename !== 'QueryCallbackReportSuccess') throw new Error('none');
    expect(none.callbackReport.data).toMatchObject({ created: 0, series: [] });
  });

  it('is for admins only', async () => {
    await expect(t.gql(ServicesReport, { range: TODAY })).rejects.toThrow(/Not authorized/);
    const r = await t.fetch('/reports/services.csv?range=today');
    expect(r.status).toBe(401);
  });

  it('exports CSV over plain HTTP', async () => {
    const r = await t.fetch('/reports/services.csv?range=today', { headers: { authorization: adminAuth } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toContain('services-report-today-2026-01-05.csv');
    const rows = parseCsv(await r.text());
    expect(rows[0]).toEqual(['Period start', 'Service', 'Accessed', 'OK', 'Failed', 'By status']);
    expect(rows).toContainEqual(['2026-01-05 09:00', 'Svc', '2', '2', '0', '200: 2']);
    expect(rows).toContainEqual(['2026-01-05 09:00', 'NoSuchService', '1', '0', '1', '404: 1']);
    expect(rows).toContainEqual(['All services', '3', '2', '1', '']);

    const cb = await t.fetch(
      '/reports/callback.csv?range=custom&from=2026-01-05T09:00:00Z&to=2026-01-05T10:00:00Z&bucket=15m',
      {
        headers: { authorization: adminAuth },
      },
    );
    const cbRows = parseCsv(await cb.text());
    expect(cbRows).toContainEqual([
      '2026-01-05 09:00',
      'callback-svc',
      'q1',
      '3',
      '3',
      '0',
      '0',
      '0',
      '88.333',
    ]);
    expect(cbRows).toContainEqual([
      'All',
      '',
      '3',
      '88.333',
      '45',
      '169',
      '184.5',
      '200',
      '1',
      '1',
      '0',
      '1',
      '0',
      '0',
      '0',
    ]);

    const bad = await t.fetch('/reports/services.csv?range=fortnight', {
      headers: { authorization: adminAuth },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: expect.stringContaining('fortnight') });
    const unknown = await t.fetch('/reports/nothing.csv', { headers: { authorization: adminAuth } });
    expect(unknown.status).toBe(404);
  });

  it('exports xlsx (read back with exceljs)', async () => {
    const r = await t.fetch('/reports/resources.xlsx?range=today&group=G', {
      headers: { authorization: adminAuth },
    });
    expect(r.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await r.arrayBuffer());
    expect(book.worksheets.map((w) => w.name)).toEqual(['Report', 'Resources', 'Totals']);
    expect(book.getWorksheet('Report')?.getCell('A1').value).toBe('Resources report');
    const sheet = book.getWorksheet('Resources');
    if (!sheet) throw new Error('no Resources sheet');
    const header = sheet.getRow(1).values as unknown[];
    expect(header.slice(1, 4)).toEqual(['Period start', 'Group', 'Allocations']);
    // Row 11 = bucket 09:00 (row 1 is the header, buckets from 00:00).
    expect((sheet.getRow(11).values as unknown[]).slice(1)).toEqual([
      '2026-01-05 09:00',
      'G',
      2,
      1,
      0,
      1,
      2,
      0,
      1,
      1,
    ]);
    const totals = book.getWorksheet('Totals');
    if (!totals) throw new Error('no Totals sheet');
    expect((totals.getRow(2).values as unknown[]).slice(1)).toEqual(['G', 2, 1, 0, 1, 2]);
  });

  it('exports PDF with a chart (text read back with pdfjs)', async () => {
    const r = await t.fetch('/reports/callback.pdf?range=today', { headers: { authorization: adminAuth } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    const bytes = await r.arrayBuffer();
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const text = await pdfText(bytes);
    expect(text).toContain('Callback report');
    expect(text).toContain('Wait before connection (connected callbacks)');
    expect(text).toContain('< 30s');
    expect(text).toContain('Wait distribution');
    expect(text).toContain('callback-svc');
    expect(text).toContain('88.333');
    // One legend swatch and a bar for each of the three non-empty wait bins.
    expect(await pdfFills(bytes)).toBe(4);
  });

  it('hands out a short-lived download link from GraphQL', async () => {
    const r = await t.admin(ExportReport, {
      report: 'SERVICES',
      format: 'CSV',
      range: TODAY,
      service: 'Svc',
    });
    if (r.exportReport.__typename !== 'MutationExportReportSuccess')
      throw new Error(r.exportReport.__typename);
    const link = r.exportReport.data;
    expect(link.path).toMatch(/^\/reports\/download\/[A-Za-z0-9_-]+$/);
    expect(link.url).toBe(link.path);
    expect(link.filename).toBe('services-report-today-2026-01-05.csv');
    expect(link.expiresAt).toBe('2026-01-05T10:20:00.000Z');

    // Later activity does not change the file: the link froze the range when it was made.
    t.clock.advance(60_000);
    expect((await post('Svc')).status).toBe(200);
    const file = await t.fetch(link.path);
    expect(file.status).toBe(200);
    const rows = parseCsv(await file.text());
    expect(rows).toContainEqual(['Svc', '2', '2', '0', '200: 2']);
    expect(rows.some((row) => row[1] === 'NoSuchService')).toBe(false);

    const forged = await t.fetch(`${link.path.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(404);
    t.clock.advance(5 * 60_000);
    expect((await t.fetch(link.path)).status).toBe(404);
    expect(await t.app.managers.reports.sweepLinks()).toBe(1);

    const pdf = await t.admin(ExportReport, { report: 'RESOURCES', format: 'PDF', range: TODAY });
    if (pdf.exportReport.__typename !== 'MutationExportReportSuccess') throw new Error('pdf');
    const got = await t.fetch(pdf.exportReport.data.path);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(await pdfText(await got.arrayBuffer())).toContain('Booked vs free numbers (end of period)');
  });

  it('records a GET on a service (query services) as an access, with its status', async () => {
    const now = t.clock.now();
    t.clock.set('2026-01-03T12:00:00Z');
    // request-interaction answers no GET: 405.
    expect((await t.fetch('/genesys/1/service/Svc', { headers: { gms_user: 'u1' } })).status).toBe(405);
    t.clock.set(now);
    const r = await t.admin(ServicesReport, {
      range: { preset: 'CUSTOM', from: '2026-01-03T00:00:00Z', to: '2026-01-04T00:00:00Z', bucket: 'DAY' },
    });
    if (r.servicesReport.__typename !== 'QueryServicesReportSuccess') throw new Error('custom');
    expect(r.servicesReport.data.services).toEqual([
      expect.objectContaining({ service: 'Svc', total: 1, failed: 1, byStatus: [{ status: 405, count: 1 }] }),
    ]);
  });
});
