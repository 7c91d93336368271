/**
 * Reading the report statements' rows into their typed shapes. The raw (reference) queries and the
 * rollup queries answer with the same columns, so both read them here.
 */
export type SqlRow = Record<string, unknown>;

export interface ServiceRow {
  bucket: number;
  service: string;
  status: number;
  outcome: 'ok' | 'failed';
  count: number;
}

export interface ResourceRowAgg {
  bucket: number;
  group: string;
  allocations: number;
  releases: number;
  expirations: number;
  exhaustions: number;
  peakBooked: number | null;
  minFree: number | null;
  lastBooked: number | null;
  lastFree: number | null;
}

export interface CallbackRow {
  bucket: number;
  service: string;
  queue: string;
  created: number;
  connected: number;
  cancelled: number;
  abandoned: number;
  completed: number;
  /** Mean wait of the callbacks connected in the bucket, seconds (3 decimals). */
  avgWaitSeconds: number | null;
}

export const num = (v: unknown): number => Number(v ?? 0);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const toServiceRow = (r: SqlRow): ServiceRow => ({
  bucket: num(r.bucket),
  service: String(r.service),
  status: num(r.status),
  outcome: r.outcome === 'failed' ? 'failed' : 'ok',
  count: num(r.count),
});

export const toResourceRow = (r: SqlRow): ResourceRowAgg => ({
  bucket: num(r.bucket),
  group: String(r.grp),
  allocations: num(r.allocations),
  releases: num(r.releases),
  expirations: num(r.expirations),
  exhaustions: num(r.exhaustions),
  peakBooked: numOrNull(r.peak_booked),
  minFree: numOrNull(r.min_free),
  lastBooked: numOrNull(r.last_booked),
  lastFree: numOrNull(r.last_free),
});

export const toResourceState = (r: SqlRow): { group: string; booked: number; free: number } => ({
  group: String(r.grp),
  booked: num(r.booked),
  free: num(r.free),
});

export const toCallbackRow = (r: SqlRow): CallbackRow => ({
  bucket: num(r.bucket),
  service: String(r.service),
  queue: String(r.queue),
  created: num(r.created),
  connected: num(r.connected),
  cancelled: num(r.cancelled),
  abandoned: num(r.abandoned),
  completed: num(r.completed),
  avgWaitSeconds: numOrNull(r.avg_wait),
});
