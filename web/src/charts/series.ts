/** One line or bar series of a time chart: [time ms, value] per bucket. */
export interface Series {
  name: string;
  kind: 'line' | 'bar';
  points: [number, number | null][];
}

/**
 * A bar's width in pixels: 70 % of the usual gap between buckets (the median), across `plotWidth`.
 * ECharts sizes bars on a time axis by the smallest gap (and caps barWidth at it: the chart sets
 * barMinWidth too), so a range starting seconds before a bucket boundary (a first bucket of 4 s
 * among ones of 5 min) drew every bar as a hairline.
 */
export function barWidth(series: Series[], plotWidth: number): number | undefined {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  if (times.length < 2 || plotWidth <= 0) return undefined;
  const gaps = times
    .slice(1)
    .map((t, i) => t - (times[i] ?? t))
    .sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] ?? 0;
  const span = (times.at(-1) ?? 0) - (times[0] ?? 0) + median;
  if (median <= 0 || span <= 0) return undefined;
  return Math.max(1, Math.floor(((plotWidth * median) / span) * 0.7));
}
