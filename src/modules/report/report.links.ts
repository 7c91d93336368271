import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { NotFoundError } from '../../errors.js';
import { EXPORT_CONTENT_TYPES, exportFilename } from './report.export.js';
import { clean, parseExportFormat, parseReportKind } from './report.params.js';
import { parseBucket, parsePreset, type ResolvedRange, resolveRange } from './report.ranges.js';
import { reportLinksTable } from './report.tables.js';
import type { ExportFormat, ExportRequest, ReportFilters, ReportKind } from './report.types.js';

/** How long a download link from `createExportLink` works. */
export const EXPORT_LINK_TTL_SECONDS = 300;

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

/** The export a live link stands for, its range as resolved when the link was made. */
export interface LinkedExport {
  report: ReportKind;
  format: ExportFormat;
  range: ResolvedRange;
  filters: ReportFilters;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Short-lived download links for exports. The request is stored in Postgres (only the token's
 * hash), so a link works on any instance until it expires.
 */
export class ExportLinks {
  constructor(private readonly deps: Deps) {}

  async create(
    request: ExportRequest,
    r: ResolvedRange,
    createdBy: string,
  ): Promise<{ path: string; url: string; filename: string; contentType: string; expiresAt: Date }> {
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
      filename: exportFilename(request.report, request.format, r),
      contentType: EXPORT_CONTENT_TYPES[request.format],
      expiresAt,
    };
  }

  /** The export behind a download token; 404 once it has expired or when it never existed. */
  async find(token: string): Promise<LinkedExport> {
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
    return {
      report: parseReportKind(s.report),
      format: parseExportFormat(s.format),
      range: { ...r, preset: parsePreset(s.preset) },
      filters: s.filters,
    };
  }

  /** Deletes expired links (housekeeping; idempotent). */
  async sweep(): Promise<number> {
    const gone = await this.deps.db
      .delete(reportLinksTable)
      .where(lte(reportLinksTable.expiresAt, this.deps.clock.now()))
      .returning({ h: reportLinksTable.tokenHash });
    return gone.length;
  }
}
