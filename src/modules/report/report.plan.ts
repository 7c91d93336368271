import type { ResolvedRange } from './report.ranges.js';
import type { Horizons } from './rollup.manager.js';

/**
 * Which source answers which part of a report's range. `grain` 0: raw activity rows with
 * occurred_at in [lo, hi); 60/3600/86400: rollup slots whose start is in [lo, hi) (plus the pending
 * rows that will be folded into them). Times are epoch ms; every piece lies in one bucket, or is a
 * whole slot counted in the bucket that holds its start.
 */
export interface Piece {
  grain: 0 | 60 | 3600 | 86_400;
  lo: number;
  hi: number;
}

export interface ReportPlan {
  pieces: Piece[];
  /**
   * Activity before this time counts as "before the range" (the resources report's starting state).
   * It is `from`, except where the range starts inside a slot whose finer detail retention has
   * removed: that slot, counted where it starts, is before the range.
   */
  dataStart: number;
}

const GRAINS = [86_400, 3600, 60] as const;

const floorTo = (t: number, g: number) => Math.floor(t / g) * g;
const ceilTo = (t: number, g: number) => Math.ceil(t / g) * g;

/**
 * Covers each bucket with the coarsest whole slots that fit (days, then hours, then minutes) and
 * the sub-minute edges with raw rows, so a report reads at most a few rows per bucket and
 * subject whatever the table holds. Bucket boundaries inside the range are on the local clock
 * (report.ranges.ts), so only the range's two ends need minute slots and raw rows; adjacent slots
 * of one grain merge into one index range. Where an edge's finer detail is older than that
 * source's horizon (raw rows or minute/hour rollups already removed by retention), the edge's
 * whole slot is counted in the bucket holding its start instead: exact to the second within
 * RETENTION_ACTIVITY_DAYS, to the minute within RETENTION_ROLLUP_MINUTE_DAYS, and so on.
 */
export function planReport(range: Pick<ResolvedRange, 'from' | 'to' | 'buckets'>, h: Horizons): ReportPlan {
  const finer: Record<(typeof GRAINS)[number], number> = { 86400: h.hour, 3600: h.minute, 60: h.raw };
  const from = range.from.getTime();
  const to = range.to.getTime();
  const pieces: Piece[] = [];
  const starts = range.buckets.map((d) => d.getTime());
  for (const [i, a] of starts.entries()) {
    const b = starts[i + 1] ?? to;
    let remaining: [number, number][] = [[a, b]];
    for (const grain of GRAINS) {
      const g = grain * 1000;
      const next: [number, number][] = [];
      for (const [x, y] of remaining) {
        const s0 = ceilTo(x, g);
        const s1 = floorTo(y, g);
        const edges: [number, number][] = [];
        if (s0 >= y) edges.push([x, y]);
        else {
          if (s0 < s1) pieces.push({ grain, lo: s0, hi: s1 });
          edges.push([x, s0], [s1, y]);
        }
        for (const [ex, ey] of edges) {
          if (ex >= ey) continue;
          const slot = floorTo(ex, g);
          if (slot >= finer[grain]) next.push([ex, ey]);
          else if (ex === slot) pieces.push({ grain, lo: slot, hi: slot + g });
          // else: the slot started before this bucket and was counted there (or before the range).
        }
      }
      remaining = next;
    }
    for (const [lo, hi] of remaining) pieces.push({ grain: 0, lo, hi });
  }
  let dataStart = from;
  for (const grain of GRAINS) {
    const slot = floorTo(from, grain * 1000);
    if (slot < from && slot < finer[grain]) {
      dataStart = slot + grain * 1000;
      break;
    }
  }
  return { pieces: merge(pieces), dataStart };
}

/** Adjacent pieces of one grain become one interval (a bucket is found from each row's time). */
function merge(pieces: Piece[]): Piece[] {
  const sorted = [...pieces].sort((p, q) => p.grain - q.grain || p.lo - q.lo);
  const out: Piece[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.grain === p.grain && last.hi >= p.lo) last.hi = Math.max(last.hi, p.hi);
    else out.push({ ...p });
  }
  return out;
}
