import type { Deps } from '../../deps.js';
import { callbackReport, resourcesReport, servicesReport } from './report.assembly.js';
import { callbackDocument, resourcesDocument, servicesDocument } from './report.document.js';
import { EXPORT_CONTENT_TYPES, exportFilename, renderExport } from './report.export.js';
import { ExportLinks } from './report.links.js';
import { clean } from './report.params.js';
import { planReport, type ReportPlan } from './report.plan.js';
import type { CallbackFilter, ReportQueries } from './report.queries.js';
import { type RangeInput, type ResolvedRange, resolveRange } from './report.ranges.js';
import { rollupReportQueries } from './report.rollup-queries.js';
import type {
  CallbackReport,
  ExportDocument,
  ExportFile,
  ExportFormat,
  ExportRequest,
  ReportFilters,
  ReportKind,
  ResourcesReport,
  ServicesReport,
} from './report.types.js';
import { reportHorizons } from './rollup.manager.js';

export type * from './report.types.js';

declare module '../../managers.types.js' {
  interface Managers {
    reports: ReportManager;
  }
}

/**
 * The Reporting tab: Resources, Services and Callback reports over the activity record, their CSV,
 * xlsx and PDF exports, and short-lived download links for them. The public face
 * (`managers.reports`): it resolves the range, plans and runs the queries; each other part has its
 * own file: report.assembly.ts (rows → reports), report.document.ts (report → tables and chart),
 * report.export.ts (the file formats), report.links.ts (download links), report.params.ts (reading
 * a request from text).
 */
export class ReportManager {
  private readonly links: ExportLinks;

  /** `queries`: the rollups; tests and the benchmark pass the raw-row queries to compare. */
  constructor(
    private readonly deps: Deps,
    private readonly queries: ReportQueries = rollupReportQueries,
  ) {
    this.links = new ExportLinks(deps);
  }

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
    return servicesReport(r, rows);
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
    return resourcesReport(r, rows, before);
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
    return callbackReport(r, rows, stats);
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
    const body = await renderExport(doc, format);
    return { filename: exportFilename(report, format, r), contentType: EXPORT_CONTENT_TYPES[format], body };
  }

  /** The report as tables and a chart (what every export format writes). */
  async document(report: ReportKind, r: ResolvedRange, filters: ReportFilters): Promise<ExportDocument> {
    switch (report) {
      case 'services':
        return servicesDocument(await this.servicesIn(r, filters));
      case 'resources':
        return resourcesDocument(await this.resourcesIn(r, filters));
      case 'callback':
        return callbackDocument(await this.callbackIn(r, filters));
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Download links (report.links.ts)

  /**
   * A short-lived (EXPORT_LINK_TTL_SECONDS) download path for an export; works on any instance (the
   * request is stored in Postgres, only the token's hash). The range is resolved now.
   */
  createExportLink(
    request: ExportRequest,
    createdBy: string,
  ): Promise<{ path: string; url: string; filename: string; contentType: string; expiresAt: Date }> {
    return this.links.create(request, this.resolve(request.range), createdBy);
  }

  /** The file behind a download token; 404 once it has expired or when it never existed. */
  async download(token: string): Promise<ExportFile> {
    const linked = await this.links.find(token);
    return this.exportResolved(linked.report, linked.format, linked.range, linked.filters);
  }

  /** Deletes expired links (housekeeping; idempotent). */
  sweepLinks(): Promise<number> {
    return this.links.sweep();
  }
}
