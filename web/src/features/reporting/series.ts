import type { Series } from '../../charts/series.js';

/** Buckets of several groups/services summed per bucket start: one time series per measure. */
export function sumSeries<B extends { start: string }>(
  lists: B[][],
  measures: { name: string; kind: 'line' | 'bar'; value: (b: B) => number | null | undefined }[],
): { series: Series[]; table: { start: string; values: (number | null)[] }[] } {
  const byStart = new Map<string, (number | null)[]>();
  for (const list of lists)
    for (const b of list) {
      const row = byStart.get(b.start) ?? measures.map(() => null);
      measures.forEach((m, i) => {
        const v = m.value(b);
        if (v != null) row[i] = (row[i] ?? 0) + v;
      });
      byStart.set(b.start, row);
    }
  const starts = [...byStart.keys()].sort();
  return {
    series: measures.map((m, i) => ({
      name: m.name,
      kind: m.kind,
      points: starts.map((s) => [Date.parse(s), byStart.get(s)?.[i] ?? null] as [number, number | null]),
    })),
    table: starts.map((s) => ({ start: s, values: byStart.get(s) ?? [] })),
  };
}
