import { DateTime, IANAZone } from 'luxon';
import { ValidationError } from '../../errors.js';

export const rangePresets = [
  'LAST_HOUR',
  'TODAY',
  'YESTERDAY',
  'LAST_7_DAYS',
  'LAST_30_DAYS',
  'CUSTOM',
] as const;
export type RangePreset = (typeof rangePresets)[number];

export const bucketSizes = {
  MINUTE: 60,
  FIVE_MINUTES: 300,
  FIFTEEN_MINUTES: 900,
  HOUR: 3600,
  SIX_HOURS: 21_600,
  DAY: 86_400,
  WEEK: 604_800,
} as const;
export type BucketSize = keyof typeof bucketSizes;
export const bucketNames = Object.keys(bucketSizes) as BucketSize[];

/** Most buckets one report may have (keeps the answer and the exported files bounded). */
export const MAX_BUCKETS = 2000;
/** Longest custom range. */
export const MAX_RANGE_DAYS = 400;

const defaultBucket: Record<Exclude<RangePreset, 'CUSTOM'>, BucketSize> = {
  LAST_HOUR: 'FIVE_MINUTES',
  TODAY: 'HOUR',
  YESTERDAY: 'HOUR',
  LAST_7_DAYS: 'DAY',
  LAST_30_DAYS: 'DAY',
};

export interface RangeInput {
  preset: RangePreset;
  from?: Date | null;
  to?: Date | null;
  bucket?: BucketSize | null;
  /** IANA zone for TODAY/YESTERDAY/day boundaries and for times in exported files; default UTC. */
  timeZone?: string | null;
}

/**
 * A resolved range: [from, to), cut into buckets of `bucketSeconds` on the clock of `timeZone`.
 * Bucket boundaries lie on `bucketOrigin + k × bucketSeconds`, where `bucketOrigin` is the local
 * midnight of `from`'s day: the first bucket starts at `from` and the last ends at `to`, so either
 * may be shorter than `bucketSeconds`, and every boundary inside the range is a whole minute, hour
 * or day of the rollups (report.plan.ts), whatever second the range starts at.
 */
export interface ResolvedRange {
  preset: RangePreset;
  from: Date;
  to: Date;
  bucket: BucketSize;
  bucketSeconds: number;
  timeZone: string;
  bucketOrigin: Date;
  /** Start of every bucket, in order: `from`, then every boundary inside the range. */
  buckets: Date[];
}

export function parsePreset(value: string): RangePreset {
  const normal = value.trim().toUpperCase().replaceAll('-', '_');
  const found = rangePresets.find((p) => p === normal);
  if (!found)
    throw new ValidationError(
      'report/invalid_range',
      `Unknown range '${value}'; use one of ${rangePresets.join(', ').toLowerCase()}`,
      'range',
    );
  return found;
}

export function parseBucket(value: string): BucketSize {
  const normal = value.trim().toUpperCase().replaceAll('-', '_');
  const aliases: Record<string, BucketSize> = {
    '1M': 'MINUTE',
    '5M': 'FIVE_MINUTES',
    '15M': 'FIFTEEN_MINUTES',
    '1H': 'HOUR',
    '6H': 'SIX_HOURS',
    '1D': 'DAY',
    '1W': 'WEEK',
  };
  const found = aliases[normal] ?? bucketNames.find((b) => b === normal);
  if (!found)
    throw new ValidationError(
      'report/invalid_bucket',
      `Unknown bucket '${value}'; use one of ${bucketNames.join(', ')} (or 1m, 5m, 15m, 1h, 6h, 1d, 1w)`,
      'bucket',
    );
  return found;
}

/** Turns a preset (relative to `now`) or a custom range into absolute bounds and buckets. */
export function resolveRange(input: RangeInput, now: Date): ResolvedRange {
  const timeZone = input.timeZone?.trim() || 'UTC';
  if (!IANAZone.isValidZone(timeZone))
    throw new ValidationError('report/invalid_time_zone', `Unknown time zone '${timeZone}'`, 'timeZone');
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const startOfToday = local.startOf('day');
  let from: Date;
  let to: Date;
  switch (input.preset) {
    case 'LAST_HOUR':
      from = new Date(now.getTime() - 3_600_000);
      to = now;
      break;
    case 'TODAY':
      from = startOfToday.toJSDate();
      to = now;
      break;
    case 'YESTERDAY':
      from = startOfToday.minus({ days: 1 }).toJSDate();
      to = startOfToday.toJSDate();
      break;
    case 'LAST_7_DAYS':
      from = startOfToday.minus({ days: 6 }).toJSDate();
      to = now;
      break;
    case 'LAST_30_DAYS':
      from = startOfToday.minus({ days: 29 }).toJSDate();
      to = now;
      break;
    case 'CUSTOM': {
      if (!input.from || !input.to)
        throw new ValidationError('report/range_bounds', 'A CUSTOM range needs both from and to', 'from');
      from = input.from;
      to = input.to;
      break;
    }
  }
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw new ValidationError('report/range_bounds', 'from and to must be valid date-times', 'from');
  if (to.getTime() <= from.getTime())
    throw new ValidationError('report/range_bounds', 'The range must end after it starts', 'to');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
    throw new ValidationError(
      'report/range_too_long',
      `A range may span at most ${MAX_RANGE_DAYS} days`,
      'to',
    );

  const span = (to.getTime() - from.getTime()) / 1000;
  const bucket =
    input.bucket ??
    (input.preset === 'CUSTOM'
      ? (bucketNames.find((b) => span / bucketSizes[b] <= 200) ?? 'WEEK')
      : defaultBucket[input.preset]);
  const bucketSeconds = bucketSizes[bucket];
  const size = bucketSeconds * 1000;
  // Why on the local clock and not from `from`: a range starting at 10:17:12.345 (a zoom, LAST_HOUR)
  // would otherwise put every boundary at hh:17:12.345, and an exact report must then read each
  // boundary's minutes and raw rows; on the clock only the range's two ends need them.
  const bucketOrigin = DateTime.fromJSDate(from, { zone: timeZone }).startOf('day').toJSDate();
  const first =
    bucketOrigin.getTime() + (Math.floor((from.getTime() - bucketOrigin.getTime()) / size) + 1) * size;
  const count = 1 + Math.max(0, Math.ceil((to.getTime() - first) / size));
  if (count > MAX_BUCKETS)
    throw new ValidationError(
      'report/too_many_buckets',
      `${count} buckets of ${bucket} in this range; at most ${MAX_BUCKETS} (choose a larger bucket)`,
      'bucket',
    );
  const buckets = Array.from(
    { length: count },
    (_, i) => new Date(i === 0 ? from.getTime() : first + (i - 1) * size),
  );
  return { preset: input.preset, from, to, bucket, bucketSeconds, timeZone, bucketOrigin, buckets };
}

/** A bucket start as local time in the range's zone, for files meant for people. */
export function localLabel(at: Date, range: Pick<ResolvedRange, 'timeZone' | 'bucketSeconds'>): string {
  const local = DateTime.fromJSDate(at, { zone: range.timeZone });
  return range.bucketSeconds >= 86_400 && local.hour === 0 && local.minute === 0
    ? local.toFormat('yyyy-LL-dd')
    : local.toFormat('yyyy-LL-dd HH:mm');
}

export function describeRange(range: ResolvedRange): string {
  const f = (d: Date) => DateTime.fromJSDate(d, { zone: range.timeZone }).toFormat('yyyy-LL-dd HH:mm');
  return `${range.preset.replaceAll('_', ' ').toLowerCase()}: ${f(range.from)} to ${f(range.to)} (${range.timeZone}), buckets of ${range.bucket.replaceAll('_', ' ').toLowerCase()}`;
}
