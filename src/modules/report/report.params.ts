import { NotFoundError, ValidationError } from '../../errors.js';
import { parseBucket, parsePreset, type RangeInput } from './report.ranges.js';
import { type ExportFormat, exportFormats, type ReportKind, reportKinds } from './report.types.js';

/**
 * A report request read from text: the report and format named in a `/reports/…` path, GraphQL or a
 * stored download link, and the range from query parameters.
 */

/** A filter value: trimmed; blank means no filter. */
export const clean = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);

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
