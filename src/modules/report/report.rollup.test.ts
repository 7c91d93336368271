import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { ManualClock } from '../../clock.js';
import { queryRows } from '../../db/client.js';
import type { ActivityEntry } from './activity.manager.js';
import { ReportManager } from './report.manager.js';
import { type Piece, planReport } from './report.plan.js';
import { rawReportQueries } from './report.queries.js';
import { type RangeInput, resolveRange } from './report.ranges.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NOW = '2026-01-05T10:15:27.400Z';
const DAY = 86_400_000;

/**
 * Activity over the last 45 days at millisecond times, a dense last two hours, and bursts sharing one
 * timestamp (the resources report's "last" must break ties by id, as the raw query does).
 */
function generate(seed: number, count: number, spanDays: number): ActivityEntry[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const end = Date.parse(NOW);
  const entries: ActivityEntry[] = [];
  let burst: Date | null = null;
  for (let i = 0; i < count; i++) {
    const recent = next() < 0.25;
    const at: Date =
      burst && next() < 0.5
        ? burst
        : new Date(end - 1 - Math.floor(next() * (recent ? 2 * 3_600_000 : spanDays * DAY)));
    burst = next() < 0.05 ? at : burst;
    const roll = next();
    if (roll < 0.4) {
      entries.push({
        category: 'service',
        kind: 'accessed',
        service: pick(['request-interaction', 'office-hours', 'callback']),
        status: pick([200, 200, 200, 400, 404, 503]),
        at,
      });
    } else if (roll < 0.7) {
      const booked = Math.floor(next() * 11);
      entries.push({
        category: 'resource',
        kind: pick(['allocated', 'allocated', 'released', 'expired', 'exhausted'] as const),
        group: pick(['DNIS', 'Pool-B', 'Pool-C']),
        booked,
        free: 10 - booked,
        at,
      });
    } else {
      const kind = pick(['created', 'created', 'connected', 'cancelled', 'abandoned', 'completed'] as const);
      entries.push({
        category: 'callback',
        kind,
        service: pick(['cb-sales', 'cb-support']),
        queue: pick(['q1', 'q2', null]),
        callbackId: `c${seed}-${i}`,
        waitMs: kind === 'created' || next() < 0.05 ? null : Math.floor(next() * 2_400_000),
        at,
      });
    }
  }
  return entries;
}

const ranges: RangeInput[] = [
  { preset: 'LAST_HOUR' },
  { preset: 'LAST_HOUR', bucket: 'MINUTE' },
  { preset: 'TODAY' },
  { preset: 'YESTERDAY', bucket: 'FIFTEEN_MINUTES' },
  { preset: 'LAST_7_DAYS' },
  { preset: 'LAST_7_DAYS', timeZone: 'Asia/Kolkata', bucket: 'SIX_HOURS' },
  { preset: 'LAST_30_DAYS', timeZone: 'America/New_York' },
  { preset: 'LAST_30_DAYS', bucket: 'HOUR' },
  {
    preset: 'CUSTOM',
    from: new Date('2025-12-28T07:30:12.345Z'),
    to: new Date('2026-01-04T13:00:59.999Z'),
    bucket: 'HOUR',
  },
  { preset: 'CUSTOM', from: new Date('2026-01-05T08:59:59.500Z'), to: new Date(NOW), bucket: 'FIVE_MINUTES' },
  // Edges off the minute, off the hour and off the day, with buckets of every size between them.
  {
    preset: 'CUSTOM',
    from: new Date('2025-12-14T17:45:00Z'),
    to: new Date('2026-01-03T05:20:00Z'),
    bucket: 'DAY',
  },
  {
    preset: 'CUSTOM',
    from: new Date('2025-12-20T03:10:41.250Z'),
    to: new Date('2026-01-05T09:59:59.999Z'),
    bucket: 'SIX_HOURS',
    timeZone: 'Asia/Kolkata',
  },
  { preset: 'CUSTOM', from: new Date('2025-12-09T11:11:11.111Z'), to: new Date(NOW), bucket: 'WEEK' },
  {
    preset: 'CUSTOM',
    from: new Date('2026-01-04T23:58:01.999Z'),
    to: new Date('2026-01-05T01:02:03.004Z'),
    bucket: 'FIFTEEN_MINUTES',
    timeZone: 'America/New_York',
  },
];

const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('reports over the rollups give the same numbers as over the raw rows', () => {
  let t: TestApp;
  let raw: ReportManager;

  async function compare(range: RangeInput, reports = t.app.managers.reports): Promise<void> {
    const filters = [{}, { service: 'cb-sales', queue: '' }, { group: 'Pool-B', service: 'office-hours' }];
    for (const f of filters) {
      expect(plain(await reports.services(range, f))).toEqual(plain(await raw.services(range, f)));
      expect(plain(await reports.resources(range, f))).toEqual(plain(await raw.resources(range, f)));
      expect(plain(await reports.callback(range, f))).toEqual(plain(await raw.callback(range, f)));
    }
  }

  const pending = async () => {
    const [row] = await queryRows<{ n: unknown }>(
      t.app.deps.db,
      sql`select count(*)::int as n from activity_pending`,
    );
    return Number(row?.n);
  };

  beforeAll(async () => {
    t = await createTestApp({ clock: new ManualClock(NOW), startup: false });
    raw = new ReportManager(t.app.deps, rawReportQueries);
    const entries = generate(7, 5000, 30);
    for (let i = 0; i < entries.length; i += 500)
      await t.app.managers.activity.record(t.app.deps.db, entries.slice(i, i + 500));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('before anything is folded (every row still pending)', async () => {
    expect(await pending()).toBe(5000);
    for (const r of ranges.slice(0, 4)) await compare(r);
  }, 120_000);

  it('half folded, then all folded, then with late arrivals pending again', async () => {
    expect(await t.app.managers.rollups.foldBatch(2500)).toBe(2500);
    for (const r of ranges) await compare(r);
    await t.app.managers.rollups.run();
    expect(await pending()).toBe(0);
    for (const r of ranges) await compare(r);
    // Rows recorded late, with past times, land in slots that are already rolled up.
    const late = generate(8, 600, 20);
    await t.app.managers.activity.record(t.app.deps.db, late);
    expect(await pending()).toBe(600);
    for (const r of ranges) await compare(r);
    await t.app.managers.rollups.run();
    expect(await pending()).toBe(0);
    for (const r of ranges.slice(4)) await compare(r);
    // Many comparisons (every range × three filters × three reports × two engines): minutes on a
    // loaded machine, not a speed limit.
  }, 300_000);

  it('reports really read the rollups: the raw rows of whole slots are not needed', async () => {
    const range: RangeInput = {
      preset: 'CUSTOM',
      from: new Date('2025-12-20T00:00:00Z'),
      to: new Date('2026-01-05T00:00:00Z'),
      bucket: 'DAY',
    };
    const plan = t.app.managers.reports.plan(t.app.managers.reports.resolve(range));
    expect(plan.pieces).toEqual([
      { grain: 86_400, lo: Date.parse('2025-12-20T00:00:00Z'), hi: Date.parse('2026-01-05T00:00:00Z') },
    ]);
    const before = plain(await raw.services(range));
    expect(before.total).toBeGreaterThan(0);
    // Hide the raw rows of the range inside a transaction that is rolled back: same answer.
    await t.app.deps.db
      .transaction(async (tx) => {
        await tx.execute(
          sql`delete from activity where occurred_at >= '2025-12-20T00:00:00Z' and occurred_at < '2026-01-05T00:00:00Z'`,
        );
        const reports = new ReportManager({ ...t.app.deps, db: tx as unknown as typeof t.app.deps.db });
        expect(plain(await reports.services(range))).toEqual(before);
        throw new Error('rollback');
      })
      .catch((err: unknown) => {
        if (!(err instanceof Error) || err.message !== 'rollback') throw err;
      });
  });

  it('after retention removes old raw rows: aligned ranges unchanged, unaligned edges to the minute', async () => {
    // Raw rows older than 10 days go; the rollups keep everything.
    const short = await createTestApp({
      clock: new ManualClock(NOW),
      startup: false,
      env: { RETENTION_ACTIVITY_DAYS: '10', RETENTION_MAX_BATCHES: '1000' },
    });
    try {
      const entries = generate(9, 3000, 30);
      await short.app.managers.activity.record(short.app.deps.db, entries);
      await short.app.managers.rollups.run();
      const rawShort = new ReportManager(short.app.deps, rawReportQueries);
      const aligned: RangeInput = {
        preset: 'CUSTOM',
        from: new Date('2025-12-10T06:00:00Z'),
        to: new Date('2026-01-01T00:00:00Z'),
        bucket: 'SIX_HOURS',
      };
      const unaligned: RangeInput = {
        preset: 'CUSTOM',
        from: new Date('2025-12-10T06:00:30Z'),
        to: new Date('2025-12-20T06:00:30Z'),
        bucket: 'HOUR',
      };
      const expected = {
        services: plain(await rawShort.services(aligned)),
        resources: plain(await rawShort.resources(aligned)),
        callback: plain(await rawShort.callback(aligned)),
        // Beyond the raw horizon a minute counts where it starts: [ceil(from), ceil(to)) to the minute.
        unalignedTotal: plain(
          await rawShort.services({
            preset: 'CUSTOM',
            from: new Date('2025-12-10T06:01:00Z'),
            to: new Date('2025-12-20T06:01:00Z'),
            bucket: 'DAY',
          }),
        ).total,
      };
      const run = await short.app.managers.retention.run();
      expect(run.deleted.activity).toBeGreaterThan(0);
      const reports = short.app.managers.reports;
      expect(plain(await reports.services(aligned))).toEqual(expected.services);
      expect(plain(await reports.resources(aligned))).toEqual(expected.resources);
      expect(plain(await reports.callback(aligned))).toEqual(expected.callback);
      expect((await reports.services(unaligned)).total).toBe(expected.unalignedTotal);
      // The raw rows are gone, so the raw queries now see less.
      expect((await rawShort.services(aligned)).total).toBeLessThan(expected.services.total);
    } finally {
      await short.close();
    }
  }, 120_000);

  it('wait percentiles at bin edges, with ties, one-wait and two-wait groups: same as percentile_cont', async () => {
    const w = await createTestApp({ clock: new ManualClock(NOW), startup: false });
    try {
      const next = random(11);
      const end = Date.parse(NOW);
      // Values on both sides of fine-bin and histogram bounds, ties, and an open-ended top bin.
      const edges = [0, 1, 999, 1000, 29_999, 30_000, 59_999, 60_000, 299_999, 300_000, 1_799_999, 1_800_000];
      const more = [3_600_000, 7_199_999, 86_399_999, 86_400_000, 200_000_000];
      const entries: ActivityEntry[] = [];
      const connected = (service: string, queue: string | null, waitMs: number, ago: number) =>
        entries.push({
          category: 'callback',
          kind: 'connected',
          service,
          queue,
          callbackId: `w${entries.length}`,
          waitMs,
          at: new Date(end - 1 - ago),
        });
      for (let i = 0; i < 1500; i++) {
        const v = next() < 0.6 ? (edges[i % edges.length] ?? 0) : Math.floor(next() * 2_000_000);
        connected(next() < 0.5 ? 'cb-sales' : 'cb-tie', 'q1', v, Math.floor(next() * 6 * DAY));
      }
      for (const v of more) connected('cb-sales', 'q2', v, Math.floor(next() * 3 * DAY));
      connected('cb-one', null, 61_234, 2 * DAY);
      connected('cb-two', 'q9', 1_000, DAY);
      connected('cb-two', 'q9', 1_799_000, 3 * DAY);
      for (let i = 0; i < 40; i++) connected('cb-tie', 'q3', 30_000, Math.floor(next() * 2 * DAY));
      await w.app.managers.activity.record(w.app.deps.db, entries);
      const rawW = new ReportManager(w.app.deps, rawReportQueries);
      const check = async () => {
        for (const range of [ranges[2], ranges[4], ranges[8]] as RangeInput[])
          for (const f of [{}, { service: 'cb-tie' }, { service: 'cb-sales', queue: 'q2' }])
            expect(plain(await w.app.managers.reports.callback(range, f))).toEqual(
              plain(await rawW.callback(range, f)),
            );
      };
      await check();
      await w.app.managers.rollups.foldBatch(700);
      await check();
      await w.app.managers.rollups.run();
      await check();
      // The figures exercised are real ones: every group has percentiles, the top bin is open-ended.
      const report = await w.app.managers.reports.callback(ranges[4] as RangeInput);
      expect(report.series.length).toBeGreaterThanOrEqual(5);
      expect(report.wait.maxSeconds).toBe(200_000);
      expect(report.series.every((s) => s.wait.p95Seconds !== null)).toBe(true);
    } finally {
      await w.close();
    }
  }, 120_000);

  it('a plan covers every bucket exactly once, with finer slots only at the range ends', () => {
    const now = new Date(NOW);
    const horizons = { raw: now.getTime() - 35 * DAY, minute: now.getTime() - 60 * DAY, hour: 0 };
    const span = (pieces: Piece[], grain: number) =>
      pieces.filter((p) => p.grain === grain).reduce((n, p) => n + (p.hi - p.lo), 0);
    const r = resolveRange(
      { preset: 'CUSTOM', from: new Date('2025-12-28T07:30:12.345Z'), to: now, bucket: 'HOUR' },
      now,
    );
    // Buckets on the clock: a short first one, whole hours, a short last one.
    expect(r.buckets.slice(0, 3).map((d) => d.toISOString())).toEqual([
      '2025-12-28T07:30:12.345Z',
      '2025-12-28T08:00:00.000Z',
      '2025-12-28T09:00:00.000Z',
    ]);
    expect(r.buckets.at(-1)?.toISOString()).toBe('2026-01-05T10:00:00.000Z');
    const { pieces, dataStart } = planReport(r, horizons);
    expect(dataStart).toBe(r.from.getTime());
    const covered = pieces.reduce((n, p) => n + (p.hi - p.lo), 0);
    // Everything is within the raw horizon: covered exactly, to the millisecond.
    expect(covered).toBe(r.to.getTime() - r.from.getTime());
    for (const p of pieces) expect(p.lo).toBeLessThan(p.hi);
    // Raw rows and minute slots only at the two ends; the hours between are one index range.
    expect(pieces).toEqual([
      { grain: 0, lo: Date.parse('2025-12-28T07:30:12.345Z'), hi: Date.parse('2025-12-28T07:31:00Z') },
      { grain: 0, lo: Date.parse('2026-01-05T10:15:00Z'), hi: now.getTime() },
      { grain: 60, lo: Date.parse('2025-12-28T07:31:00Z'), hi: Date.parse('2025-12-28T08:00:00Z') },
      { grain: 60, lo: Date.parse('2026-01-05T10:00:00Z'), hi: Date.parse('2026-01-05T10:15:00Z') },
      { grain: 3600, lo: Date.parse('2025-12-28T08:00:00Z'), hi: Date.parse('2026-01-05T10:00:00Z') },
    ]);
    // Day buckets over 30 days off the minute: minutes at the ends (under an hour each), hours for
    // the two partial days, days between; the same pieces for 10 days or 300.
    for (const days of [10, 30, 300]) {
      const to = new Date('2026-01-05T10:15:27.400Z');
      const long = resolveRange(
        { preset: 'CUSTOM', from: new Date(to.getTime() - days * DAY), to, bucket: 'DAY' },
        now,
      );
      const p = planReport(long, { raw: 0, minute: 0, hour: 0 }).pieces;
      expect(p.map((x) => x.grain)).toEqual([0, 0, 60, 60, 3600, 3600, 86_400]);
      expect(span(p, 60)).toBeLessThan(2 * 3_600_000);
      expect(span(p, 3600)).toBeLessThan(2 * DAY);
      expect(span(p, 0) + span(p, 60) + span(p, 3600) + span(p, 86_400)).toBe(days * DAY);
    }
    // Beyond the raw horizon the range starts at the next whole minute.
    const old = resolveRange(
      { preset: 'CUSTOM', from: new Date('2025-11-20T07:30:12.345Z'), to: new Date('2025-11-22T00:00:00Z') },
      now,
    );
    const oldPlan = planReport(old, horizons);
    expect(oldPlan.dataStart).toBe(Date.parse('2025-11-20T07:31:00Z'));
    // Older than the minute rollups too: the range starts at the next whole hour.
    const older = planReport(
      resolveRange(
        {
          preset: 'CUSTOM',
          from: new Date('2025-11-01T07:30:12.345Z'),
          to: new Date('2025-11-22T00:00:00Z'),
        },
        now,
      ),
      horizons,
    );
    expect(older.dataStart).toBe(Date.parse('2025-11-01T08:00:00Z'));
    expect(oldPlan.pieces.every((p) => p.grain !== 0)).toBe(true);
  });
});
