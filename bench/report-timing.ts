import type { ReportKind, ReportManager } from '../src/modules/report/report.manager.js';
import type { RangeInput } from '../src/modules/report/report.ranges.js';

/**
 * How the report benches (bench/reports.ts, bench/lifecycle.ts) time a report, so their figures in
 * BENCHMARKS.md are measured the same way: one untimed call to warm caches and plans, then the median
 * of `runs` timed calls.
 */

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

/** The reports the benches time, in the order of their tables. */
export const benchReports: readonly ReportKind[] = ['services', 'resources', 'callback'];

/** The ranges both benches time (a bench may add its own). */
export const reportRanges: [string, RangeInput][] = [
  ['last hour (5 min)', { preset: 'LAST_HOUR' }],
  ['today (hour)', { preset: 'TODAY' }],
  ['last 7 days (day)', { preset: 'LAST_7_DAYS' }],
  ['last 30 days (day)', { preset: 'LAST_30_DAYS' }],
  ['last 30 days (hour)', { preset: 'LAST_30_DAYS', bucket: 'HOUR' }],
];

/** Median milliseconds of one report over one range: a warm-up call, then `runs` timed calls. */
export async function reportTime(
  reports: ReportManager,
  kind: ReportKind,
  range: RangeInput,
  runs: number,
): Promise<number> {
  const run = (): Promise<unknown> => reports[kind](range);
  await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await timed(run))[0]);
  return median(samples);
}
