import type { ReportRangePreset } from '../../gql/graphql.js';

/** The Reporting URL: which report (path) and the range, zoom and filter (search). */
export const REPORTS = ['resources', 'services', 'callback'] as const;
export type ReportName = (typeof REPORTS)[number];

export const PRESETS: { value: ReportRangePreset; label: string }[] = [
  { value: 'LAST_HOUR', label: 'Last hour' },
  { value: 'TODAY', label: 'Today' },
  { value: 'LAST_7_DAYS', label: 'Last 7 days' },
  { value: 'LAST_30_DAYS', label: 'Last 30 days' },
  { value: 'CUSTOM', label: 'Custom' },
];

export interface ReportSearch {
  preset?: ReportRangePreset;
  /** CUSTOM range, or the zoomed window (ISO). */
  from?: string;
  to?: string;
  /** Set while zoomed in: the preset to go back to on "Reset zoom". */
  zoomedFrom?: ReportRangePreset;
  filter?: string;
  /** "Show as table" (`table=1`). */
  table?: 1;
}

export function reportSearch(s: Record<string, unknown>): ReportSearch {
  const out: ReportSearch = {};
  const isPreset = (v: unknown): v is ReportRangePreset => PRESETS.some((p) => p.value === v);
  if (isPreset(s.preset)) out.preset = s.preset;
  if (typeof s.from === 'string' && !Number.isNaN(Date.parse(s.from))) out.from = s.from;
  if (typeof s.to === 'string' && !Number.isNaN(Date.parse(s.to))) out.to = s.to;
  if (isPreset(s.zoomedFrom)) out.zoomedFrom = s.zoomedFrom;
  if (typeof s.filter === 'string' && s.filter) out.filter = s.filter;
  if (s.table === 1 || s.table === '1' || s.table === true) out.table = 1;
  return out;
}
