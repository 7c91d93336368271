import { sum } from './report.assembly.js';
import type { WaitStats } from './report.queries.js';
import { describeRange, localLabel } from './report.ranges.js';
import type {
  CallbackReport,
  ExportDocument,
  ResourcesReport,
  ServicesReport,
  StatusCount,
} from './report.types.js';

/**
 * Each report as an export document: its tables (sheets) and chart, what every format (CSV, xlsx,
 * PDF in report.export.ts) writes. Periods are labelled in the range's time zone.
 */

export function servicesDocument(rep: ServicesReport): ExportDocument {
  const r = rep.range;
  const label = (d: Date) => localLabel(d, r);
  const subtitle = describeRange(r);
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

export function resourcesDocument(rep: ResourcesReport): ExportDocument {
  const r = rep.range;
  const label = (d: Date) => localLabel(d, r);
  const subtitle = describeRange(r);
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
  const total = (i: number, pick: 'booked' | 'free') => sum(rep.groups, (g) => g.buckets[i]?.[pick] ?? 0);
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

export function callbackDocument(rep: CallbackReport): ExportDocument {
  const r = rep.range;
  const label = (d: Date) => localLabel(d, r);
  const subtitle = describeRange(r);
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
        rows: [...rep.series.map((s) => waitRow(s.service, s.queue, s.wait)), waitRow('All', '', rep.wait)],
      },
    ],
    chart: {
      title: 'Wait before connection (connected callbacks)',
      categories: binLabels,
      series: [{ name: 'Callbacks', values: rep.wait.histogram }],
    },
  };
}

const statusText = (list: StatusCount[]) => list.map((s) => `${s.status}: ${s.count}`).join(', ');

const fmtSeconds = (s: number) => (s < 60 ? `${s}s` : `${s / 60}m`);

/** Labels of the wait histogram's bins: `< 30s`, `30s-1m`, …, `>= 30m`. */
export function waitBinLabels(bins: readonly number[]): string[] {
  return [
    ...bins.map((upper, i) =>
      i === 0 ? `< ${fmtSeconds(upper)}` : `${fmtSeconds(bins[i - 1] ?? 0)}-${fmtSeconds(upper)}`,
    ),
    `>= ${fmtSeconds(bins[bins.length - 1] ?? 0)}`,
  ];
}
