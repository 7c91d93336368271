import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../../test/harness.js';
import { ManualClock } from '../../clock.js';
import type { ActivityEntry } from './activity.manager.js';
import type { RangeInput } from './report.ranges.js';

/** Deterministic pseudo-random numbers (mulberry32), so both databases get the same activity. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NOW = '2026-01-05T10:15:00.000Z';

/** ~6,000 entries over the last 10 days: every category, kind and status the reports distinguish. */
function generate(): ActivityEntry[] {
  const next = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const end = Date.parse(NOW);
  const entries: ActivityEntry[] = [];
  for (let i = 0; i < 6000; i++) {
    const at = new Date(end - Math.floor(next() * 10 * 86_400_000));
    const roll = next();
    if (roll < 0.4) {
      entries.push({
        category: 'service',
        kind: 'accessed',
        service: pick(['request-interaction', 'office-hours', 'callback', 'chat']),
        status: pick([200, 200, 200, 200, 400, 404, 503]),
        at,
      });
    } else if (roll < 0.7) {
      const total = 10;
      const booked = Math.floor(next() * (total + 1));
      entries.push({
        category: 'resource',
        kind: pick(['allocated', 'allocated', 'released', 'expired', 'exhausted'] as const),
        group: pick(['DNIS', 'Pool-B']),
        booked,
        free: total - booked,
        at,
      });
    } else {
      const kind = pick(['created', 'created', 'connected', 'cancelled', 'abandoned', 'completed'] as const);
      entries.push({
        category: 'callback',
        kind,
        service: pick(['cb-sales', 'cb-support']),
        queue: pick(['q1', 'q2', null]),
        callbackId: `c${i}`,
        waitMs: kind === 'created' ? null : Math.floor(next() * 2_400_000),
        at,
      });
    }
  }
  return entries;
}

const ranges: RangeInput[] = [
  { preset: 'LAST_HOUR' },
  { preset: 'TODAY' },
  { preset: 'YESTERDAY', bucket: 'FIFTEEN_MINUTES' },
  { preset: 'LAST_7_DAYS' },
  { preset: 'LAST_30_DAYS', timeZone: 'America/New_York', bucket: 'SIX_HOURS' },
  { preset: 'CUSTOM', from: new Date('2025-12-28T07:30:00Z'), to: new Date('2026-01-04T13:00:00Z') },
];

// Needs both engines at once: runs once (in the PGlite project) when a Postgres is configured.
describe.skipIf(!process.env.TEST_DATABASE_URL || backend !== 'pglite')(
  'reports give identical numbers on PGlite and Postgres',
  () => {
    let lite: TestApp;
    let pg: TestApp;

    beforeAll(async () => {
      lite = await createTestApp({ clock: new ManualClock(NOW), startup: false });
      pg = await createTestApp({
        clock: new ManualClock(NOW),
        startup: false,
        database: await createTestDatabase(),
      });
      expect(lite.app.deps.database).not.toBe(pg.app.deps.database);
      expect(lite.config.database.kind).toBe('pglite');
      expect(pg.config.database.kind).toBe('postgres');
      const entries = generate();
      for (const t of [lite, pg])
        for (let i = 0; i < entries.length; i += 500)
          await t.app.managers.activity.record(t.app.deps.db, entries.slice(i, i + 500));
    });
    afterAll(async () => {
      await lite?.close();
      await pg?.close();
      await pg?.database?.drop();
    });

    it.each(
      ranges.map((r) => [
        `${r.preset}${r.bucket ? ` ${r.bucket}` : ''}${r.timeZone ? ` ${r.timeZone}` : ''}`,
        r,
      ]),
    )('%s', async (_name, range) => {
      const both = async (fn: (t: TestApp) => Promise<unknown>) =>
        Promise.all([fn(lite), fn(pg)]).then((r) => r.map((x) => JSON.parse(JSON.stringify(x))));
      const [ls, ps] = await both((t) => t.app.managers.reports.services(range));
      expect(ps).toEqual(ls);
      const [lr, pr] = await both((t) => t.app.managers.reports.resources(range));
      expect(pr).toEqual(lr);
      const [lc, pc] = await both((t) => t.app.managers.reports.callback(range));
      expect(pc).toEqual(lc);
      const [lq, pq] = await both((t) =>
        t.app.managers.reports.callback(range, { service: 'cb-sales', queue: '' }),
      );
      expect(pq).toEqual(lq);
      if (range.preset !== 'LAST_HOUR') {
        // The comparison means something only when there is activity to compare.
        expect(ls.total).toBeGreaterThan(0);
        expect(lc.wait.connected).toBeGreaterThan(0);
        expect(lr.groups.length).toBe(2);
      }
      const [lcsv, pcsv] = await both(async (t) =>
        new TextDecoder().decode(
          (await t.app.managers.reports.export({ report: 'callback', format: 'csv', range })).body,
        ),
      );
      expect(pcsv).toBe(lcsv);
    });
  },
);
