import type { WaitStats } from './report.queries.js';
import type { RangeInput, ResolvedRange } from './report.ranges.js';

export const reportKinds = ['resources', 'services', 'callback'] as const;
export type ReportKind = (typeof reportKinds)[number];

export const exportFormats = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ReportFilters {
  /** Resources report: one resource group. */
  group?: string | null;
  /** Services and Callback reports: one service. */
  service?: string | null;
  /** Callback report: one queue. */
  queue?: string | null;
}

// ---- Services

export interface StatusCount {
  status: number;
  count: number;
}

export interface ServiceBucket {
  start: Date;
  total: number;
  ok: number;
  failed: number;
  byStatus: StatusCount[];
}

export interface ServiceUsage {
  service: string;
  total: number;
  ok: number;
  failed: number;
  byStatus: StatusCount[];
  buckets: ServiceBucket[];
}

export interface ServicesReport {
  range: ResolvedRange;
  total: number;
  ok: number;
  failed: number;
  services: ServiceUsage[];
}

// ---- Resources

export interface ResourceBucket {
  start: Date;
  allocations: number;
  releases: number;
  expirations: number;
  exhaustions: number;
  /** Most numbers booked at once in the bucket (null when nothing is known yet). */
  peakBooked: number | null;
  minFree: number | null;
  /** State at the end of the bucket (carried over from earlier buckets when idle). */
  booked: number | null;
  free: number | null;
}

export interface ResourceGroupUsage {
  group: string;
  allocations: number;
  releases: number;
  expirations: number;
  exhaustions: number;
  peakBooked: number | null;
  buckets: ResourceBucket[];
}

export interface ResourcesReport {
  range: ResolvedRange;
  groups: ResourceGroupUsage[];
}

// ---- Callback

export interface CallbackBucket {
  start: Date;
  created: number;
  connected: number;
  cancelled: number;
  abandoned: number;
  completed: number;
  avgWaitSeconds: number | null;
}

export interface CallbackCounts {
  created: number;
  connected: number;
  cancelled: number;
  abandoned: number;
  completed: number;
}

export interface CallbackUsage extends CallbackCounts {
  service: string;
  queue: string;
  wait: WaitStats;
  buckets: CallbackBucket[];
}

export interface CallbackReport {
  range: ResolvedRange;
  totals: CallbackCounts;
  /** Every connected callback of the range. */
  wait: WaitStats;
  /** Upper bounds (seconds) of the histogram bins; the last bin is open-ended. */
  waitBinsSeconds: number[];
  series: CallbackUsage[];
}

// ---- Exports

export type Cell = string | number | null;

export interface ExportSheet {
  name: string;
  columns: string[];
  rows: Cell[][];
}

export interface ExportChart {
  title: string;
  categories: string[];
  series: { name: string; values: number[] }[];
}

/** A report ready to be written as a file: title, tables and one chart. */
export interface ExportDocument {
  title: string;
  subtitle: string;
  sheets: ExportSheet[];
  chart: ExportChart;
}

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
}

/** An export asked for: which report, in which format, over which range, filtered how. */
export interface ExportRequest {
  report: ReportKind;
  format: ExportFormat;
  range: RangeInput;
  filters?: ReportFilters;
}
