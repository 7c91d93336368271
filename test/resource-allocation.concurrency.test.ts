import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { type Db, queryRows, sql } from '../src/db/client.js';
import type { Allocation, ResourceManager } from '../src/modules/resource/resource.manager.js';
import { backend, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.js';

/**
 * A1 (reliability-notes §8): a herd of concurrent allocations from two app instances on one Postgres
 * never books a number twice, grants exactly min(requests, numbers) per round, and refuses the rest
 * with 503 at once. The same overlap check run on a deliberately naive check-then-insert allocator
 * finds overlaps, which shows the check can fail.
 */

interface Grant {
  number: string;
  start: number;
  end: number;
}

/** Pairs of grants of one number whose [start, end) periods intersect. */
function countOverlaps(grants: Grant[]): number {
  const byNumber = new Map<string, Grant[]>();
  for (const g of grants) byNumber.set(g.number, [...(byNumber.get(g.number) ?? []), g]);
  let overlaps = 0;
  for (const list of byNumber.values())
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as Grant;
        const b = list[j] as Grant;
        if (a.start < b.end && b.start < a.end) overlaps++;
      }
  return overlaps;
}

const onPostgres = backend === 'postgres';

// Thousands of real allocations per test: on a loaded 2-core CI machine they need more than the
// default 30 s runner limit (a limit on how long to wait, not an assertion about speed).
describe.skipIf(!onPostgres)(
  'allocation under concurrency, two instances, one Postgres',
  { timeout: 120_000 },
  () => {
    let database: TestDatabase;
    let one: TestApp;
    let two: TestApp;
    const clock = new ManualClock();

    beforeAll(async () => {
      database = await createTestDatabase();
      const namespace = `a1-${randomUUID().slice(0, 8)}`;
      const env = { DATABASE_POOL_SIZE: '20' };
      one = await createTestApp({ database, namespace, clock, env });
      two = await createTestApp({ database, namespace, clock, env });
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await database?.drop();
    });

    const managers = (): ResourceManager[] => [one.app.managers.resources, two.app.managers.resources];

    let pools = 0;
    async function createPool(name: string, size: number, allocation: 'random' | 'round-robin' = 'random') {
      pools++;
      await one.app.managers.resources.createGroup({
        name,
        locking: true,
        allocation,
        bookingExpirationTimeout: 30,
        resources: Array.from({ length: size }, (_, i) => ({
          name: `Key${i}`,
          accessNumber: `1-900-${pools}-${String(i).padStart(4, '0')}`,
        })),
      });
    }

    /** `perInstance` concurrent allocations on each instance at the same instant. */
    async function herd(group: string, perInstance: number) {
      const calls = managers().flatMap((m, instance) =>
        Array.from({ length: perInstance }, (_, i) =>
          m.allocate({ group, sessionId: `${instance}-${i}-${randomUUID()}` }),
        ),
      );
      const settled = await Promise.allSettled(calls);
      const granted = settled
        .filter((s): s is PromiseFulfilledResult<Allocation> => s.status === 'fulfilled')
        .map((s) => s.value);
      const refused = settled
        .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
        .map((s) => s.reason as { code?: string; status?: number });
      return { granted, refused };
    }

    it('A1: 200 concurrent allocations against 10 numbers, 20 rounds: grants = 10 and 0 overlaps', async () => {
      await createPool('a1', 10);
      const grants: (Grant & { allocation: Allocation })[] = [];
      for (let round = 0; round < 20; round++) {
        const { granted, refused } = await herd('a1', 100);
        expect(granted).toHaveLength(10);
        expect(refused).toHaveLength(190);
        for (const r of refused) expect(r).toMatchObject({ code: 'resource/pool_exhausted', status: 503 });
        for (const a of granted)
          grants.push({
            number: a.accessNumber,
            start: a.startsAt.getTime(),
            end: a.expiresAt.getTime(),
            allocation: a,
          });
        if (round % 2 === 0) {
          // Free by expiry: a booking ends exactly when the next round starts.
          clock.advance(30_000);
        } else {
          // Free by matching the calls (DNIS only), half on each instance.
          const [m1, m2] = managers() as [ResourceManager, ResourceManager];
          await Promise.all(
            granted.map((a, i) => (i % 2 ? m1 : m2).match({ accessNumber: a.accessNumber }).then(() => a)),
          );
          const now = clock.now().getTime();
          for (const g of grants) if (granted.includes(g.allocation)) g.end = now;
        }
      }
      expect(grants).toHaveLength(200);
      expect(countOverlaps(grants)).toBe(0);

      // The database agrees: no two locking bookings of one number overlap.
      const [row] = await queryRows<{ n: number }>(
        one.app.deps.db,
        sql`select count(*)::int as n from resource_bookings a join resource_bookings b
            on a.resource_id = b.resource_id and a.id < b.id and a.locking and b.locking
           and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)`,
      );
      expect(row?.n).toBe(0);
      const [events] = await queryRows<{ allocated: number; exhausted: number }>(
        one.app.deps.db,
        sql`select count(*) filter (where kind = 'allocated')::int as allocated,
                 count(*) filter (where kind = 'exhausted')::int as exhausted
            from resource_events where group_name = 'a1'`,
      );
      expect(events).toEqual({ allocated: 200, exhausted: 3800 });
    });

    it('issue 4 §7: 2 × 200 allocations against 50 numbers: exactly 50 succeed; after expiry all are reusable', async () => {
      await createPool('fifty', 50);
      const first = await herd('fifty', 200);
      expect(first.granted).toHaveLength(50);
      expect(new Set(first.granted.map((a) => a.accessNumber)).size).toBe(50);
      expect(first.refused.every((r) => r.status === 503)).toBe(true);
      clock.advance(30_000);
      const second = await herd('fifty', 200);
      expect(new Set(second.granted.map((a) => a.accessNumber)).size).toBe(50);
    });

    it('round-robin under concurrency still grants distinct numbers and then rotates through all', async () => {
      await createPool('rr', 8, 'round-robin');
      const { granted } = await herd('rr', 20);
      expect(new Set(granted.map((a) => a.accessNumber)).size).toBe(8);
      await Promise.all(
        granted.map((a) => one.app.managers.resources.match({ accessNumber: a.accessNumber })),
      );
      const order: string[] = [];
      for (let i = 0; i < 16; i++) {
        const sessionId = `rr-${i}`;
        const a = await managers()[i % 2]?.allocate({ group: 'rr', sessionId });
        order.push(a?.accessNumber ?? '');
        await managers()[(i + 1) % 2]?.releaseSession(sessionId);
      }
      expect(new Set(order.slice(0, 8)).size).toBe(8);
      expect(order.slice(8)).toEqual(order.slice(0, 8));
    });

    // A property guard, not a reproduction: the claim's snapshot can miss numbers released a moment
    // earlier (the benchmark saw rare 503s that way under CPU load); allocate re-claims while numbers are
    // free. This run did not trigger the race without that retry, so it guards the property only.
    it('no false 503 under churn: clients that each hold at most one number never exhaust a larger pool', async () => {
      await createPool('churn', 40);
      const refused: unknown[] = [];
      const client = async (c: number) => {
        const m = managers()[c % 2] as ResourceManager;
        for (let i = 0; i < 15; i++) {
          const sessionId = `churn-${c}-${i}`;
          try {
            const a = await m.allocate({ group: 'churn', sessionId });
            await m.release({ bookingId: a.bookingId, sessionId });
          } catch (err) {
            refused.push(err);
          }
        }
      };
      await Promise.all(Array.from({ length: 30 }, (_, c) => client(c)));
      expect(refused).toEqual([]);
    });

    it('shared numbers: concurrent coded allocations on one number never repeat an active code', async () => {
      await one.app.managers.resources.createGroup({
        name: 'codes',
        locking: false,
        resources: [{ name: 'Only', accessNumber: '1-901-0000' }],
      });
      const calls = Array.from({ length: 60 }, (_, i) =>
        (managers()[i % 2] as ResourceManager).allocate({
          group: 'codes',
          sessionId: `code-${i}`,
          provideCode: true,
          accessCodeLength: 2,
        }),
      );
      const granted = await Promise.all(calls);
      expect(new Set(granted.map((a) => a.accessCode)).size).toBe(60);
      clock.advance(30_000);
    });

    it('two sweepers at once close each expired booking exactly once', async () => {
      await createPool('sweep', 30);
      await herd('sweep', 15);
      clock.advance(30_000);
      const [a, b] = await Promise.all(managers().map((m) => m.sweepExpired()));
      const [row] = await queryRows<{ n: number }>(
        one.app.deps.db,
        sql`select count(*)::int as n from resource_events where group_name = 'sweep' and kind = 'expired'`,
      );
      expect(row?.n).toBe(30);
      // Other groups' leftovers may be swept too; this group's 30 are counted once between both.
      expect((a ?? 0) + (b ?? 0)).toBeGreaterThanOrEqual(30);
      const [open] = await queryRows<{ n: number }>(
        one.app.deps.db,
        sql`select count(*)::int as n from resource_bookings where closed_at is null`,
      );
      expect(open?.n).toBe(0);
    });

    it('the overlap check has teeth: a naive check-then-insert allocator double-books', async () => {
      await createPool('naive', 10);
      const db1 = one.app.deps.db;
      await queryRows(
        db1,
        sql`create table naive_bookings (resource_id int not null, starts_at timestamptz not null, ends_at timestamptz not null)`,
      );
      const [group] = await queryRows<{ id: number }>(
        db1,
        sql`select id from resource_groups where name = 'naive'`,
      );
      const naiveAllocate = async (db: Db, now: Date): Promise<Grant | null> => {
        const at = now.toISOString();
        const until = new Date(now.getTime() + 30_000).toISOString();
        const [free] = await queryRows<{ id: number; access_number: string }>(
          db,
          sql`select r.id, r.access_number from resources r where r.group_id = ${group?.id}
              and not exists (select 1 from naive_bookings b where b.resource_id = r.id and b.ends_at > ${at}::timestamptz)
            order by random() limit 1`,
        );
        if (!free) return null;
        await queryRows(
          db,
          sql`insert into naive_bookings values (${free.id}, ${at}::timestamptz, ${until}::timestamptz)`,
        );
        return { number: free.access_number, start: now.getTime(), end: now.getTime() + 30_000 };
      };
      const grants: Grant[] = [];
      for (let round = 0; round < 3; round++) {
        const now = clock.now();
        const dbs = [one.app.deps.db, two.app.deps.db];
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => naiveAllocate(dbs[i % 2] as Db, now)),
        );
        for (const g of results) if (g) grants.push(g);
        clock.advance(30_000);
      }
      expect(grants.length).toBeGreaterThan(30);
      expect(countOverlaps(grants)).toBeGreaterThan(0);
    });
  },
);
