import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { renderExport } from './report.export.js';
import { planReport, type ReportPlan } from './report.plan.js';
import {
  type CallbackFilter,
  type ReportQueries,
  WAIT_BINS_SECONDS,
  type WaitStats,
} from './report.queries.js';
import {
  bucketSizes,
  describeRange,
  localLabel,
  parseBucket,
  parsePreset,
  type RangeInput,
  type ResolvedRange,
  resolveRange,
} from './report.ranges.js';
import { rollupReportQueries } from './report.rollup-queries.js';
import { reportLinksTable } from './report.tables.js';
import {
  type CallbackReport,
  type CallbackUsage,
  type ExportDocument,
  type ExportFile,
  type ExportFormat,
  exportFormats,
  type ReportFilters,
  type ReportKind,
  type ResourceGroupUsage,
  type ResourcesReport,
  reportKinds,
  type ServicesReport,
  type ServiceUsage,
  type StatusCount,
} from './report.types.js';
import { reportHorizons } from './rollup.manager.js';

export type * from './report.types.js';

/** How long a download link from `createExportLink` works. */
export const EXPORT_LINK_TTL_SECONDS = 300;

export interface ExportRequest {
  report: ReportKind;
  format: ExportFormat;
  range: RangeInput;
  filters?: ReportFilters;
}

/** What a link stores: the range already resolved, so the file matches the moment it was asked for. */
interface StoredRequest {
  report: ReportKind;
  format: ExportFormat;
  preset: string;
  from: string;
  to: string;
  bucket: string;
  timeZone: string;
  filters: ReportFilters;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const clean = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);

export function parseReportKind(value: string): ReportKind {
  const found = reportKinds.find((k) => k === value.trim().toLowerCase());
  if (!found)
    throw new NotFoundError(
      'report/unknown_report',
      `No report '${value}'; reports: ${reportKinds.join(', ')}`,
    );
  return found;
}

export function parseExportFormat(value: string): ExportFormat {
  const found = exportFormats.find((k) => k === value.trim().toLowerCase());
  if (!found)
    throw new ValidationError(
      'report/unknown_format',
      `No export format '${value}'; formats: ${exportFormats.join(', ')}`,
      'format',
    );
  return found;
}

/** Reads a range from query parameters: range=last_7_days|custom, from, to, bucket, tz. */
export function rangeFromQuery(query: URLSearchParams): RangeInput {
  const date = (name: string): Date | null => {
    const v = query.get(name);
    if (!v) return null;
    const d = new Date(v);
    if (Number.isNaN(d.getTime()))
      throw new ValidationError('report/range_bounds', `${name} must be an ISO-8601 date-time`, name);
    return d;
  };
  const from = date('from');
  const to = date('to');
  const preset = query.get('range');
  const bucket = query.get('bucket');
  return {
    preset: preset ? parsePreset(preset) : from || to ? 'CUSTOM' : 'TODAY',
    from,
    to,
    bucket: bucket ? parseBucket(bucket) : null,
    timeZone: query.get('tz') ?? query.get('timeZone'),
  };
}

declare module '../../managers.types.js' {
  interface Managers {
    reports: ReportManager;
  }
}

/**
 * The Reporting tab: Resources, Services and Callback reports over the activity record, their CSV,
 * xlsx and PDF exports, and short-lived download links for them.
 */
export class ReportManager {
  /** `queries`: the rollups; tests and the benchmark pass the raw-row queries to compare. */
  constructor(
    private readonly deps: Deps,
    private readonly queries: ReportQueries = rollupReportQueries,
  ) {}

  resolve(range: RangeInput): ResolvedRange {
    return resolveRange(range, this.deps.clock.now());
  }

  /** Which rollups and raw rows answer this range (report.plan.ts). */
  plan(r: ResolvedRange): ReportPlan {
    return planReport(r, reportHorizons(this.deps.config.retention, this.deps.clock.now()));
  }

  // ------------------------------------------------------------------------------------------------
  // Reports

  async services(range: RangeInput, filters: ReportFilters = {}): Promise<ServicesReport> {
    return this.servicesIn(this.resolve(range), filters);
  }

  private async servicesIn(r: ResolvedRange, filters: ReportFilters): Promise<ServicesReport> {
    const rows = await this.queries.serviceRows(this.deps.db, r, this.plan(r), clean(filters.service));
    const index = bucketIndex(r);
    const byService = new Map<string, ServiceUsage>();
    for (const row of rows) {
      let usage = byService.get(row.service);
      if (!usage) {
        usage = {
          service: row.service,
          total: 0,
          ok: 0,
          failed: 0,
          byStatus: [],
          buckets: r.buckets.map((start) => ({ start, total: 0, ok: 0, failed: 0, byStatus: [] })),
        };
        byService.set(row.service, usage);
      }
      const bucket = usage.buckets[index(row.bucket)];
      for (const target of bucket ? [usage, bucket] : [usage]) {
        target.total += row.count;
        if (row.outcome === 'failed') target.failed += row.count;
        else target.ok += row.count;
        addStatus(target.byStatus, row.status, row.count);
      }
    }
    const services = [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
    return {
      range: r,
      total: services.reduce((n, s) => n + s.total, 0),
      ok: services.reduce((n, s) => n + s.ok, 0),
      failed: services.reduce((n, s) => n + s.failed, 0),
      services,
    };
  }

  async resources(range: RangeInput, filters: ReportFilters = {}): Promise<ResourcesReport> {
    return this.resourcesIn(this.resolve(range), filters);
  }

  private async resourcesIn(r: ResolvedRange, filters: ReportFilters): Promise<ResourcesReport> {
    const group = clean(filters.group);
    const plan = this.plan(r);
    const [rows, before] = await Promise.all([
      this.queries.resourceRows(this.deps.db, r, plan, group),
      this.queries.resourceStateBefore(this.deps.db, r, plan, group),
    ]);
    const index = bucketIndex(r);
    const names = [...new Set([...before.map((b) => b.group), ...rows.map((x) => x.group)])].sort((a, b) =>
      a.localeCompare(b),
    );
    const groups: ResourceGroupUsage[] = names.map((name) => {
      const own = new Map(rows.filter((x) => x.group === name).map((x) => [index(x.bucket), x]));
      const start = before.find((b) => b.group === name);
      let booked: number | null = start?.booked ?? null;
      let free: number | null = start?.free ?? null;
      const buckets = r.buckets.map((bucketStart, i) => {
        const agg = own.get(i);
        if (agg?.lastBooked != null) booked = agg.lastBooked;
        if (agg?.lastFree != null) free = agg.lastFree;
        return {
          start: bucketStart,
          allocations: agg?.allocations ?? 0,
          releases: agg?.releases ?? 0,
          expirations: agg?.expirations ?? 0,
          exhaustions: agg?.exhaustions ?? 0,
          peakBooked: agg?.peakBooked ?? booked,
          minFree: agg?.minFree ?? free,
          booked,
          free,
        };
      });
      const peaks = buckets.map((b) => b.peakBooked).filter((p): p is number => p !== null);
      return {
        group: name,
        allocations: sum(buckets, (b) => b.allocations),
        releases: sum(buckets, (b) => b.releases),
        expirations: sum(buckets, (b) => b.expirations),
        exhaustions: sum(buckets, (b) => b.exhaustions),
        peakBooked: peaks.length > 0 ? Math.max(...peaks) : null,
        buckets,
      };
    });
    return { range: r, groups };
  }

  async callback(range: RangeInput, filters: ReportFilters = {}): Promise<CallbackReport> {
    return this.callbackIn(this.resolve(range), filters);
  }

  private async callbackIn(r: ResolvedRange, filters: ReportFilters): Promise<CallbackReport> {
    const f: CallbackFilter = { service: clean(filters.service), queue: filters.queue ?? null };
    const plan = this.plan(r);
    // The wait statistics are over the whole range, not per bucket: planned as one bucket, the range
    // is read in the coarsest slots (days), not in as many slots as the buckets need (hours).
    const wholeRange = this.plan({ ...r, buckets: [r.from] });
    const [rows, stats] = await Promise.all([
      this.queries.callbackRows(this.deps.db, r, plan, f),
      this.queries.waitStats(this.deps.db, r, wholeRange, f),
    ]);
    const index = bucketIndex(r);
    const overall = stats.find((s) => s.service === null) ?? emptyWait(null, null);
    const series = new Map<string, CallbackUsage>();
    for (const row of rows) {
      const key = `${row.service}\u0000${row.queue}`;
      let usage = series.get(key);
      if (!usage) {
        usage = {
          service: row.service,
          queue: row.queue,
          created: 0,
          connected: 0,
          cancelled: 0,
          abandoned: 0,
          completed: 0,
          wait:
            stats.find((s) => s.service === row.service && s.queue === row.queue) ??
            emptyWait(row.service, row.queue),
          buckets: r.buckets.map((start) => ({
            start,
            created: 0,
            connected: 0,
            cancelled: 0,
            abandoned: 0,
            completed: 0,
            avgWaitSeconds: null,
          })),
        };
        series.set(key, usage);
      }
      const bucket = usage.buckets[index(row.bucket)];
      if (bucket) {
        bucket.created += row.created;
        bucket.connected += row.connected;
        bucket.cancelled += row.cancelled;
        bucket.abandoned += row.abandoned;
        bucket.completed += row.completed;
        bucket.avgWaitSeconds = row.avgWaitSeconds;
      }
      usage.created += row.created;
      usage.connected += row.connected;
      usage.cancelled += row.cancelled;
      usage.abandoned += row.abandoned;
      usage.completed += row.completed;
    }
    const list = [...series.values()].sort(
      (a, b) => a.service.localeCompare(b.service) || a.queue.localeCompare(b.queue),
    );
    return {
      range: r,
      totals: {
        created: sum(list, (s) => s.created),
        connected: sum(list, (s) => s.connected),
        cancelled: sum(list, (s) => s.cancelled),
        abandoned: sum(list, (s) => s.abandoned),
        completed: sum(list, (s) => s.completed),
      },
      wait: overall,
      waitBinsSeconds: [...WAIT_BINS_SECONDS],
      series: list,
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Exports

  /** The report as a file (CSV, xlsx or PDF with a chart). */
  async export(request: ExportRequest): Promise<ExportFile> {
    return this.exportResolved(
      request.report,
      request.format,
      this.resolve(request.range),
      request.filters ?? {},
    );
  }

  private async exportResolved(
    report: ReportKind,
    format: ExportFormat,
    r: ResolvedRange,
    filters: ReportFilters,
  ): Promise<ExportFile> {
    const doc = await this.document(report, r, filters);
    const stamp = r.from.toISOString().slice(0, 10);
    const body = await renderExport(doc, format);
    return {
      filename: `${report}-report-${r.preset.toLowerCase().replaceAll('_', '-')}-${stamp}.${format}`,
      contentType: contentTypes[format],
      body,
    };
  }

  /** The report as tables and a chart (what every export format writes). */
  async document(report: ReportKind, r: ResolvedRange, filters: ReportFilters): Promise<ExportDocument> {
    const label = (d: Date) => localLabel(d, r);
    const subtitle = describeRange(r);
    switch (report) {
      case 'services': {
        const rep = await this.servicesIn(r, filters);
        const rows = rep.services.flatMap((s) =>
          s.buckets
            .filter((b) => b.total > 0)
            .map((b) => [label(b.start), s.service, b.total, b.ok, b.failed, statusText(b.byStatus)]),
        );
        return {
          title: 'Services report',
          subtitle,
          sheets: [
            {
              name: 'Services',
              columns: ['Period start', 'Service', 'Accessed', 'OK', 'Failed', 'By status'],
              rows,
            },
            {
              name: 'Totals',
              columns: ['Service', 'Accessed', 'OK', 'Failed', 'By status'],
              rows: [
                ...rep.services.map((s) => [s.service, s.total, s.ok, s.failed, statusText(s.byStatus)]),
                ['All services', rep.total, rep.ok, rep.failed, ''],
              ],
            },
          ],
          chart: {
            title: 'Service accesses per period',
            categories: r.buckets.map(label),
            series: [
              {
                name: 'OK',
                values: r.buckets.map((_, i) => sum(rep.services, (s) => s.buckets[i]?.ok ?? 0)),
              },
              {
                name: 'Failed',
                values: r.buckets.map((_, i) => sum(rep.services, (s) => s.buckets[i]?.failed ?? 0)),
              },
            ],
          },
        };
      }
      case 'resources': {
        const rep = await this.resourcesIn(r, filters);
        const rows = rep.groups.flatMap((g) =>
          g.buckets.map((b) => [
            label(b.start),
            g.group,
            b.allocations,
            b.releases,
            b.expirations,
            b.exhaustions,
            b.peakBooked,
            b.minFree,
            b.booked,
            b.free,
          ]),
        );
        const total = (i: number, pick: 'booked' | 'free') =>
          sum(rep.groups, (g) => g.buckets[i]?.[pick] ?? 0);
        return {
          title: 'Resources report',
          subtitle,
          sheets: [
            {
              name: 'Resources',
              columns: [
                'Period start',
                'Group',
                'Allocations',
                'Releases',
                'Expirations',
                'Exhaustions',
                'Peak booked',
                'Min free',
                'Booked (end)',
                'Free (end)',
              ],
              rows,
            },
            {
              name: 'Totals',
              columns: ['Group', 'Allocations', 'Releases', 'Expirations', 'Exhaustions', 'Peak booked'],
              rows: rep.groups.map((g) => [
                g.group,
                g.allocations,
                g.releases,
                g.expirations,
                g.exhaustions,
                g.peakBooked,
              ]),
            },
          ],
          chart: {
            title: 'Booked vs free numbers (end of period)',
            categories: r.buckets.map(label),
            series: [
              { name: 'Booked', values: r.buckets.map((_, i) => total(i, 'booked')) },
              { name: 'Free', values: r.buckets.map((_, i) => total(i, 'free')) },
            ],
          },
        };
      }
      case 'callback': {
        const rep = await this.callbackIn(r, filters);
        const binLabels = waitBinLabels(rep.waitBinsSeconds);
        const waitRow = (service: string, queue: string, w: WaitStats) => [
          service,
          queue,
          w.connected,
          w.avgSeconds,
          w.p50Seconds,
          w.p90Seconds,
          w.p95Seconds,
          w.maxSeconds,
          ...w.histogram,
        ];
        return {
          title: 'Callback report',
          subtitle,
          sheets: [
            {
              name: 'Callbacks',
              columns: [
                'Period start',
                'Service',
                'Queue',
                'Created',
                'Connected',
                'Cancelled',
                'Abandoned',
                'Completed',
                'Avg wait (s)',
              ],
              rows: rep.series.flatMap((s) =>
                s.buckets
                  .filter((b) => b.created + b.connected + b.cancelled + b.abandoned + b.completed > 0)
                  .map((b) => [
                    label(b.start),
                    s.service,
                    s.queue,
                    b.created,
                    b.connected,
                    b.cancelled,
                    b.abandoned,
                    b.completed,
                    b.avgWaitSeconds,
                  ]),
              ),
            },
            {
              name: 'Wait distribution',
              columns: [
                'Service',
                'Queue',
                'Connected',
                'Avg (s)',
                'p50 (s)',
                'p90 (s)',
                'p95 (s)',
                'Max (s)',
                ...binLabels,
              ],
              rows: [
                ...rep.series.map((s) => waitRow(s.service, s.queue, s.wait)),
                waitRow('All', '', rep.wait),
              ],
            },
          ],
          chart: {
            title: 'Wait before connection (connected callbacks)',
            categories: binLabels,
            series: [{ name: 'Callbacks', values: rep.wait.histogram }],
          },
        };
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Download links

  /**
   * A short-lived (EXPORT_LINK_TTL_SECONDS) download path for an export; works on any instance (the
   * request is stored in Postgres, only the token's hash). The range is resolved now.
   */
  async createExportLink(
    request: ExportRequest,
    createdBy: string,
  ): Promise<{ path: string; url: string; filename: string; contentType: string; expiresAt: Date }> {
    const r = this.resolve(request.range);
    const stored: StoredRequest = {
      report: request.report,
      format: request.format,
      preset: r.preset,
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      bucket: r.bucket,
      timeZone: r.timeZone,
      filters: {
        group: clean(request.filters?.group),
        service: clean(request.filters?.service),
        queue: request.filters?.queue ?? null,
      },
    };
    const token = randomBytes(24).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + EXPORT_LINK_TTL_SECONDS * 1000);
    await this.deps.db
      .insert(reportLinksTable)
      .values({ tokenHash: sha256(token), request: stored, createdBy, createdAt: now, expiresAt });
    const path = `/reports/download/${token}`;
    return {
      path,
      url: `${this.deps.config.publicUrl ?? ''}${path}`,
      filename: `${request.report}-report-${r.preset.toLowerCase().replaceAll('_', '-')}-${stored.from.slice(0, 10)}.${request.format}`,
      contentType: contentTypes[request.format],
      expiresAt,
    };
  }

  /** The file behind a download token; 404 once it has expired or when it never existed. */
  async download(token: string): Promise<ExportFile> {
    const [link] = await this.deps.db
      .select()
      .from(reportLinksTable)
      .where(
        and(
          eq(reportLinksTable.tokenHash, sha256(token)),
          gt(reportLinksTable.expiresAt, this.deps.clock.now()),
        ),
      );
    if (!link) throw new NotFoundError('report/link_expired', 'This download link is unknown or has expired');
    const s = link.request as StoredRequest;
    const r = resolveRange(
      {
        preset: 'CUSTOM',
        from: new Date(s.from),
        to: new Date(s.to),
        bucket: parseBucket(s.bucket),
        timeZone: s.timeZone,
      },
      this.deps.clock.now(),
    );
    return this.exportResolved(
      parseReportKind(s.report),
      parseExportFormat(s.format),
      { ...r, preset: parsePreset(s.preset) },
      s.filters,
    );
  }

  /** Deletes expired links (housekeeping; idempotent). */
  async sweepLinks(): Promise<number> {
    const gone = await this.deps.db
      .delete(reportLinksTable)
      .where(lte(reportLinksTable.expiresAt, this.deps.clock.now()))
      .returning({ h: reportLinksTable.tokenHash });
    return gone.length;
  }
}

const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** A row's bucket (its start in epoch seconds, as the queries answer it) as an index into r.buckets. */
function bucketIndex(r: ResolvedRange): (epochSeconds: number) => number {
  const byStart = new Map(r.buckets.map((start, i) => [start.getTime(), i]));
  return (epoch) => byStart.get(Math.round(epoch * 1000)) ?? -1;
}

function addStatus(list: StatusCount[], status: number, count: number): void {
  const found = list.find((s) => s.status === status);
  if (found) found.count += count;
  else {
    list.push({ status, count });
    list.sort((a, b) => a.status - b.status);
  }
}

const statusText = (list: StatusCount[]) => list.map((s) => `${s.status}: ${s.count}`).join(', ');

function sum<T>(list: readonly T[], pick: (t: T) => number): number {
  let n = 0;
  for (const t of list) n += pick(t);
  return n;
}

function emptyWait(service: string | null, queue: string | null): WaitStats {
  return {
    service,
    queue,
    connected: 0,
    avgSeconds: null,
    p50Seconds: null,
    p90Seconds: null,
    p95Seconds: null,
    maxSeconds: null,
    histogram: new Array<number>(WAIT_BINS_SECONDS.length + 1).fill(0),
  };
}

const fmtSeconds = (s: number) => (s < 60 ? `${s}s` : `${s / 60}m`);

export function waitBinLabels(bins: readonly number[]): string[] {
  return [
    ...bins.map((upper, i) =>
      i === 0 ? `< ${fmtSeconds(upper)}` : `${fmtSeconds(bins[i - 1] ?? 0)}-${fmtSeconds(upper)}`,
    ),
    `>= ${fmtSeconds(bins[bins.length - 1] ?? 0)}`,
  ];
}

export { bucketSizes };
