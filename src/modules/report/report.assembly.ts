import {
  type CallbackRow,
  type ResourceRowAgg,
  type ServiceRow,
  WAIT_BINS_SECONDS,
  type WaitStats,
} from './report.queries.js';
import type { ResolvedRange } from './report.ranges.js';
import type {
  CallbackReport,
  CallbackUsage,
  ResourceGroupUsage,
  ResourcesReport,
  ServicesReport,
  ServiceUsage,
  StatusCount,
} from './report.types.js';

/**
 * The three reports assembled from what the queries answer (report.queries.ts or the rollups):
 * rows per bucket become per-service, per-group and per-queue series over every bucket of the
 * range, with their totals. Pure: no database, no clock.
 */

export function servicesReport(r: ResolvedRange, rows: ServiceRow[]): ServicesReport {
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

/** `before`: each group's booked/free counts when the range starts (carried into empty buckets). */
export function resourcesReport(
  r: ResolvedRange,
  rows: ResourceRowAgg[],
  before: { group: string; booked: number; free: number }[],
): ResourcesReport {
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

/** `stats`: the wait statistics over the whole range, per service and queue and overall (service null). */
export function callbackReport(r: ResolvedRange, rows: CallbackRow[], stats: WaitStats[]): CallbackReport {
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

/** Sums a number picked from each item (the totals of series and buckets). */
export function sum<T>(list: readonly T[], pick: (t: T) => number): number {
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
